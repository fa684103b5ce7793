// What the Monitor specs share: live pipelines, sessions created through the API (deleted after each
// test), the REST view of a session's pipeline, and opening a session or staging a node in the UI.
import type { APIRequestContext, Page } from '@playwright/test';
import { expect } from './helpers';

// A 10-minute file played at real time (the pacer) keeps every node Running for the whole test.
export const LIVE_YAML = `mode: dynamic
nodes:
  reader:
    kind: core::file_reader
    params: { path: samples/audio/system/speech_10m_mono.opus.ogg }
  demux:
    kind: containers::ogg::demuxer
    needs: reader
  decode:
    kind: audio::opus::decoder
    needs: demux
  pace:
    kind: core::pacer
    needs: decode
  gain:
    kind: audio::gain
    params: { gain: 1.0 }
    needs: pace
  sink:
    kind: core::sink
    needs: gain
`;

/** LIVE_YAML plus a branch that fails at once: a WAV file fed to the Ogg demuxer (`bad_demux`). */
export const FAILING_YAML = `${LIVE_YAML}  bad_reader:
    kind: core::file_reader
    params: { path: samples/audio/system/speech_en_48k_stereo.wav }
  bad_demux:
    kind: containers::ogg::demuxer
    needs: bad_reader
`;

export interface RestPipeline {
  nodes: Record<string, { kind: string; params: Record<string, unknown> }>;
  connections: { from_node: string; to_node: string }[];
}

/** Sessions a test created, deleted by `deleteCreated` after it. */
const created: string[] = [];

export async function createSession(
  request: APIRequestContext,
  name: string,
  yaml: string = LIVE_YAML,
): Promise<string> {
  const res = await request.post('/api/v1/sessions', { data: { name, yaml } });
  expect(res.ok(), await res.text()).toBe(true);
  const id = ((await res.json()) as { session_id: string }).session_id;
  created.push(id);
  return id;
}

export async function deleteCreated(request: APIRequestContext): Promise<void> {
  for (const id of created.splice(0)) await request.delete(`/api/v1/sessions/${id}`).catch(() => undefined);
}

export async function restPipeline(request: APIRequestContext, id: string): Promise<RestPipeline> {
  const res = await request.get(`/api/v1/sessions/${id}/pipeline`);
  expect(res.ok()).toBe(true);
  return (await res.json()) as RestPipeline;
}

export async function openMonitor(page: Page): Promise<void> {
  await page.goto('/monitor');
  await expect(page.getByTestId('monitor-view')).toBeVisible();
  await expect(page.getByTestId('connection-status')).toHaveText('live');
}

export async function openSession(page: Page, name: string): Promise<void> {
  const item = page.getByTestId('session-item').filter({ hasText: name });
  await expect(item).toBeVisible();
  await item.locator('.session-select').click();
  await expect(page.getByTestId('monitor-node-gain')).toBeVisible();
}

/**
 * Drags `kind` from the palette onto the canvas of a session in staging (with no node staged yet), as a
 * user adds a node; returns the id the UI gave it, which the inspector opens on.
 */
export async function stageFromPalette(page: Page, kind: string): Promise<string> {
  const staged = page.locator('[data-testid^="monitor-node-"][data-state="Staged"]');
  await expect(staged).toHaveCount(0);
  await expect(page.getByTestId('node-palette')).toBeVisible();
  const item = page.getByTestId(`palette-node-${kind}`);
  await item.scrollIntoViewIfNeeded();
  await item.dragTo(page.getByTestId('monitor-canvas'), { targetPosition: { x: 60, y: 60 } });
  await expect(staged).toHaveCount(1);
  const id = ((await staged.getAttribute('data-testid')) ?? '').replace('monitor-node-', '');
  await expect(page.getByTestId('monitor-inspector-id')).toHaveText(id);
  return id;
}
