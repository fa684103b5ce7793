// Text arriving at a speech node: Text, UTF-8 Binary, or a Transcription's text; anything else is refused
// with the node's name in the message.
import type { Packet } from '../../core/packets';

export class TextInput {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });

  constructor(private readonly kind: string) {}

  /** The text `p` carries. Throws for audio and other packets. */
  read(p: Packet): string {
    if (p.kind === 'text' || p.kind === 'transcription') return p.text;
    if (p.kind === 'binary') {
      try {
        return this.decoder.decode(p.data, { stream: true });
      } catch {
        throw new Error(`${this.kind} expects UTF-8 text; a Binary packet is not valid UTF-8`);
      }
    }
    throw new Error(`${this.kind} accepts Text, Binary (UTF-8) or Transcription packets, got ${p.kind}`);
  }
}

/** Text ready to speak: control characters become spaces and whitespace runs collapse. */
export function speakable(text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what this removes
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ');
}
