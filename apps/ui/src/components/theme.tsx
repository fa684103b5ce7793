// Light/dark/system colour mode, stored per browser and applied as `data-theme` on <html>; "system"
// follows the OS setting live.
import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';

export type ColorMode = 'light' | 'dark' | 'system';
export type ResolvedTheme = 'light' | 'dark';

const KEY = 'skit-color-mode';

interface ThemeApi {
  mode: ColorMode;
  theme: ResolvedTheme;
  setMode: (m: ColorMode) => void;
}

const ThemeContext = createContext<ThemeApi>({ mode: 'system', theme: 'light', setMode: () => undefined });

export const useTheme = () => useContext(ThemeContext);

function readMode(): ColorMode {
  try {
    const v = localStorage.getItem(KEY);
    return v === 'light' || v === 'dark' ? v : 'system';
  } catch {
    return 'system';
  }
}

const systemDark = () =>
  typeof window.matchMedia === 'function' && window.matchMedia('(prefers-color-scheme: dark)').matches;

export function ThemeProvider({ children }: { children: ReactNode }) {
  const [mode, setModeState] = useState<ColorMode>(readMode);
  const [osDark, setOsDark] = useState(systemDark);
  useEffect(() => {
    if (typeof window.matchMedia !== 'function') return;
    const mq = window.matchMedia('(prefers-color-scheme: dark)');
    const onChange = () => setOsDark(mq.matches);
    mq.addEventListener('change', onChange);
    return () => mq.removeEventListener('change', onChange);
  }, []);
  const theme: ResolvedTheme = mode === 'system' ? (osDark ? 'dark' : 'light') : mode;
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  const api = useMemo<ThemeApi>(
    () => ({
      mode,
      theme,
      setMode: (m) => {
        setModeState(m);
        try {
          if (m === 'system') localStorage.removeItem(KEY);
          else localStorage.setItem(KEY, m);
        } catch {
          // Private mode: the choice lasts for this page only.
        }
      },
    }),
    [mode, theme],
  );
  return <ThemeContext.Provider value={api}>{children}</ThemeContext.Provider>;
}
