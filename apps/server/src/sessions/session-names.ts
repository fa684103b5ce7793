// Server-assigned session names, byte-identical to StreamKit's: `<adjective>-<noun>-<hhhh>` from an FNV-1a
// 64-bit hash of the session id, so the same id gets the same name in both servers.
const ADJECTIVES = [
  'ancient',
  'brave',
  'calm',
  'clever',
  'dapper',
  'eager',
  'fancy',
  'gentle',
  'happy',
  'jolly',
  'kind',
  'lively',
  'mighty',
  'noble',
  'proud',
  'quick',
  'quiet',
  'shiny',
  'silly',
  'swift',
  'wise',
];
const NOUNS = [
  'antelope',
  'badger',
  'beaver',
  'bison',
  'cougar',
  'dolphin',
  'dragon',
  'eagle',
  'falcon',
  'fox',
  'gecko',
  'heron',
  'ibis',
  'koala',
  'lemur',
  'lynx',
  'otter',
  'panther',
  'puma',
  'raven',
  'tiger',
  'yak',
];
const MASK = (1n << 64n) - 1n;

export function fnv1a64(text: string): bigint {
  let h = 0xcbf29ce484222325n;
  for (const byte of Buffer.from(text, 'utf8')) {
    h ^= BigInt(byte);
    h = (h * 0x100000001b3n) & MASK;
  }
  return h;
}

export function sessionNameFor(id: string): string {
  const h = fnv1a64(id);
  const adjective = ADJECTIVES[Number(h % BigInt(ADJECTIVES.length))];
  const noun = NOUNS[Number((h >> 8n) % BigInt(NOUNS.length))];
  const suffix = Number((h >> 16n) & 0xffffn)
    .toString(16)
    .padStart(4, '0');
  return `${adjective}-${noun}-${suffix}`;
}
