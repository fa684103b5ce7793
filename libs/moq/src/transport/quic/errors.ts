// Errors the quiche binding throws as plain `Error`s whose message names the quiche error, e.g.
// `StreamReset(42)` or `StreamStopped(7)`.

/** A stream-level failure: the peer reset the stream (`reset`), asked us to stop (`stopped`), or other. */
export class QuicheStreamError extends Error {
  constructor(
    readonly kind: 'reset' | 'stopped' | 'other',
    readonly code: number,
    message: string,
  ) {
    super(message);
  }

  static from(err: unknown): QuicheStreamError {
    const message = err instanceof Error ? err.message : String(err);
    const m = /^(StreamReset|StreamStopped)\((\d+)\)/.exec(message);
    if (m) return new QuicheStreamError(m[1] === 'StreamReset' ? 'reset' : 'stopped', Number(m[2]), message);
    return new QuicheStreamError('other', 0, message);
  }
}
