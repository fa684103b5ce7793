import assert from 'node:assert/strict';
import { test } from 'node:test';
import { opusPacketSamples } from '../../codecs/ogg/opus-toc';
import { ffmpegDecodeF32, fixturePath, snrDb } from '../../codecs/dsp/reference-tools';
import type { AudioPacket, OpusPacket, Packet } from '../../core/packets';
import { collectNodeOutputs } from '../../testing';
import { opusDecoderNode } from './opus-decoder';
import { opusEncoderNode } from './opus-encoder';
import { concatAudio, constFrame, toPackets } from '../../testing/audio';

const source = ffmpegDecodeF32(fixturePath('speech_en_48k_stereo.wav')).subarray(0, 48000 * 2 * 4);

async function encode(input: Packet[], params: Record<string, unknown> = {}): Promise<OpusPacket[]> {
  const r = await collectNodeOutputs(opusEncoderNode, { bitrate: 96000, ...params }, input);
  assert.deepEqual(r.states.at(-1), { Stopped: { reason: 'input_closed' } });
  return r.packets as OpusPacket[];
}

test('encoder: odd input blocks become exact 20 ms packets with real timestamps; last marks the end trim', async () => {
  const packets = await encode(toPackets(source, 2, 48000, 333));
  const n = source.length / 2;
  assert.equal(packets.length, Math.ceil((n + 312) / 960));
  assert.ok(packets.every((p) => p.kind === 'opus' && opusPacketSamples(p.data) === 960));
  packets.forEach((p, i) => {
    assert.equal(p.meta?.timestampUs, i * 20000);
    assert.equal(p.meta?.sequence, i);
  });
  const total = packets.reduce((s, p) => s + (p.meta?.durationUs ?? 0), 0);
  assert.equal(Math.round((total * 48) / 1000), n + 312, 'durations add up to input + pre-skip');
  assert.ok((packets.at(-1)?.meta?.durationUs ?? 0) < 20000);
});

test('encoder -> decoder: stereo stays stereo, exact length, aligned (pre-skip trimmed)', async () => {
  const packets = await encode(toPackets(source, 2, 48000, 960));
  const r = await collectNodeOutputs(opusDecoderNode, {}, packets);
  const out = r.packets as AudioPacket[];
  assert.ok(out.every((p) => p.channels === 2 && p.sampleRate === 48000));
  const pcm = concatAudio(out);
  assert.equal(pcm.length, source.length);
  const snr = snrDb(source, pcm);
  assert.ok(snr > 15, `SNR ${snr.toFixed(1)} dB`);
  assert.equal(out[0].meta?.timestampUs, 0);
  assert.equal(out[1].meta?.timestampUs, 13500, 'first frame is 960 - 312 samples');
});

test('decoder conceals a lost packet (timestamp gap) with PLC and keeps the timeline', async () => {
  const packets = await encode(toPackets(source, 2, 48000, 960));
  const lossy = packets.filter((_, i) => i !== 40);
  const r = await collectNodeOutputs(opusDecoderNode, {}, lossy);
  const pcm = concatAudio(r.packets);
  assert.equal(pcm.length, source.length, 'the gap is filled, not skipped');
  const at = (40 * 960 - 312) * 2;
  const lost = pcm.subarray(at, at + 1920);
  assert.ok(
    lost.some((v) => v !== 0),
    'concealment is not silence',
  );
  assert.ok(r.telemetry.some((e) => e.data.event_type === 'opus.concealed'));
  const times = r.packets.map((p) => p.meta?.timestampUs ?? -1);
  for (let i = 1; i < times.length; i++) assert.ok(times[i] > times[i - 1]);
});

test('decoder: an empty packet is concealed, sequence gaps without timestamps too', async () => {
  const packets = (await encode([constFrame(0.2, 960 * 10, 1)])).map((p) => ({
    ...p,
    meta: { sequence: p.meta?.sequence },
  }));
  packets[3] = { kind: 'opus', data: new Uint8Array(0), meta: { sequence: 3 } };
  const withGap = packets.filter((_, i) => i !== 6);
  const r = await collectNodeOutputs(opusDecoderNode, { pre_skip: 0 }, withGap);
  assert.equal(r.stats.errored, 0);
  assert.equal(concatAudio(r.packets).length, packets.length * 960);
  assert.ok(r.packets.every((p) => (p as AudioPacket).channels === 1));
});

test('decoder honours an in-band OpusHead (channels, pre-skip) and skips OpusTags', async () => {
  const packets = await encode([constFrame(0.1, 4800, 1)]);
  const head = Uint8Array.from([...Buffer.from('OpusHead'), 1, 2, 100, 0, 0x80, 0xbb, 0, 0, 0, 0, 0]);
  const tags = Uint8Array.from([...Buffer.from('OpusTags'), 0, 0, 0, 0, 0, 0, 0, 0]);
  const noTs = packets.map((p) => ({ kind: 'opus' as const, data: p.data }));
  const r = await collectNodeOutputs(opusDecoderNode, {}, [
    { kind: 'opus', data: head },
    { kind: 'opus', data: tags },
    ...noTs,
  ]);
  const out = r.packets as AudioPacket[];
  assert.ok(out.every((p) => p.channels === 2));
  assert.equal(concatAudio(out).length / 2, noTs.length * 960 - 100);
});

test('encoder refuses a rate other than 48 kHz with what to do; params are checked', async () => {
  const r = await collectNodeOutputs(opusEncoderNode, {}, [constFrame(0.1, 882, 1, 44100)]);
  const reason = (r.states.at(-1) as { Failed: { reason: string } }).Failed.reason;
  assert.match(reason, /44100 Hz.*48000 Hz.*audio::resampler/);
  await assert.rejects(collectNodeOutputs(opusEncoderNode, { bitrate: 64500 }, []), /bitrate/);
  await assert.rejects(collectNodeOutputs(opusEncoderNode, { bitrate: 1000 }, []), /bitrate/);
  await assert.rejects(collectNodeOutputs(opusEncoderNode, { application: 'music' }, []), /application/);
  await assert.rejects(collectNodeOutputs(opusEncoderNode, { complexity: 11 }, []), /complexity/);
});

test('encoder: frame_size_ms 60 and a mono -> stereo switch keep one timeline', async () => {
  const packets = await encode([constFrame(0.1, 2880 * 2, 1), constFrame(0.1, 2880 * 2, 2)], {
    frame_size_ms: 60,
  });
  assert.ok(packets.every((p) => opusPacketSamples(p.data) === 2880));
  const ts = packets.map((p) => p.meta?.timestampUs ?? -1);
  for (let i = 1; i < ts.length; i++) assert.ok(ts[i] > ts[i - 1]);
  assert.equal(
    packets.at(-1)?.data[0] !== undefined && (packets.at(-1)!.data[0] & 4) !== 0,
    true,
    'ends stereo',
  );
});
