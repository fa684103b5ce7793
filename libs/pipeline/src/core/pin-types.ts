// Pin types and cardinality, with StreamKit's JSON shapes (externally tagged) so `/schema/nodes` stays
// compatible with StreamKit clients. `canConnect` is the single compatibility predicate (UI uses it too).
// Browser-safe: the web UI imports this file (and spec/**) through a Vite alias, so no `node:` imports.

export type SampleFormat = 'F32' | 'S16Le';

export interface AudioFormat {
  /** 0 = any rate. */
  sample_rate: number;
  /** 0 = any channel count. */
  channels: number;
  sample_format: SampleFormat;
}

export type PinType =
  | 'Any'
  | 'Passthrough'
  | 'Binary'
  | 'Text'
  | 'OpusAudio'
  | 'Transcription'
  | { RawAudio: AudioFormat }
  | { Custom: { type_id: string } };

export type PinCardinality = 'One' | 'Broadcast' | { Dynamic: { prefix: string } };

export interface InputPinSpec {
  name: string;
  accepts_types: PinType[];
  cardinality: PinCardinality;
}

export interface OutputPinSpec {
  name: string;
  produces_type: PinType;
  cardinality: PinCardinality;
}

export interface PinSet {
  inputs: InputPinSpec[];
  outputs: OutputPinSpec[];
}

export const rawAudio = (sample_rate = 0, channels = 0, sample_format: SampleFormat = 'F32'): PinType => ({
  RawAudio: { sample_rate, channels, sample_format },
});

export function pinTypeId(t: PinType): string {
  return typeof t === 'string' ? t : 'RawAudio' in t ? 'RawAudio' : 'Custom';
}

/** Human-readable form used in error messages, e.g. `RawAudio(48000Hz, *ch, F32)`. */
export function formatPinType(t: PinType): string {
  if (typeof t === 'string') return t;
  if ('RawAudio' in t) {
    const f = t.RawAudio;
    const rate = f.sample_rate === 0 ? '*' : `${f.sample_rate}`;
    const ch = f.channels === 0 ? '*' : `${f.channels}`;
    return `RawAudio(${rate}Hz, ${ch}ch, ${f.sample_format})`;
  }
  return `Custom(${t.Custom.type_id})`;
}

/** Can an output producing `out` feed an input accepting `input`? (StreamKit's rules; `Any` matches all.) */
export function canConnect(out: PinType, input: PinType): boolean {
  const a = pinTypeId(out);
  const b = pinTypeId(input);
  if (a === 'Any' || b === 'Any') return true;
  if (a !== b) return false;
  if (a === 'Passthrough') return false;
  if (typeof out === 'string' || typeof input === 'string') return true;
  if ('RawAudio' in out && 'RawAudio' in input) {
    const x = out.RawAudio;
    const y = input.RawAudio;
    const wild = (p: number, q: number) => p === 0 || q === 0 || p === q;
    return (
      wild(x.sample_rate, y.sample_rate) &&
      wild(x.channels, y.channels) &&
      x.sample_format === y.sample_format
    );
  }
  if ('Custom' in out && 'Custom' in input) return out.Custom.type_id === input.Custom.type_id;
  return false;
}

/** Does a concrete pin name belong to a pin spec (exact name, or a `Dynamic` family `prefix` / `prefix_*`)? */
export function pinMatches(spec: { name: string; cardinality: PinCardinality }, pin: string): boolean {
  if (spec.name === pin) return true;
  const c = spec.cardinality;
  if (typeof c === 'object' && 'Dynamic' in c) {
    return pin === c.Dynamic.prefix || pin.startsWith(`${c.Dynamic.prefix}_`);
  }
  return false;
}
