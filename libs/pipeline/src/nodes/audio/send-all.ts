// Sending several packets in order with backpressure, without allocating when every queue has room.
import type { Sender } from '../../core/node';
import type { Packet } from '../../core/packets';

async function resume(
  wait: Promise<boolean>,
  out: Sender,
  packets: Packet[],
  next: number,
): Promise<boolean> {
  if (!(await wait)) return false;
  const more = sendAll(out, packets, next);
  return more === undefined ? true : more;
}

/**
 * Send `packets[from..]` in order and empty the array. Returns undefined when all went through at once,
 * else a promise resolving once they did (false: downstream is gone, stop producing).
 */
export function sendAll(out: Sender, packets: Packet[], from = 0): undefined | Promise<boolean> {
  for (let i = from; i < packets.length; i++) {
    const wait = out.send(packets[i]);
    if (wait !== undefined) return resume(wait, out, packets, i + 1);
  }
  packets.length = 0;
  return undefined;
}
