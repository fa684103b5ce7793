// The extended CONNECT (RFC 9220) that opens the WebTransport session of an H3Connection: a server reads the
// request, asks the application and answers it; a client sends one and reads the answer. Then the CONNECT stream
// carries capsules, and its end (or CLOSE_WEBTRANSPORT_SESSION) ends the session.
import type { QuicSendStream } from '../quic/send-stream';
import {
  Capsule,
  encodeFrame,
  FrameType,
  H3ConnectionError,
  H3Error,
  isGrease,
  RESERVED_H2_FRAMES,
  TlvReader,
} from './frames';
import { decodeFieldSection, encodeFieldSection, type HeaderField } from './qpack';
import type {
  H3ClientRequest,
  H3ServerHooks,
  StreamRole,
  WebTransportDecision,
  WebTransportRequest,
} from './types';
import { Http3WebTransportSession, type WtSessionOwner } from './wt-session';

const CAPSULE_LIMIT = 4096;

/** Parses a structured-field list of strings (`"a", "b"`), as `wt-available-protocols` carries. */
export function parseProtocolList(value: string | undefined): string[] {
  if (!value) return [];
  const out: string[] = [];
  for (const part of value.split(',')) {
    const m = /^\s*"([^"\\]*)"\s*(;.*)?$/.exec(part);
    if (m) out.push(m[1]);
  }
  return out.slice(0, 16);
}

/** What the CONNECT handling needs from its connection (H3Connection). */
export interface ConnectHost extends WtSessionOwner {
  /** How each stream is read; the CONNECT handling moves request and response streams to the `connect` role. */
  readonly roles: Map<number, StreamRole>;
  readonly session: Http3WebTransportSession | undefined;
  readonly gone: boolean;
  /** Handles bytes of a stream in its current role; returns the role to continue with, if any. */
  onData(id: number, role: StreamRole, data: Uint8Array, fin: boolean): StreamRole | undefined;
  fail(err: unknown): void;
  /** The session is established (accepted by the application, or answered 2xx). */
  sessionOpened(session: Http3WebTransportSession): void;
  /** Streams held while the CONNECT was decided go to `session`, or are refused. */
  adoptPending(session: Http3WebTransportSession): void;
  /** The CONNECT was refused: so are the streams held for it. */
  rejectPending(): void;
}

/** The extended CONNECT of one connection, server or client side. */
export class ExtendedConnect {
  private connectStream = -1;
  /** Client: the stream of our CONNECT request. */
  clientConnect: QuicSendStream | undefined;
  private readonly hooks: H3ServerHooks | undefined;
  private readonly client: H3ClientRequest | undefined;

  constructor(
    private readonly host: ConnectHost,
    mode: { server: H3ServerHooks } | { client: H3ClientRequest },
  ) {
    this.hooks = 'server' in mode ? mode.server : undefined;
    this.client = 'client' in mode ? mode.client : undefined;
  }

  /** Client: the extended CONNECT that asks for a WebTransport session. */
  sendConnect(req: H3ClientRequest): void {
    const s = this.host.quic.openBidi();
    this.clientConnect = s;
    const fields: HeaderField[] = [
      { name: ':method', value: 'CONNECT' },
      { name: ':protocol', value: 'webtransport' },
      { name: ':scheme', value: 'https' },
      { name: ':authority', value: req.authority },
      { name: ':path', value: req.path },
      { name: 'sec-webtransport-http3-draft02', value: '1' },
    ];
    if (req.origin) fields.push({ name: 'origin', value: req.origin });
    if (req.protocols?.length)
      fields.push({ name: 'wt-available-protocols', value: req.protocols.map((p) => `"${p}"`).join(', ') });
    for (const [name, value] of Object.entries(req.headers ?? {})) fields.push({ name, value });
    s.write(encodeFrame(FrameType.HEADERS, encodeFieldSection(fields, { huffman: true })));
  }

