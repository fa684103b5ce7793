// moq-lite wire messages (drafts 01-04 as `@moq/lite` 0.2.2 speaks them): the SETUP compat exchange used on
// the WebSocket path, announce, subscribe and group headers. Bodies are size-prefixed; decoders work on a
// whole body so a truncated message is an error, not a partial read.
import { ByteReader, ByteWriter, ProtocolError } from './varint';

export const Version = {
  LITE_01: 0xff0dad01,
  LITE_02: 0xff0dad02,
  LITE_03: 0xff0dad03,
  LITE_04: 0xff0dad04,
  /** IETF moq-transport draft 14, whose SETUP encoding the compat exchange borrows. */
  IETF_14: 0xff00000e,
} as const;
export type LiteVersion = (typeof Version)['LITE_01' | 'LITE_02' | 'LITE_03' | 'LITE_04'];

/** WebTransport subprotocols (ALPN) that fix the version without a SETUP exchange. */
export const ALPN_LITE_03 = 'moq-lite-03';
export const ALPN_LITE_04 = 'moq-lite-04';
/** Subprotocol meaning "moq-lite, negotiate the version in SETUP". */
export const ALPN_LITE = 'moql';

export function versionName(v: number): string {
  switch (v) {
    case Version.LITE_01:
      return 'moq-lite-01';
    case Version.LITE_02:
      return 'moq-lite-02';
    case Version.LITE_03:
      return ALPN_LITE_03;
    case Version.LITE_04:
      return ALPN_LITE_04;
    default:
      return `unknown(0x${v.toString(16)})`;
  }
}

/** Versions this relay speaks, most preferred first. */
export const SUPPORTED_VERSIONS: readonly LiteVersion[] = [
  Version.LITE_04,
  Version.LITE_03,
  Version.LITE_02,
  Version.LITE_01,
];

/** First varint on a bidirectional stream. */
export const StreamType = {
  Session: 0,
  Announce: 1,
  Subscribe: 2,
  Fetch: 3,
  Probe: 4,
  Goaway: 5,
  ClientCompat: 0x20,
  ServerCompat: 0x21,
} as const;

/** First byte on a unidirectional stream carrying a group. */
export const UNI_GROUP = 0;

const MAX_HOPS = 256;

const isEarly = (v: number): boolean => v === Version.LITE_01 || v === Version.LITE_02;

/** varint(size) + body. */
export function sizePrefixed(body: Uint8Array): Uint8Array {
  return new ByteWriter(body.length + 8).varint(body.length).bytes(body).finish();
}

// ---- SETUP compat (0x20 / 0x21, draft-14 encoding with a u16 size) ----

export interface ClientSetup {
  versions: number[];
  /** Parameter id -> raw value (varint params are decoded as numbers, byte params kept as bytes). */
  parameters: Map<number, number | Uint8Array>;
}

export function encodeClientSetup(msg: ClientSetup): Uint8Array {
  const body = new ByteWriter().varint(msg.versions.length);
  for (const v of msg.versions) body.varint(v);
  encodeSetupParams(body, msg.parameters);
  return new ByteWriter().varint(StreamType.ClientCompat).u16(body.length).bytes(body.finish()).finish();
}

/** Decodes a ClientSetup body (after the 0x20 type and u16 size). */
export function decodeClientSetup(body: Uint8Array): ClientSetup {
  const r = new ByteReader(body);
  const count = r.varint();
  if (count > 128) throw new ProtocolError(`too many versions offered: ${count}`);
  const versions: number[] = [];
  for (let i = 0; i < count; i++) versions.push(r.varint());
  const parameters = decodeSetupParams(r);
  expectEnd(r, 'CLIENT_SETUP');
  return { versions, parameters };
}

export interface ServerSetup {
  version: number;
  parameters: Map<number, number | Uint8Array>;
}

export function encodeServerSetup(msg: ServerSetup): Uint8Array {
  const body = new ByteWriter().varint(msg.version);
  encodeSetupParams(body, msg.parameters);
  return new ByteWriter().varint(StreamType.ServerCompat).u16(body.length).bytes(body.finish()).finish();
}

