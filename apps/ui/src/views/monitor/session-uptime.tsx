// How long the selected session has run, from its `createdAt`, ticking once a second.
import { useEffect, useState } from 'react';
import { formatDuration } from './chart-scale';

export function SessionUptime({ createdAt }: { createdAt: string }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(t);
  }, []);
  const started = Date.parse(createdAt);
  if (!Number.isFinite(started)) return null;
  const secs = Math.max(0, (now - started) / 1000);
  return (
    <span className="muted small session-uptime" title={`Started ${new Date(started).toLocaleString()}`}>
      up{' '}
      <time dateTime={`PT${Math.floor(secs)}S`} data-testid="session-uptime" data-seconds={Math.floor(secs)}>
        {formatDuration(secs)}
      </time>
    </span>
  );
}
