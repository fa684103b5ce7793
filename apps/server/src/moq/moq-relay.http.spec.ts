// Two real servers: A publishes a paced Ogg Opus file into its own relay with transport::moq::publisher, and B
// plays it with transport::moq::subscriber over the WebSocket fallback, decoding non-silent audio.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { PipelineView, SessionEvent } from '@streamkit/pipeline';
import { installMoqClientEnv } from '@streamkit/moq/testing/client-env';
import { SessionsService } from '../sessions/sessions.service';
import { startTestServer, type TestServer } from '../testing/test-server';
import { MoqService } from './moq.service';
import { REPO, SPEECH, sleep, until } from '../testing/moq';

installMoqClientEnv();

const publisherYaml = (gateway: string) => `
mode: dynamic
nodes:
  reader:
    kind: core::file_reader
    params:
      path: ${SPEECH}
  demuxer:
    kind: containers::ogg::demuxer
    needs: reader
  pacer:
    kind: core::pacer
    needs: demuxer
  publisher:
    kind: transport::moq::publisher
    params:
      url: ${gateway}
      broadcast: live
      channels: 2
    needs: pacer
`;

const subscriberYaml = (gateway: string) => `
mode: dynamic
nodes:
  subscriber:
    kind: transport::moq::subscriber
    params:
      url: ${gateway}
      broadcast: live
  decoder:
    kind: audio::opus::decoder
    needs: subscriber
  tap:
    kind: core::telemetry_tap
    params:
      packet_types: [Audio]
      audio_sample_interval_ms: 200
    needs: decoder
  sink:
    kind: core::sink
    needs: tap
`;

describe('transport::moq::publisher on server A, transport::moq::subscriber on server B', () => {
  let a: TestServer;
  let b: TestServer;
  before(async () => {
    const config = { security: { allowed_file_paths: [`${REPO}/samples/**`] } };
    [a, b] = await Promise.all([startTestServer({ config }), startTestServer({ config })]);
  });
  after(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  const create = async (server: TestServer, name: string, yaml: string): Promise<string> => {
    const res = await fetch(`${server.url}/api/v1/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name, yaml }),
    });
    const body = (await res.json()) as { session_id: string };
    assert.equal(res.status, 200, JSON.stringify(body));
    return body.session_id;
  };
  const stateOf = async (server: TestServer, id: string, node: string): Promise<unknown> => {
    const res = await fetch(`${server.url}/api/v1/sessions/${id}/pipeline`);
    return ((await res.json()) as PipelineView).nodes[node]?.state;
  };

  it('B plays the audio A publishes into its own relay, and waits for it while it is missing', async () => {
    const gateway = `${a.url}/moq`;
    const levels: number[] = [];
    const unsubscribe = b.app.get(SessionsService).onEvent((event: SessionEvent) => {
      if (event.type === 'node_telemetry' && event.node_id === 'tap' && typeof event.data.rms === 'number') {
        levels.push(event.data.rms);
      }
    });
    const ids: [TestServer, string][] = [];
    try {
      // B first: its subscriber connects to A and waits for the broadcast without failing or stopping.
      const subId = await create(b, 'moq-subscriber', subscriberYaml(gateway));
      ids.push([b, subId]);
      await sleep(700);
      const waiting = JSON.stringify(await stateOf(b, subId, 'subscriber'));
      assert.match(
        waiting,
        /Recovering.*waiting_for_broadcast/,
        `subscriber state while the broadcast is missing: ${waiting}`,
      );
      assert.equal(levels.length, 0);

      const pubId = await create(a, 'moq-publisher', publisherYaml(gateway));
      ids.push([a, pubId]);
      await until(
        async () => ((await stateOf(a, pubId, 'publisher')) === 'Running' ? true : undefined),
        'the publisher to run',
      );
      await until(
        () => a.app.get(MoqService).moq.relay.get('moq/live'),
        "A's relay to hold broadcast moq/live",
      );
      await until(
        async () => ((await stateOf(b, subId, 'subscriber')) === 'Running' ? true : undefined),
        'the subscriber to run',
      );
      const loud = await until(
        () => levels.find((rms) => rms > 0.01),
        'a non-silent audio level on B',
        10_000,
      );
      assert.ok(loud > 0.01 && loud < 1, `speech level ${loud}`);
      const stats = await until(async () => {
        const res = await fetch(`${b.url}/api/v1/sessions/${subId}/pipeline`);
        const decoder = ((await res.json()) as PipelineView).nodes.decoder.stats;
        return decoder && decoder.received > 10 ? decoder : undefined;
      }, "B's decoder stats to count packets from A");
      assert.equal(stats.errored, 0);
    } finally {
      unsubscribe();
      for (const [server, id] of ids.reverse()) {
        await fetch(`${server.url}/api/v1/sessions/${id}`, { method: 'DELETE' });
      }
    }
  });
});
