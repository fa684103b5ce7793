// The WebSocket transport against a raw `ws` client speaking the `webtransport` framing byte by byte.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import { ByteReader, ByteWriter } from '../protocol/varint';
import {
  MAX_STREAM_PAYLOAD,
  acceptWebSocketTransport,
  selectWebTransportSubprotocol,
  type WebSocketTransport,
} from './websocket';

interface Frame {
  type: number;
  id: number;
  rest: Buffer;
}

function parse(data: Buffer): Frame {
  const r = new ByteReader(data);
  const type = r.u8();
  const id = r.varint();
  return { type, id, rest: data.subarray(r.pos) };
}

function frame(type: number, id: number, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  return new ByteWriter().u8(type).varint(id).bytes(payload).finish();
}

describe('WebSocket transport (webtransport framing, server role)', () => {
  let wss: WebSocketServer;
  let url: string;
  const accepted: WebSocketTransport[] = [];
  let waiters: ((t: WebSocketTransport) => void)[] = [];

  before(async () => {
    wss = new WebSocketServer({
      port: 0,
      host: '127.0.0.1',
      handleProtocols: (p) => selectWebTransportSubprotocol(p),
    });
    wss.on('connection', (ws) => {
      const t = acceptWebSocketTransport(ws, { highWaterMark: 4096 });
      accepted.push(t);
      const w = waiters;
      waiters = [];
      for (const f of w) f(t);
    });
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/moq`;
  });

  after(async () => {
    for (const t of accepted) t.close();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  });

  async function connect(): Promise<{
    ws: WebSocket;
    transport: WebSocketTransport;
    frames: Frame[];
    next(): Promise<Frame>;
  }> {
    const transportP = new Promise<WebSocketTransport>((resolve) => waiters.push(resolve));
    const ws = new WebSocket(url, ['qmux-00', 'webtransport']);
    const frames: Frame[] = [];
    let wake: (() => void) | undefined;
    ws.on('message', (d: Buffer) => {
      frames.push(parse(d));
      wake?.();
    });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    assert.equal(ws.protocol, 'webtransport');
    const transport = await transportP;
    let read = 0;
    const next = async (): Promise<Frame> => {
      while (read >= frames.length) await new Promise<void>((r) => (wake = r));
      return frames[read++];
    };
    return { ws, transport, frames, next };
  }

  it('splits STREAM payloads at 16,360 bytes on server-initiated unidirectional streams, then FIN', async () => {
    const { ws, transport, next } = await connect();
    assert.equal(transport.protocol, '');
    const writable = await transport.createUnidirectionalStream();
    const writer = writable.getWriter();
    const data = new Uint8Array(40_000).map((_, i) => i & 0xff);
    await writer.write(data);
    await writer.close();
    const parts: Frame[] = [await next(), await next(), await next()];
    assert.deepEqual(
      parts.map((f) => f.rest.length),
      [MAX_STREAM_PAYLOAD, MAX_STREAM_PAYLOAD, 40_000 - 2 * MAX_STREAM_PAYLOAD],
    );
    for (const f of parts) {
      assert.equal(f.type, 0x08);
      assert.equal(f.id, 3, 'first server-initiated uni stream id (bits: server=1, uni=2)');
    }
    assert.deepEqual(Buffer.concat(parts.map((f) => f.rest)), Buffer.from(data));
    const fin = await next();
    assert.deepEqual([fin.type, fin.id, fin.rest.length], [0x09, 3, 0]);
    ws.close();
  });

  it('delivers client bidirectional streams in order and answers on the same stream id', async () => {
    const { ws, transport, next } = await connect();
    ws.send(frame(0x08, 0, Buffer.from('hel')));
    ws.send(frame(0x08, 0, Buffer.from('lo')));
    ws.send(frame(0x09, 0, Buffer.from('!')));
    const reader = transport.incomingBidirectionalStreams.getReader();
    const { value: stream } = await reader.read();
    assert.ok(stream);
    const chunks: string[] = [];
    const r = stream.readable.getReader();
    for (;;) {
      const { done, value } = await r.read();
      if (done) break;
      chunks.push(Buffer.from(value).toString());
    }
    assert.equal(chunks.join(''), 'hello!');
    const w = stream.writable.getWriter();
    await w.write(Buffer.from('ok'));
    await w.close();
    const answer = await next();
    assert.deepEqual([answer.type, answer.id, answer.rest.toString()], [0x08, 0, 'ok']);
    assert.deepEqual([(await next()).type], [0x09]);
    ws.close();
  });

  it('maps RESET_STREAM to a reader error and STOP_SENDING to a RESET_STREAM reply', async () => {
    const { ws, transport, next } = await connect();
    ws.send(frame(0x08, 2, Buffer.from('x')));
    const uni = await transport.incomingUnidirectionalStreams.getReader().read();
    assert.ok(uni.value);
    const reader = uni.value.getReader();
    assert.equal(Buffer.from((await reader.read()).value ?? []).toString(), 'x');
    ws.send(new ByteWriter().u8(0x04).varint(2).varint(7).finish());
    await assert.rejects(reader.read(), /RESET_STREAM: 7/);

    const send = transport.openUniSend();
    send.write(Buffer.from('a'));
    assert.equal((await next()).id, 3);
    ws.send(new ByteWriter().u8(0x05).varint(3).varint(9).finish());
    await send.done;
    const reset = await next();
    assert.equal(reset.type, 0x04);
    assert.equal(reset.id, 3);
    assert.equal(new ByteReader(reset.rest).varint(), 9);
    ws.close();
  });

  it('resolves closed with the APPLICATION_CLOSE code and reason', async () => {
    const { ws, transport } = await connect();
    ws.send(new ByteWriter().u8(0x1d).varint(42).bytes(Buffer.from('bye')).finish());
    assert.deepEqual(await transport.closed, { closeCode: 42, reason: 'bye' });
    assert.throws(() => transport.openUniSend(), /closed/);
  });

  it('applies backpressure to WHATWG writers above the high-water mark and keeps order', async () => {
    const { ws, transport, frames } = await connect();
    const writer = (await transport.createUnidirectionalStream()).getWriter();
    const chunk = new Uint8Array(10_000);
    for (let i = 0; i < 40; i++) {
      chunk[0] = i;
      await writer.write(chunk.slice());
      assert.ok(transport.bufferedAmount <= 4096 + 2 * 10_016, `buffered ${transport.bufferedAmount}`);
    }
    await writer.close();
    while (frames.length < 41) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(
      frames.slice(0, 40).map((f) => f.rest[0]),
      Array.from({ length: 40 }, (_, i) => i),
    );
    ws.close();
  });

  it('closes the session on text messages (protocol violation)', async () => {
    const { ws, transport } = await connect();
    ws.send('not binary');
    const info = await transport.closed;
    assert.match(info.reason, /protocol violation/);
  });

  it('accepts only the webtransport subprotocol', () => {
    assert.equal(selectWebTransportSubprotocol(['qmux-00', 'webtransport']), 'webtransport');
    assert.equal(selectWebTransportSubprotocol(['qmux-00']), false);
    assert.equal(
      selectWebTransportSubprotocol(['webtransport.moq-lite-03', 'webtransport.moq-lite-04']),
      'webtransport.moq-lite-04',
    );
    assert.equal(selectWebTransportSubprotocol(['webtransport.moq-lite-04', 'webtransport']), 'webtransport');
  });
});
