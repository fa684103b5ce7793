// The telemetry timeline: total packets/s of the session over the last two minutes on a chart with a
// time axis (seconds before now) and a value axis (pkt/s), the latest totals, and the telemetry events
// nodes emitted.
import { useId } from 'react';
import { formatDuration, timeTicks, valueTicks } from './chart-scale';
import type { StatsPoint, TelemetryItem } from './use-live-session';
import './telemetry-timeline.css';

const W = 316;
const H = 168;
const M = { left: 44, right: 10, top: 10, bottom: 36 };
const PLOT_W = W - M.left - M.right;
const PLOT_H = H - M.top - M.bottom;
/** The chart always spans at least this much, so the first seconds do not stretch across it. */
const MIN_SPAN_SECS = 30;

const fmtValue = (v: number) => (v >= 1000 ? `${Number((v / 1000).toFixed(1))}k` : String(v));

function PpsChart({ history }: { history: StatsPoint[] }) {
  const titleId = useId();
  const descId = useId();
  const newest = history[history.length - 1].at;
  const span = Math.max(MIN_SPAN_SECS, Math.ceil((newest - history[0].at) / 1000));
  const peak = Math.max(...history.map((p) => p.pps));
  const yTicks = valueTicks(peak);
  const top = yTicks[yTicks.length - 1];
  const x = (secsAgo: number) => M.left + (1 - secsAgo / span) * PLOT_W;
  const y = (v: number) => M.top + (1 - v / top) * PLOT_H;
  const points = history.map((p) => `${x((newest - p.at) / 1000).toFixed(1)},${y(p.pps).toFixed(1)}`);
  const latest = Math.round(history[history.length - 1].pps);
  return (
    <svg
      viewBox={`0 0 ${W} ${H}`}
      className="telemetry-chart"
      role="img"
      aria-labelledby={titleId}
      aria-describedby={descId}
      data-testid="telemetry-chart"
    >
      <title id={titleId}>{`Packets per second, all nodes, over the last ${formatDuration(span)}`}</title>
      <desc id={descId}>{`Latest ${latest} pkt/s, peak ${Math.round(peak)} pkt/s.`}</desc>
      <g className="chart-axis" data-testid="telemetry-y-axis">
        {yTicks.map((v) => (
          <g key={v}>
            <line className="chart-grid" x1={M.left} x2={W - M.right} y1={y(v)} y2={y(v)} />
            <text x={M.left - 6} y={y(v)} textAnchor="end" dominantBaseline="middle">
              {fmtValue(v)}
            </text>
          </g>
        ))}
        <text
          className="chart-axis-title"
          transform={`translate(11 ${M.top + PLOT_H / 2}) rotate(-90)`}
          textAnchor="middle"
          data-testid="telemetry-y-label"
        >
          pkt/s
        </text>
      </g>
      <g className="chart-axis" data-testid="telemetry-x-axis">
        <line x1={M.left} x2={W - M.right} y1={M.top + PLOT_H} y2={M.top + PLOT_H} />
        {timeTicks(span).map((t) => (
          <g key={t}>
            <line x1={x(t)} x2={x(t)} y1={M.top + PLOT_H} y2={M.top + PLOT_H + 4} />
            <text x={x(t)} y={M.top + PLOT_H + 15} textAnchor={t === 0 ? 'end' : 'middle'}>
              {t === 0 ? 'now' : `−${t}s`}
            </text>
          </g>
        ))}
        <text
          className="chart-axis-title"
          x={M.left + PLOT_W / 2}
          y={H - 3}
          textAnchor="middle"
          data-testid="telemetry-x-label"
        >
          time (seconds before now)
        </text>
      </g>
      <polyline className="chart-line" points={points.join(' ')} />
    </svg>
  );
}

export function TelemetryTimeline({ history, events }: { history: StatsPoint[]; events: TelemetryItem[] }) {
  const last = history[history.length - 1];
  return (
    <div className="telemetry" data-testid="telemetry-timeline">
      <h3 className="ops-title">Packets per second (all nodes)</h3>
      {history.length < 2 ? (
        <p className="muted small">Waiting for stats…</p>
      ) : (
        <PpsChart history={history} />
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
