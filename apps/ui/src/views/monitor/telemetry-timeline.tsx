// The telemetry timeline: total packets/s of the session over the last two minutes (with errors and
// drops), and the latest telemetry events nodes emitted.
import type { StatsPoint, TelemetryItem } from './use-live-session';
import './telemetry-timeline.css';

const W = 300;
const H = 80;

export function TelemetryTimeline({ history, events }: { history: StatsPoint[]; events: TelemetryItem[] }) {
  const max = Math.max(1, ...history.map((p) => p.pps));
  const t0 = history[0]?.at ?? 0;
  const span = Math.max(1, (history[history.length - 1]?.at ?? 1) - t0);
  const points = history.map((p) => `${((p.at - t0) / span) * W},${H - (p.pps / max) * (H - 4)}`).join(' ');
  const last = history[history.length - 1];
  return (
    <div className="telemetry" data-testid="telemetry-timeline">
      <h3 className="ops-title">Packets per second (all nodes)</h3>
      {history.length < 2 ? (
        <p className="muted small">Waiting for stats…</p>
      ) : (
        <svg
          viewBox={`0 0 ${W} ${H}`}
          className="sparkline"
          preserveAspectRatio="none"
          role="img"
          aria-label="Packets per second over time"
        >
          <polyline points={points} fill="none" stroke="var(--accent)" strokeWidth="1.5" />
        </svg>
      )}
      {last && (
        <p className="small" data-testid="telemetry-totals">
          {Math.round(last.pps)} pkt/s · {last.drops} drops · {last.errors} errors
        </p>
      )}
      <h3 className="ops-title">Events</h3>
      {events.length === 0 && <p className="muted small">No telemetry events yet.</p>}
      <ol className="telemetry-events mono small">
        {events
          .slice()
          .reverse()
          .map((e, i) => (
            <li key={`${e.at}-${i}`}>
              <span className="muted">{new Date(e.at).toLocaleTimeString()}</span> <b>{e.nodeId}</b> {e.label}
            </li>
          ))}
      </ol>
    </div>
  );
}
