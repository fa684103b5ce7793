// A lean moq-lite subscriber speaking the WebSocket framing directly (lite-02 via SETUP): used where many
// subscribers must not cost more than the relay they measure (benchmarks, framing tests).
import { WebSocket } from 'ws';
import {
  StreamType,
  Version,
  decodeGroupHeader,
  encodeClientSetup,
  encodeSubscribe,
} from '../protocol/messages';
import { ByteReader, ByteWriter, ShortBufferError } from '../protocol/varint';

export interface RawFrameEvent {
  subscribe: number;
  group: number;
  payload: Uint8Array;
}

interface GroupState {
  buf: Uint8Array;
  subscribe: number;
  group: number;
  headerDone: boolean;
}

export class RawMoqClient {
  /** Every WebSocket message the server sent, by size (framing tests look at it). */
  readonly messageSizes: number[] = [];
  recordSizes = false;
  private readonly groups = new Map<number, GroupState>();
  private readonly handlers = new Map<number, (e: RawFrameEvent) => void>();
  private nextBidi = 0;
  private nextSubscribe = 0;
  private readonly reader = new ByteReader();
  readonly closed: Promise<void>;

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => this.onMessage(data));
    this.closed = new Promise((resolve) => ws.once('close', () => resolve()));
  }

  /** Connects and negotiates lite-02; resolves once the server answered SETUP. */
  static async connect(url: string): Promise<RawMoqClient> {
    const ws = new WebSocket(url, ['webtransport']);
    const client = new RawMoqClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const setupId = client.openBidi();
    const answered = new Promise<void>((resolve) => client.handlers.set(-1 - setupId, () => resolve()));
    client.sendStream(
      setupId,
      encodeClientSetup({ versions: [Version.LITE_02], parameters: new Map() }),
      false,
    );
    const closedEarly = client.closed.then(() => {
      throw new Error('connection closed before SETUP was answered');
    });
    await Promise.race([answered, closedEarly]);
    closedEarly.catch(() => undefined);
    return client;
  }

  private openBidi(): number {
    return this.nextBidi++ * 4;
  }

  private sendStream(id: number, data: Uint8Array, fin: boolean): void {
    const w = new ByteWriter(data.length + 10)
      .u8(fin ? 0x09 : 0x08)
      .varint(id)
      .bytes(data);
    this.ws.send(w.finish());
  }

  /** Subscribes to `broadcast`/`track`; `onFrame` sees every frame of every group. Returns the subscribe id. */
  subscribe(broadcast: string, track: string, onFrame: (e: RawFrameEvent) => void): number {
    const id = this.nextSubscribe++;
    this.handlers.set(id, onFrame);
    const body = encodeSubscribe(
      { id, broadcast, track, priority: 0, ordered: true, maxLatency: 0 },
      Version.LITE_02,
    );
    const stream = this.openBidi();
    this.sendStream(stream, new ByteWriter().varint(StreamType.Subscribe).bytes(body).finish(), false);
    return id;
  }

  close(): void {
    this.ws.close();
  }

  private onMessage(data: Buffer): void {
    if (this.recordSizes) this.messageSizes.push(data.length);
    const r = this.reader.reset(data);
    const type = r.u8();
    if (type !== 0x08 && type !== 0x09) return;
    const id = r.varint();
    const payload = data.subarray(r.pos);
    if (id % 4 === 0) {
      // Answer on one of our bidi streams: the SETUP stream resolves its waiter on first data.
      const waiter = this.handlers.get(-1 - id);
      if (waiter && payload.length > 0) {
        this.handlers.delete(-1 - id);
        waiter({ subscribe: -1, group: -1, payload });
      }
      return;
    }
    if (id % 4 !== 3) return;
    let g = this.groups.get(id);
    if (!g) {
      g = { buf: payload, subscribe: -1, group: -1, headerDone: false };
      this.groups.set(id, g);
    } else if (g.buf.length === 0) g.buf = payload;
    else g.buf = Buffer.concat([g.buf, payload]);
    this.drain(g);
    if (type === 0x09) this.groups.delete(id);
  }

  private drain(g: GroupState): void {
    const r = new ByteReader(g.buf);
    let committed = 0;
    try {
      while (r.remaining > 0) {
        if (!g.headerDone) {
          if (r.u8() !== 0) throw new Error('not a group stream');
          const header = decodeGroupHeader(r.bytes(r.varint()));
          g.subscribe = header.subscribe;
          g.group = header.sequence;
          g.headerDone = true;
        } else {
          const payload = r.bytes(r.varint());
          this.handlers.get(g.subscribe)?.({ subscribe: g.subscribe, group: g.group, payload });
        }
        committed = r.pos;
      }
    } catch (err) {
      if (!(err instanceof ShortBufferError)) throw err;
    }
    g.buf = g.buf.subarray(committed);
  }
}