  /** Client: the response on the CONNECT stream; a 2xx opens the session */
  onResponseFrames(
    id: number,
    role: Extract<StreamRole, { kind: 'response' }>,
    fin: boolean,
  ): StreamRole | undefined {
    const req = this.client as H3ClientRequest;
    for (let f = role.frames.next(); f; f = role.frames.next()) {
      if (f.type !== FrameType.HEADERS) continue;
      const fields = decodeFieldSection(f.payload);
      const status = Number(fields.find((x) => x.name === ':status')?.value ?? 0);
      const protocolField = fields.find((x) => x.name === 'wt-protocol')?.value;
      const protocol = parseProtocolList(protocolField)[0] ?? '';
      if (status < 200 || status > 299) {
        this.host.roles.delete(id);
        req.onResponse(status, undefined);
        this.host.quic.close(H3Error.NO_ERROR, `CONNECT answered ${status}`);
        return undefined;
      }
      const session = new Http3WebTransportSession(
        this.host,
        id,
        this.clientConnect as QuicSendStream,
        protocol,
      );
      this.host.sessionOpened(session);
      const connect: StreamRole = {
        kind: 'connect',
        frames: new TlvReader(CAPSULE_LIMIT),
        capsules: new TlvReader(CAPSULE_LIMIT),
        session,
      };
      this.host.roles.set(id, connect);
      req.onResponse(status, session);
      const rest = role.frames.pending;
      return rest.length > 0 || fin ? this.host.onData(id, connect, rest, fin) : connect;
    }
    if (fin) {
      this.host.roles.delete(id);
      req.onResponse(0, undefined);
      return undefined;
    }
    return role;
  }

  /** Server: frames of a request stream until its HEADERS */
  onRequestFrames(
    id: number,
    role: { kind: 'request'; frames: TlvReader },
    fin: boolean,
  ): StreamRole | undefined {
    for (let f = role.frames.next(); f; f = role.frames.next()) {
      if (f.type === FrameType.HEADERS) {
        const fields = decodeFieldSection(f.payload);
        const connect: StreamRole = {
          kind: 'connect',
          frames: new TlvReader(CAPSULE_LIMIT),
          capsules: new TlvReader(CAPSULE_LIMIT),
        };
        this.host.roles.set(id, connect);
        this.onRequest(id, fields, connect);
        // Whatever followed the HEADERS frame belongs to the CONNECT stream's data.
        const rest = role.frames.pending;
        if (rest.length > 0 || fin) return this.host.onData(id, connect, rest, fin);
        return connect;
      }
      if (
        f.type === FrameType.DATA ||
        RESERVED_H2_FRAMES.has(f.type) ||
        f.type === FrameType.SETTINGS ||
        f.type === FrameType.GOAWAY ||
        f.type === FrameType.MAX_PUSH_ID ||
        f.type === FrameType.CANCEL_PUSH
      )
        throw new H3ConnectionError(
          H3Error.FRAME_UNEXPECTED,
          `frame 0x${f.type.toString(16)} before HEADERS`,
        );
    }
    if (fin) {
      this.host.roles.delete(id);
      return undefined;
    }
    return role;
  }

  private onRequest(id: number, fields: HeaderField[], role: Extract<StreamRole, { kind: 'connect' }>): void {
    const pseudo = new Map<string, string>();
    const headers = new Map<string, string>();
    let regular = false;
    for (const { name, value } of fields) {
      if (name !== name.toLowerCase())
        throw new H3ConnectionError(H3Error.MESSAGE_ERROR, 'uppercase header name');
      if (name.startsWith(':')) {
        if (regular || pseudo.has(name))
          throw new H3ConnectionError(H3Error.MESSAGE_ERROR, `misplaced ${name}`);
        pseudo.set(name, value);
      } else {
        regular = true;
        const prior = headers.get(name);
        headers.set(name, prior === undefined ? value : `${prior}, ${value}`);
      }
    }
    const respond = (status: number): void => {
      const send = this.host.quic.sendStreamFor(id);
      send.write(
        encodeFrame(FrameType.HEADERS, encodeFieldSection([{ name: ':status', value: String(status) }])),
      );
      send.close();
      this.host.roles.delete(id);
      this.host.quic.shutdownRead(id, H3Error.NO_ERROR);
    };
    const method = pseudo.get(':method');
    if (method !== 'CONNECT' || pseudo.get(':protocol') !== 'webtransport') {
      respond(method === 'CONNECT' ? 501 : 404);
      return;
    }
    const path = pseudo.get(':path');
    const authority = pseudo.get(':authority');
    if (pseudo.get(':scheme') !== 'https' || !path || !authority) {
      throw new H3ConnectionError(
        H3Error.MESSAGE_ERROR,
        'extended CONNECT without :scheme https, :path and :authority',
      );
    }
    if (this.host.session || this.connectStream >= 0) {
      respond(429);
      return;
    }
    this.connectStream = id;
    const request: WebTransportRequest = {
      path,
      authority,
      origin: headers.get('origin'),
      headers,
      protocols: parseProtocolList(headers.get('wt-available-protocols')),
      remote: this.host.quic.remote,
    };
    void Promise.resolve()
      .then(() => (this.hooks as H3ServerHooks).authorize(request))
      .then(
        (decision) => this.decided(id, role, request, decision),
        (err: unknown) => this.decided(id, role, request, { status: 500, reason: (err as Error).message }),
      )
      .catch((err: unknown) => this.host.fail(err));
  }

