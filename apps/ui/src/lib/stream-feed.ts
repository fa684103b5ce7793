// A growing byte stream shared by the Convert view and its result renderers: chunks pushed so far are
// kept, late subscribers get them replayed, and `end()` marks completion.
export type FeedListener = (chunk: Uint8Array | null) => void;

export class StreamFeed {
  readonly chunks: Uint8Array[] = [];
  received = 0;
  done = false;
  private listeners = new Set<FeedListener>();

  push(chunk: Uint8Array): void {
    this.chunks.push(chunk);
    this.received += chunk.length;
    for (const l of this.listeners) l(chunk);
  }

  end(): void {
    if (this.done) return;
    this.done = true;
    for (const l of this.listeners) l(null);
  }

  /** Replays what arrived so far, then follows new chunks; `null` means the stream ended. */
  subscribe(listener: FeedListener): () => void {
    for (const c of this.chunks) listener(c);
    if (this.done) listener(null);
    else this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  blob(type: string): Blob {
    return new Blob(this.chunks as BlobPart[], { type });
  }
}
