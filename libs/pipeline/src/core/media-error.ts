// Input media that is not the format a node reads, or damaged beyond use: the caller's fault (the oneshot
// API answers 422 naming the node), not the server's. Demuxers and decoders throw it.
export class MediaError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MediaError';
  }
}

/** Prefixes an error with the node it came from, so the caller knows where to look; bad input stays a MediaError. */
export function nodeError(ctx: { nodeId: string; kind: string }, what: unknown): Error {
  const msg = `Node '${ctx.nodeId}' (${ctx.kind}): ${what instanceof Error ? what.message : String(what)}`;
  return what instanceof MediaError ? new MediaError(msg, { cause: what }) : new Error(msg, { cause: what });
}
