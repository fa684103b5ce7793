// Errors as they cross the worker boundary: rebuilt on the other side as the same classes, so callers map
// them exactly as they would in-process (SessionCommandError -> 400/404/409, OneshotError -> 400/500).
import { OneshotError } from '../oneshot';
import { SessionCommandError } from '../session-types';
import type { WireError } from './protocol';

export function toWire(err: unknown): WireError {
  if (err instanceof SessionCommandError) return { kind: 'session', body: err.body };
  if (err instanceof OneshotError) {
    return {
      kind: 'oneshot',
      code: err.code,
      message: err.message,
      problems: err.problems,
      nodeId: err.nodeId,
    };
  }
  return { kind: 'error', message: err instanceof Error ? err.message : String(err) };
}

export function fromWire(e: WireError): Error {
  if (e.kind === 'session') return new SessionCommandError(e.body);
  if (e.kind === 'oneshot') return new OneshotError(e.message, e.code, e.problems, e.nodeId);
  return new Error(e.message);
}
