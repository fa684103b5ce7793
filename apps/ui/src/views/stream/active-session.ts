// The Stream view's active session, kept per browser tab (sessionStorage) so it survives leaving the view.
import type { MoqPeer } from '../../lib/moq-peer';

const STORAGE_KEY = 'skit.stream.session';

export interface ActiveSession {
  id: string;
  name: string;
  pipelineName: string;
  peer: MoqPeer;
}

export function loadActive(): ActiveSession | null {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY);
    return raw ? (JSON.parse(raw) as ActiveSession) : null;
  } catch {
    return null;
  }
}

export function storeActive(s: ActiveSession | null): void {
  if (s) sessionStorage.setItem(STORAGE_KEY, JSON.stringify(s));
  else sessionStorage.removeItem(STORAGE_KEY);
}
