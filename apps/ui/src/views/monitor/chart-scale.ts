// Scales for the telemetry chart and the session uptime: "nice" value ticks, time ticks in seconds
// before now, and durations as text.

/** Ticks from 0 to at least `max` with a step of 1, 2 or 5 times a power of ten (about `count` of them). */
export function valueTicks(max: number, count = 4): number[] {
  const top = Math.max(max, 1);
  const raw = top / count;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw) ?? 10 * pow;
  const ticks: number[] = [];
  for (let v = 0; v < top + step; v += step) {
    ticks.push(Number(v.toPrecision(12)));
    if (v >= top) break;
  }
  return ticks;
}

/** Ticks in seconds before the newest sample (0 = now), every 15, 30 or 60 s across `spanSecs`. */
export function timeTicks(spanSecs: number): number[] {
  const step = spanSecs <= 60 ? 15 : spanSecs <= 150 ? 30 : 60;
  const ticks: number[] = [];
  for (let t = 0; t <= spanSecs; t += step) ticks.push(t);
  return ticks;
}

/** `0s`, `42s`, `3m 05s`, `2h 03m`, `4d 02h`: precise while short, coarse when long. */
export function formatDuration(totalSecs: number): string {
  const s = Math.max(0, Math.floor(totalSecs));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  if (d > 0) return `${d}d ${two(h)}h`;
  if (h > 0) return `${h}h ${two(m)}m`;
  if (m > 0) return `${m}m ${two(sec)}s`;
  return `${sec}s`;
}
