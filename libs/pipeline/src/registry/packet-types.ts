// StreamKit's packet-type table (`GET /api/v1/schema/packets`): labels, colors and compatibility rules.

export type PacketCompatibility =
  | { kind: 'any' }
  | { kind: 'exact' }
  | { kind: 'structfieldwildcard'; fields: { name: string; wildcard_value?: number }[] };

export interface PacketTypeMeta {
  id: string;
  label: string;
  color: string;
  display_template?: string;
  compatibility: PacketCompatibility;
}

export const PACKET_TYPES: readonly PacketTypeMeta[] = [
  { id: 'Any', label: 'Any', color: '#96ceb4', compatibility: { kind: 'any' } },
  { id: 'Binary', label: 'Binary', color: '#45b7d1', compatibility: { kind: 'exact' } },
  { id: 'Text', label: 'Text', color: '#4ecdc4', compatibility: { kind: 'exact' } },
  { id: 'OpusAudio', label: 'Opus Audio', color: '#ff6b6b', compatibility: { kind: 'exact' } },
  {
    id: 'RawAudio',
    label: 'Raw Audio',
    color: '#f39c12',
    display_template: 'Raw Audio ({sample_rate|*}Hz, {channels|*}ch, {sample_format})',
    compatibility: {
      kind: 'structfieldwildcard',
      fields: [
        { name: 'sample_rate', wildcard_value: 0 },
        { name: 'channels', wildcard_value: 0 },
        { name: 'sample_format' },
      ],
    },
  },
  { id: 'Transcription', label: 'Transcription', color: '#9b59b6', compatibility: { kind: 'exact' } },
  {
    id: 'Custom',
    label: 'Custom',
    color: '#e67e22',
    display_template: 'Custom ({type_id})',
    compatibility: { kind: 'structfieldwildcard', fields: [{ name: 'type_id' }] },
  },
];

/** A fresh copy of the table, safe to serialize or hand out. */
export function packetTypesSchema(): PacketTypeMeta[] {
  return PACKET_TYPES.map((t) => structuredClone(t));
}
