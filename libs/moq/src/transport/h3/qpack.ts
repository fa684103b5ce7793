// QPACK (RFC 9204) with the static table only: our SETTINGS allow no dynamic table (capacity 0), so a field
// section that refers to one is malformed. Decoding accepts Huffman-coded strings (browsers use them);
// encoding writes plain literals. Every length is bounded: a hostile block fails with QpackError.

/** The static table of RFC 9204, Appendix A: [name, value] by index. */
const STATIC_TABLE: readonly (readonly [string, string])[] = [
  [':authority', ''],
  [':path', '/'],
  ['age', '0'],
  ['content-disposition', ''],
  ['content-length', '0'],
  ['cookie', ''],
  ['date', ''],
  ['etag', ''],
  ['if-modified-since', ''],
  ['if-none-match', ''],
  ['last-modified', ''],
  ['link', ''],
  ['location', ''],
  ['referer', ''],
  ['set-cookie', ''],
  [':method', 'CONNECT'],
  [':method', 'DELETE'],
  [':method', 'GET'],
  [':method', 'HEAD'],
  [':method', 'OPTIONS'],
  [':method', 'POST'],
  [':method', 'PUT'],
  [':scheme', 'http'],
  [':scheme', 'https'],
  [':status', '103'],
  [':status', '200'],
  [':status', '304'],
  [':status', '404'],
  [':status', '503'],
  ['accept', '*/*'],
  ['accept', 'application/dns-message'],
  ['accept-encoding', 'gzip, deflate, br'],
  ['accept-ranges', 'bytes'],
  ['access-control-allow-headers', 'cache-control'],
  ['access-control-allow-headers', 'content-type'],
  ['access-control-allow-origin', '*'],
  ['cache-control', 'max-age=0'],
  ['cache-control', 'max-age=2592000'],
  ['cache-control', 'max-age=604800'],
  ['cache-control', 'no-cache'],
  ['cache-control', 'no-store'],
  ['cache-control', 'public, max-age=31536000'],
  ['content-encoding', 'br'],
  ['content-encoding', 'gzip'],
  ['content-type', 'application/dns-message'],
  ['content-type', 'application/javascript'],
  ['content-type', 'application/json'],
  ['content-type', 'application/x-www-form-urlencoded'],
  ['content-type', 'image/gif'],
  ['content-type', 'image/jpeg'],
  ['content-type', 'image/png'],
  ['content-type', 'text/css'],
  ['content-type', 'text/html; charset=utf-8'],
  ['content-type', 'text/plain'],
  ['content-type', 'text/plain;charset=utf-8'],
  ['range', 'bytes=0-'],
  ['strict-transport-security', 'max-age=31536000'],
  ['strict-transport-security', 'max-age=31536000; includesubdomains'],
  ['strict-transport-security', 'max-age=31536000; includesubdomains; preload'],
  ['vary', 'accept-encoding'],
  ['vary', 'origin'],
  ['x-content-type-options', 'nosniff'],
  ['x-xss-protection', '1; mode=block'],
  [':status', '100'],
  [':status', '204'],
  [':status', '206'],
  [':status', '302'],
  [':status', '400'],
  [':status', '403'],
  [':status', '421'],
  [':status', '425'],
  [':status', '500'],
  ['accept-language', ''],
  ['access-control-allow-credentials', 'FALSE'],
  ['access-control-allow-credentials', 'TRUE'],
  ['access-control-allow-headers', '*'],
  ['access-control-allow-methods', 'get'],
  ['access-control-allow-methods', 'get, post, options'],
  ['access-control-allow-methods', 'options'],
  ['access-control-expose-headers', 'content-length'],
  ['access-control-request-headers', 'content-type'],
  ['access-control-request-method', 'get'],
  ['access-control-request-method', 'post'],
  ['alt-svc', 'clear'],
  ['authorization', ''],
  ['content-security-policy', "script-src 'none'; object-src 'none'; base-uri 'none'"],
  ['early-data', '1'],
  ['expect-ct', ''],
  ['forwarded', ''],
  ['if-range', ''],
  ['origin', ''],
  ['purpose', 'prefetch'],
  ['server', ''],
  ['timing-allow-origin', '*'],
  ['upgrade-insecure-requests', '1'],
  ['user-agent', ''],
  ['x-forwarded-for', ''],
  ['x-frame-options', 'deny'],
  ['x-frame-options', 'sameorigin'],
];

/** Index of each `name: value` pair and of each name's first entry, for the encoder. */
const STATIC_PAIR = new Map<string, number>();
const STATIC_NAME = new Map<string, number>();
STATIC_TABLE.forEach(([name, value], i) => {
  const pair = `${name}\0${value}`;
  if (!STATIC_PAIR.has(pair)) STATIC_PAIR.set(pair, i);
  if (!STATIC_NAME.has(name)) STATIC_NAME.set(name, i);
});

