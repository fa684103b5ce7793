// Small helpers for writing node kinds: the standard receive loop and common pin declarations.
import { EOS, type Packet } from './packets';
import type { Receiver } from './node';
import type { InputPinSpec, OutputPinSpec, PinType } from './pin-types';

/** What `forEachPacket` ended on: the input's end-of-stream, or the handler asking to stop. */
export type PumpEnd = 'eos' | 'stopped';

/**
 * Feed every packet of `input` to `onPacket` until end-of-stream. Packets already queued are taken
 * synchronously; the loop awaits only when the input is empty or `onPacket` returns a promise
 * (typically the result of `Sender.send` under backpressure). Resolve that promise to `false` (a closed
 * output) to stop: the result is then 'stopped'. Create `onPacket` once, outside the loop.
 */
export async function forEachPacket(
  input: Receiver,
  onPacket: (packet: Packet) => undefined | void | Promise<boolean | void>,
): Promise<PumpEnd> {
  for (;;) {
    let p = input.tryRecv();
    if (p === undefined) p = await input.recv();
    if (p === EOS) return 'eos';
    const w = onPacket(p);
    if (w !== undefined && (await w) === false) return 'stopped';
  }
}

/** Resolves once any of `inputs` has a packet or EOS ready for `tryRecv()` (nothing is consumed). */
export function whenReadable(inputs: Receiver[]): Promise<void> {
  return Promise.race(inputs.map((r) => r.waitReadable()));
}

export function inputPin(
  name: string,
  accepts: PinType[],
  cardinality: InputPinSpec['cardinality'] = 'One',
): InputPinSpec {
  return { name, accepts_types: accepts, cardinality };
}

export function outputPin(
  name: string,
  produces: PinType,
  cardinality: OutputPinSpec['cardinality'] = 'Broadcast',
): OutputPinSpec {
  return { name, produces_type: produces, cardinality };
}
