// The shipped moq_peer.yml sample on a real server: a Node moq-lite client publishes speech over the WebSocket
// fallback at /moq, plays the session's output back, and hears the gain change when the node is tuned.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as Moq from '@moq/lite';
import type { PipelineView } from '@streamkit/pipeline';
import { OpusStreamDecoder } from '@streamkit/pipeline/codecs/opus';
import { installMoqClientEnv } from '@streamkit/moq/testing/client-env';
import { startTestServer, type TestServer } from '../testing/test-server';
import { MoqService } from './moq.service';
import {
  HangPublisher,
  REPO,
  SPEECH,
  db,
  demuxOggOpus,
  publishPaced,
  readHangAudio,
  rms,
  sleep,
  until,
  type ReceivedOpus,
} from '../testing/moq';

installMoqClientEnv();

const SAMPLE = readFileSync(join(REPO, 'samples/pipelines/dynamic/moq_peer.yml'), 'utf8');
const MIXING = readFileSync(join(REPO, 'samples/pipelines/dynamic/moq_mixing.yml'), 'utf8');

describe('moq_peer.yml over the WebSocket fallback', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server.close();
  });

  const api = async <T>(path: string, init: RequestInit = {}): Promise<T> => {
    const res = await fetch(`${server.url}${path}`, {
      ...init,
      headers:
        init.body === undefined ? init.headers : { 'content-type': 'application/json', ...init.headers },
    });
    const body = (await res.json()) as T;
    assert.equal(res.status, 200, `${path}: ${JSON.stringify(body)}`);
    return body;
  };
  /** A session whose peer at /moq/NAME takes `mic`, halves its gain and publishes `back`. */
  const createPeerSession = async (name: string): Promise<string> => {
    const yaml = `mode: dynamic
nodes:
  peer:
    kind: transport::moq::peer
    params: { gateway_path: /moq/${name}, input_broadcast: mic, output_broadcast: back }
    needs: encoder
  decoder: { kind: audio::opus::decoder, params: { channels: 1 }, needs: peer }
  gain: { kind: audio::gain, params: { gain: 0.5 }, needs: decoder }
  encoder: { kind: audio::opus::encoder, needs: gain }
`;
    const created = await api<{ session_id: string }>('/api/v1/sessions', {
      method: 'POST',
      body: JSON.stringify({ name, yaml }),
    });
    return created.session_id;
  };
  const pipeline = (id: string) => api<PipelineView>(`/api/v1/sessions/${id}/pipeline`);

  it('echoes published Opus through the gain, follows a tune within a second, and unregisters on delete', async (t) => {
    const moq = server.app.get(MoqService).moq;
    const { session_id: id } = await api<{ session_id: string }>('/api/v1/sessions', {
      method: 'POST',
      body: JSON.stringify({ name: 'moq-peer', yaml: SAMPLE }),
    });
    const conns: Moq.Connection.Established[] = [];
    const stop = new AbortController();
    let deleted = false;
    try {
      assert.equal(moq.resolve('/moq').registered, true, 'the peer registered its gateway path');
      const url = new URL(`${server.url}/moq`);

      // Play first, so every output frame is seen.
      const sub = await Moq.Connection.connect(url);
      conns.push(sub);
      const received: ReceivedOpus[] = [];
      const output = await readHangAudio(sub, 'output', received);
      assert.deepEqual(output.catalog, {
        audio: {
          renditions: {
            'audio/data': {
              codec: 'opus',
              container: { kind: 'legacy' },
              sampleRate: 48000,
              numberOfChannels: 1,
              bitrate: 64000,
            },
          },
        },
      });
      await until(
        () => (moq.relay.get('moq/output')?.track('audio/data').subscriberCount === 1 ? true : undefined),
        'the output subscription to reach the relay',
      );

      const pub = await Moq.Connection.connect(url);
      conns.push(pub);
      const { packets, channels } = demuxOggOpus(SPEECH);
      const publisher = new HangPublisher(pub, 'input', channels);
      await until(
        () => (publisher.subscribers === 1 ? true : undefined),
        'the peer to subscribe to the input',
      );
      const publishing = publishPaced(publisher, packets, stop.signal);

      // Once audio flows, every node of the sample runs.
      await until(async () => {
        const view = await pipeline(id);
        return Object.values(view.nodes).every((n) => n.state === 'Running') ? true : undefined;
      }, 'every node to be Running');

      await until(() => (received.length >= 100 ? true : undefined), '2 s of output');
      const tunedAt = performance.now();
      const tuned = await api<{
        data?: { tuneNode: { changed: Record<string, unknown> } };
        errors?: unknown;
      }>('/api/v1/graphql', {
        method: 'POST',
        body: JSON.stringify({
          query:
            'mutation($s: String!) { tuneNode(sessionId: $s, nodeId: "gain", params: {gain: 0.25}) { changed } }',
          variables: { s: id },
        }),
      });
      assert.deepEqual(tuned.data?.tuneNode.changed, { gain: 0.25 }, JSON.stringify(tuned.errors));
      const lastIndex = await until(
        () => (received.length > 0 && received.at(-1)!.at - tunedAt > 2500 ? received.length : undefined),
        '2.5 s of output after the tune',
      );
      stop.abort();
      await publishing;

      // Decode the output in timestamp order (one slot per 20 ms) next to the input decoded the same way (mono).
      const outDecoder = new OpusStreamDecoder(1);
      const refDecoder = new OpusStreamDecoder(1);
      const slots = new Map<number, ReceivedOpus>();
      for (const f of received.slice(0, lastIndex)) slots.set(Math.round(f.timestampUs / 20_000), f);
      const maxSlot = Math.max(...slots.keys());
      const out = new Float32Array((maxSlot + 1) * 960);
      const arrival = new Float64Array(maxSlot + 1).fill(Number.NaN);
      for (let s = 0; s <= maxSlot; s++) {
        const f = slots.get(s);
        const pcm = f ? outDecoder.decode(f.payload) : outDecoder.conceal(960);
        out.set(pcm.subarray(0, 960), s * 960);
        if (f) arrival[s] = f.at;
      }
      const ref = new Float32Array(out.length);
      for (let s = 0; s <= maxSlot && s < packets.length; s++) {
        ref.set(refDecoder.decode(packets[s].data).subarray(0, 960), s * 960);
      }
      // Under CPU contention (CI runs two spec files at once on 2 cores) the moq-lite client skips late groups
      // (40 ms each) in favour of newer ones; losing more than half means a broken path, not a slow reader.
      assert.ok(
        slots.size >= maxSlot * 0.5,
        `most of the output arrives (${slots.size} of ${maxSlot + 1} frames)`,
      );

      // Output energy relative to the input's over two spans: before the tune, and from 1 s after it on. Spans of
      // seconds keep the ratio steady when a dropped group shifts the output against the input by 40 ms.
      const span = (include: (slot: number) => boolean): { db: number; frames: number; refRms: number } => {
        let outSum = 0;
        let refSum = 0;
        let frames = 0;
        for (let s = 10; s <= maxSlot; s++) {
          if (Number.isNaN(arrival[s]) || !include(s)) continue;
          outSum += rms(out, s * 960, (s + 1) * 960) ** 2;
          refSum += rms(ref, s * 960, (s + 1) * 960) ** 2;
          frames++;
        }
        return {
          db: db(Math.sqrt(outSum / refSum)),
          frames,
          refRms: Math.sqrt(refSum / Math.max(1, frames)),
        };
      };
      const before = span((s) => arrival[s] < tunedAt);
      const settled = span((s) => arrival[s] > tunedAt + 1000);
      for (const [what, sp] of [
        ['before', before],
        ['after', settled],
      ] as const) {
        assert.ok(sp.frames >= 50, `${what} the tune: ${sp.frames} frames`);
        assert.ok(sp.refRms > 0.01, `${what} the tune: speech in the input (rms ${sp.refRms.toFixed(4)})`);
      }
      t.diagnostic(
        `level vs input: ${before.db.toFixed(2)} dB at gain 1.0, ${settled.db.toFixed(2)} dB from 1 s after tuning to 0.25`,
      );
      assert.ok(Math.abs(before.db) < 2, `gain 1.0 keeps the level: ${before.db.toFixed(1)} dB`);
      assert.ok(
        Math.abs(settled.db + 12) < 2,
        `gain 0.25 is -12 dB a second after the tune: ${settled.db.toFixed(1)} dB`,
      );

      const view = await pipeline(id);
      assert.deepEqual(view.nodes.gain.params, { gain: 0.25 });
      assert.ok(
        (view.nodes.decoder.stats?.received ?? 0) >= lastIndex,
        'the decoder received at least what was played',
      );

      // Deleting the session ends the output for its players and frees the gateway path.
      await api(`/api/v1/sessions/${id}`, { method: 'DELETE' });
      deleted = true;
      const ended = await Promise.race([output.done.then(() => true), sleep(3000).then(() => false)]);
      assert.ok(ended, 'the output track ends when the session is deleted');
      assert.equal(moq.resolve('/moq').registered, false, 'the gateway path is unregistered');
      assert.equal(moq.resolve('/moq/input').registered, false);
      assert.deepEqual(await api<unknown[]>('/api/v1/sessions'), []);
    } finally {
      stop.abort();
      for (const c of conns) c.close();
      if (!deleted) await fetch(`${server.url}/api/v1/sessions/${id}`, { method: 'DELETE' });
    }
  });
  it('keeps the output flowing when the browser re-announces its microphone (session on an engine worker)', async () => {
    // @moq/publish unannounces and re-announces its broadcast on the same connection when the microphone's
    // settings change. Across the worker bridge a closing broadcast's tracks used to end before the worker
    // learnt why, so the peer took the re-announce for a publisher that left, stopped, and the page heard
    // nothing (the Stream e2e flake).
    const id = await createPeerSession('reannounce');
    assert.notEqual((await pipeline(id)).worker, undefined, 'the session runs on an engine worker');
    const url = new URL(`${server.url}/moq/reannounce`);
    const [pubConn, subConn] = await Promise.all([Moq.Connection.connect(url), Moq.Connection.connect(url)]);
    const { packets, channels } = demuxOggOpus(SPEECH);
    let stop = new AbortController();
    let publisher = new HangPublisher(pubConn, 'mic', channels);
    let publishing = publishPaced(publisher, packets, stop.signal);
    try {
      const received: ReceivedOpus[] = [];
      await readHangAudio(subConn, 'back', received);
      await until(() => (received.length >= 25 ? true : undefined), '0.5 s of output');
      // Re-announce: the broadcast ends and comes back on the same connection 60 ms later.
      stop.abort();
      await publishing;
      publisher.close();
      await sleep(60);
      stop = new AbortController();
      publisher = new HangPublisher(pubConn, 'mic', channels);
      publishing = publishPaced(publisher, packets, stop.signal);
      const mark = received.length;
      await until(
        () => (received.length - mark >= 50 ? true : undefined),
        '1 s of output after the re-announce',
      );
      assert.equal((await pipeline(id)).nodes.peer.state, 'Running');
    } finally {
      stop.abort();
      await publishing;
      // Stop the flow before closing: @moq/qmux throws (uncaught) on frames that arrive after its close.
      await fetch(`${server.url}/api/v1/sessions/${id}`, { method: 'DELETE' });
      await sleep(100);
      pubConn.close();
      subConn.close();
    }
  });
  it('a reloaded page takes the microphone path over from its old, still-open connection', async () => {
    // A browser that reloads (or whose page was closed without a goodbye) leaves a connection the server only
    // drops at the idle timeout; the new page's broadcast at the same path must not be refused meanwhile.
    const id = await createPeerSession('takeover');
    const url = new URL(`${server.url}/moq/takeover`);
    const [stale, subConn] = await Promise.all([Moq.Connection.connect(url), Moq.Connection.connect(url)]);
    const { packets, channels } = demuxOggOpus(SPEECH);
    let stop = new AbortController();
    let publishing = publishPaced(new HangPublisher(stale, 'mic', channels), packets, stop.signal);
    let fresh: Moq.Connection.Established | undefined;
    try {
      const received: ReceivedOpus[] = [];
      await readHangAudio(subConn, 'back', received);
      await until(() => (received.length >= 25 ? true : undefined), '0.5 s of output');
      // The old page goes quiet without closing its connection; the reloaded one publishes the same path.
      stop.abort();
      await publishing;
      fresh = await Moq.Connection.connect(url);
      stop = new AbortController();
      publishing = publishPaced(new HangPublisher(fresh, 'mic', channels), packets, stop.signal);
      const mark = received.length;
      await until(() => (received.length - mark >= 50 ? true : undefined), '1 s of output from the new page');
      assert.equal((await pipeline(id)).nodes.peer.state, 'Running');
    } finally {
      stop.abort();
      await publishing;
      await fetch(`${server.url}/api/v1/sessions/${id}`, { method: 'DELETE' });
      await sleep(100);
      for (const c of [stale, subConn, fresh]) c?.close();
    }
  });
  it('moq_mixing.yml plays the music through the clocked mixer before anyone publishes', async () => {
    const { session_id: id } = await api<{ session_id: string }>('/api/v1/sessions', {
      method: 'POST',
      body: JSON.stringify({ name: 'moq-mixing', yaml: MIXING }),
    });
    const conn = await Moq.Connection.connect(new URL(`${server.url}/moq/mixing/output`));
    try {
      const received: ReceivedOpus[] = [];
      const output = await readHangAudio(conn, 'output', received);
      assert.equal(
        (output.catalog as { audio: { renditions: Record<string, { numberOfChannels: number }> } }).audio
          .renditions['audio/data'].numberOfChannels,
        2,
      );
      await until(() => (received.length >= 75 ? true : undefined), '1.5 s of the mix');
      const decoder = new OpusStreamDecoder(2);
      const pcm = received.slice(25, 75).map((f) => decoder.decode(f.payload));
      const level = Math.sqrt(pcm.reduce((sum, p) => sum + rms(p) ** 2, 0) / pcm.length);
      // The music opens around -32 dBFS; at gain 0.15 that is about -48 dBFS (rms 0.004), far above silence.
      assert.ok(level > 0.001 && level < 0.02, `the music at gain 0.15 is audible: rms ${level.toFixed(4)}`);
      const view = await pipeline(id);
      // No microphone yet: the clocked mixer runs, possibly Degraded for the silent `in_0`, never Failed.
      assert.match(JSON.stringify(view.nodes.mixer.state), /^"Running"$|Degraded/);
    } finally {
      // Stop the flow before closing: @moq/qmux throws (uncaught) on frames that arrive after its close.
      await fetch(`${server.url}/api/v1/sessions/${id}`, { method: 'DELETE' });
      await sleep(100);
      conn.close();
    }
  });
});
