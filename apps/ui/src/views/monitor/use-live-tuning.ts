// Live tuning of a running node: the control shows the new value at once (an override), the server call
// waits for the user to pause; a refused value rolls back to the server's and says why.
import { useCallback, useEffect, useRef, useState } from 'react';
import { sessionsApi } from '../../api/sessions';
import { useToast } from '../../components/toasts';
import { errorMessage } from '../../lib/format';

const TUNE_DEBOUNCE_MS = 150;

export type Overrides = Record<string, Record<string, unknown>>;

export function useLiveTuning(
  sessionId: string | null,
  onTuned: (nodeId: string, params: Record<string, unknown>) => void,
) {
  const toast = useToast();
  const [overrides, setOverrides] = useState<Overrides>({});
  const [tuneError, setTuneError] = useState<string | null>(null);
  const timers = useRef(new Map<string, number>());

  useEffect(() => {
    const t = timers.current;
    setOverrides({});
    setTuneError(null);
    return () => {
      t.forEach((id) => window.clearTimeout(id));
      t.clear();
    };
  }, [sessionId]);

  const tune = useCallback(
    (nodeId: string, key: string, value: unknown) => {
      if (!sessionId) return;
      setOverrides((o) => ({ ...o, [nodeId]: { ...o[nodeId], [key]: value } }));
      const timerKey = `${nodeId}\u0000${key}`;
      window.clearTimeout(timers.current.get(timerKey));
      timers.current.set(
        timerKey,
        window.setTimeout(() => {
          timers.current.delete(timerKey);
          const clear = () =>
            setOverrides((o) => {
              const rest = { ...o[nodeId] };
              delete rest[key];
              return { ...o, [nodeId]: rest };
            });
          sessionsApi.tune(sessionId, nodeId, { [key]: value }).then(
            (p) => {
              onTuned(nodeId, p);
              setTuneError(null);
              clear();
            },
            (e: unknown) => {
              clear();
              const m = `Could not set ${nodeId}.${key} to ${JSON.stringify(value)}: ${errorMessage(e)}`;
              setTuneError(m);
              toast.error(m);
            },
          );
        }, TUNE_DEBOUNCE_MS),
      );
    },
    [sessionId, onTuned, toast],
  );

  return { overrides, tune, tuneError, dismissTuneError: () => setTuneError(null) };
}
