import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { MemoryRouter } from 'react-router-dom';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AppRoutes } from '../app';
import { ThemeProvider } from '../components/theme';
import { ToastProvider } from '../components/toasts';
import type { PermissionsResponse } from '../api/types';
import { StaticAppDataProvider } from '../state/app-data';
import { DesignProvider, initialDesignState } from '../state/design';
import { adminPermissions, appData, viewerPermissions } from '../testing/fixtures';
import { emptyGraph } from '../lib/graph';

const samples = [
  {
    id: 'oneshot/double_volume',
    name: 'Volume Boost',
    description: 'x2',
    yaml: 'mode: oneshot\nsteps:\n  - kind: streamkit::http_input\n  - kind: streamkit::http_output\n',
    is_system: true,
    mode: 'oneshot',
    is_fragment: false,
  },
  {
    id: 'user/mine',
    name: 'Mine',
    description: '',
    yaml: 'mode: oneshot\nnodes: {}\n',
    is_system: false,
    mode: 'oneshot',
    is_fragment: false,
  },
];
const assets = [
  {
    id: 'tone.wav',
    name: 'tone',
    path: 'samples/audio/system/tone.wav',
    format: 'wav',
    size_bytes: 1000,
    is_system: true,
  },
  {
    id: 'mine.ogg',
    name: 'mine',
    path: 'samples/audio/user/mine.ogg',
    format: 'ogg',
    size_bytes: 2000,
    is_system: false,
  },
];

beforeEach(() => {
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string) => {
      const body = url.includes('/samples/') ? samples : url.includes('/assets/audio') ? assets : [];
      return new Response(JSON.stringify(body), {
        status: 200,
        headers: { 'content-type': 'application/json' },
      });
    }),
  );
});
afterEach(() => vi.unstubAllGlobals());

function renderAt(path: string, perms: PermissionsResponse, mode: 'oneshot' | 'dynamic' = 'dynamic') {
  const state = initialDesignState(null);
  state.mode = mode;
  state.graphs[mode] = {
    ...emptyGraph(mode),
    nodes: [{ id: 'gain', kind: 'audio::gain', params: {}, position: { x: 0, y: 0 } }],
  };
  return render(
    <ThemeProvider>
      <ToastProvider>
        <StaticAppDataProvider value={appData(perms)}>
          <DesignProvider initial={state}>
            <MemoryRouter initialEntries={[path]}>
              <AppRoutes />
            </MemoryRouter>
          </DesignProvider>
        </StaticAppDataProvider>
      </ToastProvider>
    </ThemeProvider>,
  );
}

describe('permission gating', () => {
  it('shows Create session to a role with create_sessions', async () => {
    renderAt('/design', adminPermissions);
    expect(await screen.findByTestId('design-view', {}, { timeout: 5000 })).toBeTruthy();
    expect(screen.getByTestId('create-session')).toBeTruthy();
  });

  it('hides Create session and Run from a role without create_sessions', async () => {
    renderAt('/design', viewerPermissions);
    await screen.findByTestId('design-view', {}, { timeout: 5000 });
    expect(screen.queryByTestId('create-session')).toBeNull();
    fireEvent.click(screen.getByTestId('mode-oneshot'));
    expect(screen.queryByTestId('run-pipeline')).toBeNull();
  });

  it('hides sample saving and deleting without write/delete permissions', async () => {
    renderAt('/design', viewerPermissions, 'oneshot');
    await screen.findByTestId('design-view', {}, { timeout: 5000 });
    fireEvent.click(screen.getByTestId('samples-tab'));
    await waitFor(() => expect(screen.getAllByTestId('sample-card')).toHaveLength(2));
    expect(screen.queryByTestId('save-sample')).toBeNull();
    expect(screen.queryByTestId('sample-delete')).toBeNull();
  });

  it('offers saving and deleting user samples to a role that may', async () => {
    renderAt('/design', adminPermissions, 'oneshot');
    await screen.findByTestId('design-view', {}, { timeout: 5000 });
    fireEvent.click(screen.getByTestId('samples-tab'));
    await waitFor(() => expect(screen.getAllByTestId('sample-card')).toHaveLength(2));
    expect(screen.getByTestId('save-sample')).toBeTruthy();
    // Only the user sample can be deleted; the system card holds exactly one button (load).
    expect(screen.getAllByTestId('sample-delete')).toHaveLength(1);
    expect(screen.getAllByTestId('sample-card')[0].querySelectorAll('button')).toHaveLength(1);
  });

  it('gates asset upload and delete', async () => {
    renderAt('/design', viewerPermissions);
    fireEvent.click(await screen.findByTestId('assets-tab', {}, { timeout: 5000 }));
    await waitFor(() => expect(screen.getAllByTestId('asset-item')).toHaveLength(2));
    expect(screen.queryByTestId('asset-upload')).toBeNull();
    expect(screen.queryByTestId('asset-delete')).toBeNull();
  });

  it('shows asset upload and delete (user assets only) when allowed', async () => {
    renderAt('/design', adminPermissions);
    fireEvent.click(await screen.findByTestId('assets-tab', {}, { timeout: 5000 }));
    await waitFor(() => expect(screen.getAllByTestId('asset-item')).toHaveLength(2));
    expect(screen.getByTestId('asset-upload')).toBeTruthy();
    expect(screen.getAllByTestId('asset-delete')).toHaveLength(1);
  });

  it('disables Convert runs and explains why without create_sessions', async () => {
    renderAt('/convert', viewerPermissions);
    expect(await screen.findByTestId('convert-denied', {}, { timeout: 5000 })).toBeTruthy();
    await waitFor(() => expect(screen.getAllByTestId('convert-source').length).toBeGreaterThan(0));
    expect((screen.getByTestId('convert-run') as HTMLButtonElement).disabled).toBe(true);
  });

  it('lets a permitted role run once an input is chosen', async () => {
    renderAt('/convert', adminPermissions);
    await waitFor(() => expect(screen.getAllByTestId('convert-source').length).toBeGreaterThan(0));
    const run = screen.getByTestId('convert-run') as HTMLButtonElement;
    expect(run.disabled).toBe(true);
    const input = (await screen.findByTestId(
      'convert-upload-input',
      {},
      { timeout: 5000 },
    )) as HTMLInputElement;
    await act(async () => {
      fireEvent.change(input, { target: { files: [new File(['OggS'], 'a.ogg', { type: 'audio/ogg' })] } });
    });
    expect(screen.getByTestId('convert-file').textContent).toContain('a.ogg');
    expect(run.disabled).toBe(false);
  });
});