/**
 * Code lengths of the HPACK Huffman code (RFC 7541, Appendix B) for symbols 0-256 (256 = EOS), one base-36
 * digit each. The code is canonical, so the codes follow from the lengths.
 */
const HUFFMAN_LENGTHS =
  'dnsssssssoussussssssssusssssssss6aacd68baa8b8666555666666678f6cad67777777777777777777777878djde6f5656566' +
  '6577666567655677777fbedskmkkmmmnmnnnnnonoomnonnnnlmnmnnomlkmmnnlnmmolmnnllmlnmnnkmmmnmmnqqkjmnmpqqqrrqopj' +
  'lqrrqrollqqsrrrkoklmllnmmppooqnqrqqrrrrrsrrrrrqu';

const EOS = 256;

/** Decoding tree of the Huffman code: node i has children tree[2i], tree[2i+1]; leaves are -(symbol + 1). */
const huffman = (() => {
  const lengths = [...HUFFMAN_LENGTHS].map((c) => parseInt(c, 36));
  if (lengths.length !== 257) throw new Error('HPACK Huffman table has the wrong size');
  const order = lengths.map((_, s) => s).sort((a, b) => lengths[a] - lengths[b] || a - b);
  const codes = new Array<number>(257);
  let code = 0;
  order.forEach((s, i) => {
    if (i > 0) code = (code + 1) * 2 ** (lengths[s] - lengths[order[i - 1]]);
    codes[s] = code;
  });
  const tree: number[] = [0, 0];
  for (let s = 0; s < 257; s++) {
    let node = 0;
    for (let bit = lengths[s] - 1; bit >= 0; bit--) {
      const b = Math.floor(codes[s] / 2 ** bit) & 1;
      const slot = node * 2 + b;
      if (bit === 0) tree[slot] = -(s + 1);
      else {
        if (tree[slot] === 0) {
          tree.push(0, 0);
          tree[slot] = tree.length / 2 - 1;
        }
        node = tree[slot];
      }
    }
  }
  return { tree: Int32Array.from(tree), codes, lengths };
})();

export class QpackError extends Error {}

/** Decodes a Huffman-coded string (RFC 7541 §5.2): padding is at most 7 one-bits, EOS is an error. */
export function huffmanDecode(src: Uint8Array, maxLength: number): string {
  const { tree } = huffman;
  const out: number[] = [];
  let node = 0;
  let depth = 0;
  let allOnes = true;
  for (let i = 0; i < src.length; i++) {
    const byte = src[i];
    for (let bit = 7; bit >= 0; bit--) {
      const b = (byte >> bit) & 1;
      const next = tree[node * 2 + b];
      depth++;
      allOnes &&= b === 1;
      if (next < 0) {
        const sym = -next - 1;
        if (sym === EOS) throw new QpackError('Huffman string contains EOS');
        if (out.length >= maxLength) throw new QpackError(`header string longer than ${maxLength} bytes`);
        out.push(sym);
        node = 0;
        depth = 0;
        allOnes = true;
      } else if (next === 0) {
        throw new QpackError('invalid Huffman code');
      } else node = next;
    }
  }
  if (depth > 7 || !allOnes) throw new QpackError('invalid Huffman padding');
  return Buffer.from(out).toString('latin1');
}

/** Huffman-encodes `s` (latin1); for tests and clients, the server writes plain literals. */
export function huffmanEncode(s: string): Uint8Array {
  const { codes, lengths } = huffman;
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < s.length; i++) {
    const sym = s.charCodeAt(i) & 0xff;
    for (let bit = lengths[sym] - 1; bit >= 0; bit--) {
      acc = (acc << 1) | (Math.floor(codes[sym] / 2 ** bit) & 1);
      if (++bits === 8) {
        out.push(acc);
        acc = 0;
        bits = 0;
      }
    }
  }
  if (bits > 0) out.push(((acc << (8 - bits)) | (0xff >> bits)) & 0xff);
  return Uint8Array.from(out);
}

/** Reads a QPACK prefixed integer (RFC 7541 §5.1) of `prefix` bits starting at `pos`. */
function readInt(buf: Uint8Array, at: { pos: number }, prefix: number): number {
  if (at.pos >= buf.length) throw new QpackError('truncated field section');
  const mask = (1 << prefix) - 1;
  let value = buf[at.pos++] & mask;
  if (value < mask) return value;
  let shift = 0;
  for (;;) {
    if (at.pos >= buf.length) throw new QpackError('truncated integer');
    const b = buf[at.pos++];
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if (value > 0xffffffff) throw new QpackError('integer too large');
    if ((b & 0x80) === 0) return value;
  }
}