export function decodeServerSetup(body: Uint8Array): ServerSetup {
  const r = new ByteReader(body);
  const version = r.varint();
  const parameters = decodeSetupParams(r);
  expectEnd(r, 'SERVER_SETUP');
  return { version, parameters };
}

function encodeSetupParams(w: ByteWriter, params: Map<number, number | Uint8Array>): void {
  w.varint(params.size);
  for (const [id, value] of params) {
    w.varint(id);
    if (typeof value === 'number') w.varint(value);
    else w.varint(value.length).bytes(value);
  }
}

function decodeSetupParams(r: ByteReader): Map<number, number | Uint8Array> {
  const params = new Map<number, number | Uint8Array>();
  const count = r.varint();
  for (let i = 0; i < count; i++) {
    const id = r.varint();
    if (params.has(id)) throw new ProtocolError(`duplicate setup parameter ${id}`);
    // Even ids carry a varint, odd ids a length-prefixed byte string.
    params.set(id, id % 2 === 0 ? r.varint() : r.bytes(r.varint()));
  }
  return params;
}

/** Picks the version to answer a ClientSetup with, or undefined when none is shared. */
export function negotiateVersion(offered: readonly number[]): LiteVersion | undefined {
  for (const v of SUPPORTED_VERSIONS) if (offered.includes(v)) return v;
  return undefined;
}

// ---- Announce ----

export interface AnnounceInterest {
  prefix: string;
  excludeHop: number;
}

export function encodeAnnounceInterest(msg: AnnounceInterest, version: number): Uint8Array {
  const w = new ByteWriter().string(msg.prefix);
  if (!isEarly(version) && version !== Version.LITE_03) w.varint(msg.excludeHop);
  return sizePrefixed(w.finish());
}

export function decodeAnnounceInterest(body: Uint8Array, version: number): AnnounceInterest {
  const r = new ByteReader(body);
  const prefix = normalizePath(r.string());
  const excludeHop = !isEarly(version) && version !== Version.LITE_03 ? r.varint() : 0;
  expectEnd(r, 'ANNOUNCE_INTEREST');
  return { prefix, excludeHop };
}

/** ANNOUNCE_INIT: the paths active when an announce stream opens (lite-01/02 only). */
export function encodeAnnounceInit(suffixes: readonly string[]): Uint8Array {
  const w = new ByteWriter().varint(suffixes.length);
  for (const s of suffixes) w.string(s);
  return sizePrefixed(w.finish());
}

export function decodeAnnounceInit(body: Uint8Array): string[] {
  const r = new ByteReader(body);
  const count = r.varint();
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(normalizePath(r.string()));
  expectEnd(r, 'ANNOUNCE_INIT');
  return out;
}

export interface Announce {
  active: boolean;
  suffix: string;
  hops: number[];
}

export function encodeAnnounce(msg: Announce, version: number): Uint8Array {
  const w = new ByteWriter().bool(msg.active).string(msg.suffix);
  if (version === Version.LITE_03) w.varint(msg.hops.length);
  else if (!isEarly(version)) {
    w.varint(msg.hops.length);
    for (const h of msg.hops) w.varint(h);
  }
  return sizePrefixed(w.finish());
}

export function decodeAnnounce(body: Uint8Array, version: number): Announce {
  const r = new ByteReader(body);
  const active = r.bool();
  const suffix = normalizePath(r.string());
  const hops: number[] = [];
  if (!isEarly(version)) {
    const count = r.varint();
    if (count > MAX_HOPS) throw new ProtocolError(`hop count ${count} exceeds ${MAX_HOPS}`);
    for (let i = 0; i < count; i++) hops.push(version === Version.LITE_03 ? 0 : r.varint());
  }
  expectEnd(r, 'ANNOUNCE');
  return { active, suffix, hops };
}

// ---- Subscribe ----

/** Delivery preferences SUBSCRIBE and SUBSCRIBE_OK share (lite-03+): groups are sent as index + 1, 0 = none. */
export interface Delivery {
  ordered: boolean;
  maxLatency: number;
  startGroup?: number;
  endGroup?: number;
}

export interface Subscribe extends Delivery {
  id: number;
  broadcast: string;
  track: string;
  priority: number;
}

