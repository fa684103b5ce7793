// Colours and labels for packet types, from the server's `/schema/packets` registry (with StreamKit's
// palette as the fallback so pins stay coloured even if that request failed).
import { formatPinType, pinTypeId, type PinType } from '@streamkit/pipeline/core/pin-types';
import type { PacketTypeMeta } from '../api/types';

const FALLBACK: Record<string, string> = {
  Any: '#96ceb4',
  Binary: '#45b7d1',
  Text: '#4ecdc4',
  OpusAudio: '#ff6b6b',
  RawAudio: '#f39c12',
  Transcription: '#9b59b6',
  Custom: '#e67e22',
  Passthrough: '#9aa3b5',
};

export function packetColor(t: PinType, packets: PacketTypeMeta[]): string {
  const id = pinTypeId(t);
  return packets.find((p) => p.id === id)?.color ?? FALLBACK[id] ?? '#9aa3b5';
}

/** Display label from the registry's template, e.g. `Raw Audio (48000Hz, *ch, F32)`. */
export function packetLabel(t: PinType, packets: PacketTypeMeta[]): string {
  if (t === 'Passthrough') return 'Passthrough (same as input)';
  const meta = packets.find((p) => p.id === pinTypeId(t));
  if (!meta) return formatPinType(t);
  if (!meta.display_template || typeof t === 'string') return meta.label;
  const payload = Object.values(t)[0] as Record<string, unknown>;
  return meta.display_template.replace(/\{(\w+)(\|\*)?\}/g, (_m, field: string, star?: string) => {
    const v = payload[field];
    return star && (v === 0 || v === undefined) ? '*' : String(v ?? '?');
  });
}
