// The application shell: boot data, theme, toasts, error boundary, top navigation, routes and the
// global keyboard shortcuts.
import { lazy, Suspense, useEffect, useState } from 'react';
import { BrowserRouter, Navigate, NavLink, Outlet, Route, Routes, useNavigate } from 'react-router-dom';
import { ErrorBoundary } from './components/error-boundary';
import { Modal } from './components/modal';
import { ThemeProvider, useTheme, type ColorMode } from './components/theme';
import { ToastProvider } from './components/toasts';
import { routerBasename } from './lib/base';
import { isTyping, SHORTCUTS } from './lib/shortcuts';
import { AppDataProvider, useAppData } from './state/app-data';
import { DesignProvider } from './state/design';

// Views load on demand so the first paint does not wait for the editor and canvas code.
const DesignView = lazy(() => import('./views/design/design-view').then((m) => ({ default: m.DesignView })));
const ConvertView = lazy(() =>
  import('./views/convert/convert-view').then((m) => ({ default: m.ConvertView })),
);
const MonitorView = lazy(() =>
  import('./views/monitor/monitor-view').then((m) => ({ default: m.MonitorView })),
);
const StreamView = lazy(() => import('./views/stream/stream-view').then((m) => ({ default: m.StreamView })));
const PluginsView = lazy(() =>
  import('./views/plugins/plugins-view').then((m) => ({ default: m.PluginsView })),
);

const NAV = [
  { to: '/design', label: 'Design' },
  { to: '/convert', label: 'Convert' },
  { to: '/monitor', label: 'Monitor' },
  { to: '/stream', label: 'Stream' },
  { to: '/plugins', label: 'Plugins' },
];

function ShortcutsModal({ onClose }: { onClose: () => void }) {
  return (
    <Modal title="Keyboard shortcuts" onClose={onClose} testId="shortcuts-modal">
      <table className="shortcuts">
        <tbody>
          {SHORTCUTS.map((s) => (
            <tr key={s.keys}>
              <td>
                <kbd>{s.keys}</kbd>
              </td>
              <td>{s.what}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Modal>
  );
}

function Layout() {
  const { mode, setMode } = useTheme();
  const { role, bootErrors } = useAppData();
  const navigate = useNavigate();
  const [help, setHelp] = useState(false);
  const [dismissed, setDismissed] = useState(false);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.altKey && !e.ctrlKey && !e.metaKey && /^Digit[1-4]$/.test(e.code)) {
        e.preventDefault();
        navigate(NAV[Number(e.code.slice(5)) - 1].to);
      } else if (e.key === '?' && !isTyping(e)) setHelp(true);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [navigate]);

  return (
    <div className="app">
      <header className="topbar">
        <div className="brand">
          <svg width="22" height="22" viewBox="0 0 32 32" aria-hidden="true">
            <rect width="32" height="32" rx="8" fill="var(--accent)" />
            <path
              d="M7 20c3-8 6-8 9 0s6 8 9 0"
              stroke="white"
              strokeWidth="3"
              fill="none"
              strokeLinecap="round"
            />
          </svg>
          <span>StreamKit</span>
        </div>
        <nav className="nav" aria-label="Views">
          {NAV.map((n) => (
            <NavLink
              key={n.to}
              to={n.to}
              className={({ isActive }) => `nav-link${isActive ? ' active' : ''}`}
              data-testid={`nav-${n.label.toLowerCase()}`}
            >
              {n.label}
            </NavLink>
          ))}
        </nav>
        <div className="topbar-right">
          <span className="chip" title="Your role on this server" data-testid="role">
            {role}
          </span>
          <button
            className="icon-btn"
            aria-label="Keyboard shortcuts"
            title="Keyboard shortcuts (?)"
            onClick={() => setHelp(true)}
          >
            ?
          </button>
          <select
            aria-label="Colour theme"
            value={mode}
            onChange={(e) => setMode(e.target.value as ColorMode)}
            data-testid="theme-select"
          >
            <option value="system">System theme</option>
            <option value="light">Light</option>
            <option value="dark">Dark</option>
          </select>
        </div>
      </header>
      {bootErrors.length > 0 && !dismissed && (
        <div className="banner banner-error boot-error" role="alert" data-testid="boot-error">
          <span>
            The server did not answer everything the UI needs: {bootErrors.join(' · ')}. Actions are limited
            until it does.
          </span>
          <button className="btn small" onClick={() => window.location.reload()}>
            Retry
          </button>
          <button className="icon-btn" aria-label="Dismiss" onClick={() => setDismissed(true)}>
            ×
          </button>
        </div>
      )}
      <main className="content">
        <Suspense fallback={<Loading />}>
          <Outlet />
        </Suspense>
      </main>
      {help && <ShortcutsModal onClose={() => setHelp(false)} />}
    </div>
  );
}

function Loading() {
  return (
    <div className="boot" data-testid="boot-loading">
      <span className="spinner" /> Loading StreamKit…
    </div>
  );
}

export function AppRoutes() {
  return (
    <Routes>
      <Route element={<Layout />}>
        <Route index element={<Navigate to="/design" replace />} />
        <Route path="design" element={<DesignView />} />
        <Route path="convert" element={<ConvertView />} />
        <Route path="monitor" element={<MonitorView />} />
        <Route path="stream" element={<StreamView />} />
        <Route path="plugins" element={<PluginsView />} />
        <Route path="*" element={<Navigate to="/design" replace />} />
      </Route>
    </Routes>
  );
}

export function App() {
  return (
    <ErrorBoundary>
      <ThemeProvider>
        <ToastProvider>
          <AppDataProvider fallback={<Loading />}>
            <DesignProvider>
              <BrowserRouter basename={routerBasename()}>
                <AppRoutes />
              </BrowserRouter>
            </DesignProvider>
          </AppDataProvider>
        </ToastProvider>
      </ThemeProvider>
    </ErrorBoundary>
  );
}
