// The Monitor's session list: read over REST, kept current by the `sessionsChanged` subscription, and
// re-read after the subscription settles, every 10 s, and whenever the live link reconnects (`epoch`).
import { useEffect, useState } from 'react';
import { SESSIONS_CHANGED, sessionsApi, type SessionInfo, type SessionsChange } from '../../api/sessions';
import type { LiveClient } from '../../api/graphql';
import { errorMessage } from '../../lib/format';

export function useSessionList(client: LiveClient | null, epoch: number) {
  const [sessions, setSessions] = useState<SessionInfo[] | null>(null);
  const [listError, setListError] = useState<string | null>(null);
  // Bumped to re-read the list: a session created between the first read and the moment the server registers
  // the `sessionsChanged` subscription would otherwise be missed (the protocol has no "subscribed" ack).
  const [refresh, setRefresh] = useState(0);

  useEffect(() => {
    let live = true;
    sessionsApi.list().then(
      (s) => {
        if (!live) return;
        setSessions(s);
        setListError(null);
      },
      (e: unknown) => live && setListError(`Could not list sessions: ${errorMessage(e)}`),
    );
    return () => {
      live = false;
    };
  }, [epoch, refresh]);

  useEffect(() => {
    if (!client) return;
    const settle = setTimeout(() => setRefresh((n) => n + 1), 500);
    const safetyNet = setInterval(() => setRefresh((n) => n + 1), 10_000);
    const unsubscribe = client.subscribe<SessionsChange>(
      SESSIONS_CHANGED,
      {},
      {
        next: ({ sessionsChanged: { type, session } }) =>
          setSessions((list) => {
            const rest = (list ?? []).filter((s) => s.id !== session.id);
            return type === 'CREATED' ? [...rest, session] : rest;
          }),
        error: (m) => setListError(m),
      },
    );
    return () => {
      clearTimeout(settle);
      clearInterval(safetyNet);
      unsubscribe();
    };
  }, [client]);

  return { sessions, setSessions, listError };
}
