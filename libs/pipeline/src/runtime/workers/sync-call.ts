// A synchronous call from a worker thread to the main thread, for the rare API that must answer at once
// (registering a MoQ peer route throws on a duplicate, synchronously). The worker posts on a dedicated port
// and sleeps on a shared Int32 until the main thread answers; the main thread never waits on a worker.
import { MessageChannel, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';

/** One end of a sync channel: a port and the shared flag both ends use. */
export interface SyncChannel {
  port: MessagePort;
  flag: SharedArrayBuffer;
}

type Answer = { id: number; ok: true; value: unknown } | { id: number; ok: false; message: string };

/** A new channel: give `caller` to the worker (transfer its port) and `server` to `serveSync`. */
export function createSyncChannel(): { caller: SyncChannel; server: SyncChannel } {
  const { port1, port2 } = new MessageChannel();
  const flag = new SharedArrayBuffer(4);
  return { caller: { port: port1, flag }, server: { port: port2, flag } };
}

let nextId = 1;

/** Worker side: sends `request` and blocks until the answer (throws its error, or after `timeoutMs`). */
export function callSync<T>(channel: SyncChannel, request: object, timeoutMs = 2000): T {
  const flag = new Int32Array(channel.flag);
  const id = nextId++;
  Atomics.store(flag, 0, 0);
  channel.port.postMessage({ id, request });
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const received = receiveMessageOnPort(channel.port);
    if (received) {
      const answer = received.message as Answer;
      // An answer that came after its call timed out is dropped.
      if (answer.id !== id) continue;
      if (!answer.ok) throw new Error(answer.message);
      return answer.value as T;
    }
    const left = deadline - performance.now();
    if (left <= 0) throw new Error(`the main thread did not answer within ${timeoutMs} ms`);
    Atomics.wait(flag, 0, 0, left);
    Atomics.store(flag, 0, 0);
  }
}

/** Main side: answers each request with `handler` (its throw becomes the caller's). Returns the stop function. */
export function serveSync(channel: SyncChannel, handler: (request: unknown) => unknown): () => void {
  const flag = new Int32Array(channel.flag);
  const onMessage = ({ id, request }: { id: number; request: unknown }) => {
    let answer: Answer;
    try {
      answer = { id, ok: true, value: handler(request) };
    } catch (err) {
      answer = { id, ok: false, message: err instanceof Error ? err.message : String(err) };
    }
    channel.port.postMessage(answer);
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
  };
  channel.port.on('message', onMessage);
  channel.port.unref();
  return () => {
    channel.port.off('message', onMessage);
    channel.port.close();
  };
}
