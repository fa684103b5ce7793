// Emits queued packets from a demuxer/muxer to an output with backpressure, without per-packet closures:
// the sync path sends while the output has room and awaits only when `send` returns a promise.
import { isOpusHead, isOpusTags } from '../../codecs/ogg/opus-head';
import { forEachPacket } from '../../core/helpers';
import type { NodeContext, Receiver, Sender } from '../../core/node';
import { nodeError } from '../../core/media-error';
import type { Packet } from '../../core/packets';

/** A function that sends everything `next()` yields; resolves false once the output is closed for good. */
export type Drain = () => undefined | Promise<boolean>;

export function createDrain(out: Sender, next: () => Packet | undefined): Drain {
  const rest = async (pending: Promise<boolean>): Promise<boolean> => {
    if (!(await pending)) return false;
    let p: Packet | undefined;
    while ((p = next()) !== undefined) {
      const w = out.send(p);
      if (w !== undefined && !(await w)) return false;
    }
    return true;
  };
  return () => {
    let p: Packet | undefined;
    while ((p = next()) !== undefined) {
      const w = out.send(p);
      if (w !== undefined) return rest(w);
    }
    return undefined;
  };
}

/** Sends one packet and then drains; for nodes that produce at most a few packets per input. */
export async function sendAll(out: Sender, packets: readonly Packet[]): Promise<boolean> {
  for (const p of packets) {
    const w = out.send(p);
    if (w !== undefined && !(await w)) return false;
  }
  return true;
}

/**
 * The run loop every container node shares: Running; each input packet to `onPacket` (which returns the
 * send's promise under backpressure); at the end of the input, `finish` flushes what is left. An output
 * closed on the way stops the node with `output_closed` (`finish` resolves false for that); errors name the
 * node.
 */
export async function runContainer(
  ctx: NodeContext,
  input: Receiver,
  onPacket: (p: Packet) => undefined | Promise<boolean>,
  finish: () => undefined | boolean | Promise<boolean>,
): Promise<void> {
  ctx.setState('Running');
  let open: boolean | undefined;
  try {
    open = (await forEachPacket(input, onPacket)) === 'stopped' ? false : await finish();
  } catch (e) {
    throw nodeError(ctx, e);
  }
  if (open === false) ctx.setState({ Stopped: { reason: 'output_closed' } });
}

/**
 * The Opus frame a muxer should write, or undefined (counted as discarded) for anything else: other packet
 * kinds, and in-band OpusHead/OpusTags from StreamKit-style sources (a muxer writes its own headers).
 * Opus from StreamKit plugins may arrive as Binary.
 */
export function opusFrameOf(p: Packet, stats: { discarded: number }): Uint8Array | undefined {
  if ((p.kind !== 'opus' && p.kind !== 'binary') || isOpusHead(p.data) || isOpusTags(p.data)) {
    stats.discarded++;
    return undefined;
  }
  return p.data;
}