function writeInt(out: number[], first: number, prefix: number, value: number): void {
  const mask = (1 << prefix) - 1;
  if (value < mask) {
    out.push(first | value);
    return;
  }
  out.push(first | mask);
  value -= mask;
  while (value >= 0x80) {
    out.push((value & 0x7f) | 0x80);
    value = Math.floor(value / 128);
  }
  out.push(value);
}

function readString(buf: Uint8Array, at: { pos: number }, prefix: number, maxLength: number): string {
  if (at.pos >= buf.length) throw new QpackError('truncated field section');
  const huffmanCoded = (buf[at.pos] >> prefix) & 1;
  const length = readInt(buf, at, prefix);
  if (length > maxLength) throw new QpackError(`header string of ${length} bytes exceeds ${maxLength}`);
  if (at.pos + length > buf.length) throw new QpackError('truncated header string');
  const bytes = buf.subarray(at.pos, at.pos + length);
  at.pos += length;
  return huffmanCoded ? huffmanDecode(bytes, maxLength) : Buffer.from(bytes).toString('latin1');
}

export interface HeaderField {
  name: string;
  value: string;
}

export interface DecodeLimits {
  /** Most fields in one section. */
  maxFields?: number;
  /** Longest name or value. */
  maxString?: number;
}

/** Decodes a field section (the payload of a HEADERS frame); a dynamic-table reference is an error. */
export function decodeFieldSection(block: Uint8Array, limits: DecodeLimits = {}): HeaderField[] {
  const maxFields = limits.maxFields ?? 64;
  const maxString = limits.maxString ?? 8192;
  const at = { pos: 0 };
  const requiredInsertCount = readInt(block, at, 8);
  readInt(block, at, 7); // sign + delta base: meaningless without a dynamic table
  if (requiredInsertCount !== 0)
    throw new QpackError('field section refers to the dynamic table (capacity 0)');
  const fields: HeaderField[] = [];
  while (at.pos < block.length) {
    if (fields.length >= maxFields) throw new QpackError(`more than ${maxFields} header fields`);
    const b = block[at.pos];
    if (b & 0x80) {
      // Indexed field line: 1 T index(6)
      if ((b & 0x40) === 0) throw new QpackError('indexed field refers to the dynamic table');
      const entry = STATIC_TABLE[readInt(block, at, 6)];
      if (!entry) throw new QpackError('static table index out of range');
      fields.push({ name: entry[0], value: entry[1] });
    } else if (b & 0x40) {
      // Literal with name reference: 01 N T index(4)
      if ((b & 0x10) === 0) throw new QpackError('literal refers to a dynamic table name');
      const entry = STATIC_TABLE[readInt(block, at, 4)];
      if (!entry) throw new QpackError('static table index out of range');
      fields.push({ name: entry[0], value: readString(block, at, 7, maxString) });
    } else if (b & 0x20) {
      // Literal with literal name: 001 N H len(3)
      const name = readString(block, at, 3, maxString);
      fields.push({ name, value: readString(block, at, 7, maxString) });
    } else {
      throw new QpackError('post-base reference to the dynamic table');
    }
  }
  return fields;
}

function writeString(out: number[], first: number, prefix: number, s: string, huffman: boolean): void {
  const plain = Buffer.from(s, 'latin1');
  const coded = huffman ? huffmanEncode(s) : undefined;
  if (coded && coded.length < plain.length) {
    writeInt(out, first | (1 << prefix), prefix, coded.length);
    for (const b of coded) out.push(b);
  } else {
    writeInt(out, first, prefix, plain.length);
    for (const b of plain) out.push(b);
  }
}

/** Encodes a field section with static references and literals (Huffman-coded when shorter, if asked). */
export function encodeFieldSection(
  fields: readonly HeaderField[],
  options: { huffman?: boolean } = {},
): Uint8Array {
  const huffman = options.huffman ?? false;
  const out: number[] = [0, 0];
  for (const { name, value } of fields) {
    const pair = STATIC_PAIR.get(`${name}\0${value}`);
    if (pair !== undefined) {
      writeInt(out, 0xc0, 6, pair);
      continue;
    }
    const nameIndex = STATIC_NAME.get(name);
    if (nameIndex !== undefined) writeInt(out, 0x50, 4, nameIndex);
    else writeString(out, 0x20, 3, name, huffman);
    writeString(out, 0, 7, value, huffman);
  }
  return Uint8Array.from(out);
}