function writeDelivery(w: ByteWriter, d: Delivery): void {
  w.bool(d.ordered).varint(d.maxLatency);
  w.varint(d.startGroup === undefined ? 0 : d.startGroup + 1);
  w.varint(d.endGroup === undefined ? 0 : d.endGroup + 1);
}

function readDelivery(r: ByteReader, d: Delivery): void {
  d.ordered = r.bool();
  d.maxLatency = r.varint();
  const start = r.varint();
  const end = r.varint();
  if (start > 0) d.startGroup = start - 1;
  if (end > 0) d.endGroup = end - 1;
}

export function encodeSubscribe(msg: Subscribe, version: number): Uint8Array {
  const w = new ByteWriter().varint(msg.id).string(msg.broadcast).string(msg.track).u8(msg.priority);
  if (!isEarly(version)) writeDelivery(w, msg);
  return sizePrefixed(w.finish());
}

export function decodeSubscribe(body: Uint8Array, version: number): Subscribe {
  const r = new ByteReader(body);
  const msg: Subscribe = {
    id: r.varint(),
    broadcast: normalizePath(r.string()),
    track: r.string(),
    priority: r.u8(),
    ordered: false,
    maxLatency: 0,
  };
  if (!isEarly(version)) readDelivery(r, msg);
  expectEnd(r, 'SUBSCRIBE');
  return msg;
}

export interface SubscribeOk extends Delivery {
  priority: number;
}

/** The first response on a subscribe stream (lite-03+ prefix it with response type 0). */
export function encodeSubscribeOk(msg: SubscribeOk, version: number): Uint8Array {
  const w = new ByteWriter();
  if (version === Version.LITE_01) w.u8(msg.priority);
  else if (version !== Version.LITE_02) writeDelivery(w.u8(msg.priority), msg);
  const body = sizePrefixed(w.finish());
  if (isEarly(version)) return body;
  return new ByteWriter(body.length + 1).varint(0).bytes(body).finish();
}

export function decodeSubscribeOk(body: Uint8Array, version: number): SubscribeOk {
  const r = new ByteReader(body);
  const msg: SubscribeOk = { priority: 0, ordered: true, maxLatency: 0 };
  if (version === Version.LITE_01) msg.priority = r.u8();
  else if (version !== Version.LITE_02) {
    msg.priority = r.u8();
    readDelivery(r, msg);
  }
  expectEnd(r, 'SUBSCRIBE_OK');
  return msg;
}

// ---- Groups ----

export interface GroupHeader {
  subscribe: number;
  sequence: number;
}

/** Type byte + size-prefixed GROUP header, written once at the start of a unidirectional stream. */
export function encodeGroupHeader(msg: GroupHeader): Uint8Array {
  const body = new ByteWriter(16).varint(msg.subscribe).varint(msg.sequence).finish();
  return new ByteWriter(20).u8(UNI_GROUP).varint(body.length).bytes(body).finish();
}

export function decodeGroupHeader(body: Uint8Array): GroupHeader {
  const r = new ByteReader(body);
  const msg = { subscribe: r.varint(), sequence: r.varint() };
  expectEnd(r, 'GROUP');
  return msg;
}

// ---- Paths ----

/** moq-lite path form: no leading, trailing or doubled slashes. */
export function normalizePath(...parts: string[]): string {
  return parts
    .join('/')
    .replace(/\/+/g, '/')
    .replace(/^\/+|\/+$/g, '');
}

/** `path` relative to `prefix` (segment-wise), or undefined when it is not below it. */
export function stripPathPrefix(prefix: string, path: string): string | undefined {
  if (prefix === '') return path;
  if (!path.startsWith(prefix)) return undefined;
  if (path.length === prefix.length) return '';
  return path[prefix.length] === '/' ? path.slice(prefix.length + 1) : undefined;
}

export function joinPath(a: string, b: string): string {
  if (a === '') return b;
  if (b === '') return a;
  return `${a}/${b}`;
}

function expectEnd(r: ByteReader, what: string): void {
  if (r.remaining !== 0) throw new ProtocolError(`${what}: ${r.remaining} unexpected trailing bytes`);
}