  private decided(
    id: number,
    role: Extract<StreamRole, { kind: 'connect' }>,
    request: WebTransportRequest,
    decision: WebTransportDecision,
  ): void {
    if (this.host.gone || this.host.roles.get(id) !== role) return;
    const send = this.host.quic.sendStreamFor(id);
    if (decision.status < 200 || decision.status > 299) {
      send.write(
        encodeFrame(
          FrameType.HEADERS,
          encodeFieldSection([{ name: ':status', value: String(decision.status) }]),
        ),
      );
      send.close();
      this.host.roles.delete(id);
      this.host.quic.shutdownRead(id, H3Error.REQUEST_REJECTED);
      this.connectStream = -1;
      this.host.rejectPending();
      return;
    }
    const extra: HeaderField[] = [{ name: 'sec-webtransport-http3-draft', value: 'draft02' }];
    if (decision.protocol) extra.push({ name: 'wt-protocol', value: `"${decision.protocol}"` });
    send.write(
      encodeFrame(FrameType.HEADERS, encodeFieldSection([{ name: ':status', value: '200' }, ...extra])),
    );
    const session = new Http3WebTransportSession(this.host, id, send, decision.protocol ?? '');
    this.host.sessionOpened(session);
    role.session = session;
    (this.hooks as H3ServerHooks).onSession(session, request);
    this.host.adoptPending(session);
  }

  /** Frames of the CONNECT stream: capsules, in DATA frames or straight on the stream */
  onConnectFrames(role: Extract<StreamRole, { kind: 'connect' }>): void {
    for (let f = role.frames.next(); f; f = role.frames.next()) {
      if (f.type === FrameType.DATA) {
        role.capsules.push(f.payload);
        for (let c = role.capsules.next(); c; c = role.capsules.next())
          this.onCapsule(role, c.type, c.payload);
      } else if (f.type === FrameType.HEADERS) {
        // Trailers end the request; the session ends with the stream.
      } else if (
        f.type === Capsule.CLOSE_WEBTRANSPORT_SESSION ||
        f.type === Capsule.DRAIN_WEBTRANSPORT_SESSION ||
        isGrease(f.type)
      ) {
        // Capsules sent straight on the stream (without DATA framing), as some clients do.
        this.onCapsule(role, f.type, f.payload);
      } else if (
        RESERVED_H2_FRAMES.has(f.type) ||
        f.type === FrameType.SETTINGS ||
        f.type === FrameType.GOAWAY
      ) {
        throw new H3ConnectionError(
          H3Error.FRAME_UNEXPECTED,
          `frame 0x${f.type.toString(16)} on the CONNECT stream`,
        );
      }
    }
  }

  private onCapsule(role: Extract<StreamRole, { kind: 'connect' }>, type: number, payload: Uint8Array): void {
    if (type !== Capsule.CLOSE_WEBTRANSPORT_SESSION) return;
    if (payload.length < 4)
      throw new H3ConnectionError(H3Error.MESSAGE_ERROR, 'short CLOSE_WEBTRANSPORT_SESSION');
    const code = new DataView(payload.buffer, payload.byteOffset, payload.byteLength).getUint32(0);
    const reason = Buffer.from(payload.subarray(4)).toString('utf8');
    const session = role.session;
    if (session) {
      session.end(code, reason);
      this.host.sessionEnded(session);
    }
  }

  /** The CONNECT stream ended (FIN or reset): so does its session */
  onConnectEnd(
    id: number,
    role: Extract<StreamRole, { kind: 'connect' }>,
    code: number,
    reason: string,
  ): void {
    this.host.roles.delete(id);
    const session = role.session;
    if (session) {
      session.end(code, reason);
      this.host.sessionEnded(session);
    } else if (this.connectStream === id) {
      this.connectStream = -1;
    }
  }
}
