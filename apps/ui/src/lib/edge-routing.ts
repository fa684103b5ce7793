// Orthogonal edge routes that go around node boxes: out of the source pin to the right, into the target
// pin from the left. A forward edge takes one vertical run between the two nodes when it is clear;
// otherwise (and for edges pointing backwards) the route takes a horizontal channel above or below the
// boxes in its way, falling back to a channel around everything.
import type { XY } from './graph';

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** How far a route leaves a pin (and keeps from boxes) before turning. */
export const ROUTE_MARGIN = 16;
const MAX_CANDIDATES = 6;

/** Whether an axis-aligned segment runs through a box's interior (touching its border is allowed). */
export function segmentHitsBox(a: XY, b: XY, box: Box, inset = 1): boolean {
  const left = box.x + inset;
  const right = box.x + box.width - inset;
  const top = box.y + inset;
  const bottom = box.y + box.height - inset;
  if (right <= left || bottom <= top) return false;
  const [x0, x1] = a.x < b.x ? [a.x, b.x] : [b.x, a.x];
  const [y0, y1] = a.y < b.y ? [a.y, b.y] : [b.y, a.y];
  return x1 > left && x0 < right && y1 > top && y0 < bottom;
}

export function pathIsClear(points: XY[], boxes: Box[]): boolean {
  for (let i = 1; i < points.length; i++)
    for (const b of boxes) if (segmentHitsBox(points[i - 1], points[i], b)) return false;
  return true;
}

const uniq = (xs: number[]) => [...new Set(xs.map((x) => Math.round(x)))];

const length = (ps: XY[]) =>
  ps.slice(1).reduce((n, p, i) => n + Math.abs(p.x - ps[i].x) + Math.abs(p.y - ps[i].y), 0);

/** Drops repeated points and merges collinear runs. */
function simplify(ps: XY[]): XY[] {
  const out: XY[] = [];
  for (const p of ps) {
    const last = out.at(-1);
    if (last && last.x === p.x && last.y === p.y) continue;
    const prev = out.at(-2);
    if (last && prev && ((prev.x === last.x && last.x === p.x) || (prev.y === last.y && last.y === p.y)))
      out[out.length - 1] = p;
    else out.push(p);
  }
  return out;
}

/** The route from a source pin `s` (on a node's right side) to a target pin `t` (on a left side). */
export function routeEdge(s: XY, t: XY, boxes: Box[], m = ROUTE_MARGIN): XY[] {
  const stubClear = (x: number, y: number, from: number) =>
    pathIsClear(
      [
        { x: from, y },
        { x, y },
      ],
      boxes,
    );
  const x1s = uniq([s.x + m, ...boxes.map((b) => b.x + b.width + m)].filter((x) => x >= s.x + m))
    .sort((a, b) => a - b)
    .filter((x) => stubClear(x, s.y, s.x))
    .slice(0, MAX_CANDIDATES);
  const x2s = uniq([t.x - m, ...boxes.map((b) => b.x - m)].filter((x) => x <= t.x - m))
    .sort((a, b) => b - a)
    .filter((x) => stubClear(x, t.y, t.x))
    .slice(0, MAX_CANDIDATES);

  if (t.x - m >= s.x + m) {
    const mid = Math.round((s.x + t.x) / 2);
    const xs = uniq([mid, ...x1s, ...x2s]).filter((x) => x >= s.x + m && x <= t.x - m);
    xs.sort((a, b) => Math.abs(a - mid) - Math.abs(b - mid));
    for (const x of xs) {
      const ps = [s, { x, y: s.y }, { x, y: t.y }, t];
      if (pathIsClear(ps, boxes)) return simplify(ps);
    }
  }

  const top = Math.min(s.y, t.y, ...boxes.map((b) => b.y)) - 2 * m;
  const bottom = Math.max(s.y, t.y, ...boxes.map((b) => b.y + b.height)) + 2 * m;
  const ys = uniq([s.y, t.y, top, bottom, ...boxes.flatMap((b) => [b.y - m, b.y + b.height + m])]);
  const routes: XY[][] = [];
  for (const x1 of x1s)
    for (const x2 of x2s)
      for (const y of ys)
        routes.push([s, { x: x1, y: s.y }, { x: x1, y }, { x: x2, y }, { x: x2, y: t.y }, t]);
  routes.sort((a, b) => length(a) - length(b));
  for (const ps of routes) if (pathIsClear(ps, boxes)) return simplify(ps);
  // Nothing is clear (boxes overlap the pins): the shortest honest shape.
  return simplify([
    s,
    { x: s.x + m, y: s.y },
    { x: s.x + m, y: bottom },
    { x: t.x - m, y: bottom },
    { x: t.x - m, y: t.y },
    t,
  ]);
}

/** An SVG path through the route's points with rounded corners. */
export function roundedPath(ps: XY[], radius = 8): string {
  if (ps.length === 0) return '';
  let d = `M ${ps[0].x} ${ps[0].y}`;
  for (let i = 1; i < ps.length - 1; i++) {
    const [a, b, c] = [ps[i - 1], ps[i], ps[i + 1]];
    const r = Math.min(radius, Math.hypot(b.x - a.x, b.y - a.y) / 2, Math.hypot(c.x - b.x, c.y - b.y) / 2);
    const inX = Math.sign(b.x - a.x);
    const inY = Math.sign(b.y - a.y);
    const outX = Math.sign(c.x - b.x);
    const outY = Math.sign(c.y - b.y);
    d += ` L ${b.x - inX * r} ${b.y - inY * r} Q ${b.x} ${b.y} ${b.x + outX * r} ${b.y + outY * r}`;
  }
  const last = ps[ps.length - 1];
  return `${d} L ${last.x} ${last.y}`;
}

/** Where a label sits: the middle of the route's longest segment. */
export function labelPoint(ps: XY[]): XY {
  let best = { x: ps[0]?.x ?? 0, y: ps[0]?.y ?? 0 };
  let longest = -1;
  for (let i = 1; i < ps.length; i++) {
    const len = Math.abs(ps[i].x - ps[i - 1].x) + Math.abs(ps[i].y - ps[i - 1].y);
    if (len > longest) {
      longest = len;
      best = { x: (ps[i].x + ps[i - 1].x) / 2, y: (ps[i].y + ps[i - 1].y) / 2 };
    }
  }
  return best;
}
