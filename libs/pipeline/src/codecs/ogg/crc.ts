// Ogg's page checksum: CRC-32 with polynomial 0x04c11db7, no reflection, zero initial value and no final xor.
// Slice-by-4 tables keep the checksum of a 4 KB page around a microsecond.

const TABLES = buildTables();

function buildTables(): Uint32Array {
  const t = new Uint32Array(256 * 4);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let b = 0; b < 8; b++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    t[i] = r >>> 0;
  }
  for (let i = 0; i < 256; i++) {
    for (let k = 1; k < 4; k++) {
      const prev = t[(k - 1) * 256 + i];
      t[k * 256 + i] = ((prev << 8) ^ t[prev >>> 24]) >>> 0;
    }
  }
  return t;
}

/** CRC of `data[start, end)`, continuing from `crc` (0 for a fresh checksum). */
export function oggCrc(data: Uint8Array, start = 0, end = data.length, crc = 0): number {
  const t = TABLES;
  let c = crc >>> 0;
  let i = start;
  for (; i + 4 <= end; i += 4) {
    c ^= (data[i] << 24) | (data[i + 1] << 16) | (data[i + 2] << 8) | data[i + 3];
    c = t[768 + (c >>> 24)] ^ t[512 + ((c >>> 16) & 0xff)] ^ t[256 + ((c >>> 8) & 0xff)] ^ t[c & 0xff];
  }
  for (; i < end; i++) c = (c << 8) ^ t[((c >>> 24) ^ data[i]) & 0xff];
  return c >>> 0;
}
