// Where to put something added without a drop point: the middle of the visible canvas, nudged so
// repeated additions do not stack exactly.
import { useReactFlow } from '@xyflow/react';
import { useCallback, useRef } from 'react';

export function useCanvasCenter(): () => { x: number; y: number } {
  const flow = useReactFlow();
  const nudge = useRef(0);
  return useCallback(() => {
    const el = document.querySelector('[data-testid="flow-canvas"]');
    const r = el?.getBoundingClientRect();
    const p = r
      ? flow.screenToFlowPosition({ x: r.left + r.width / 2, y: r.top + r.height / 2 })
      : { x: 0, y: 0 };
    const k = nudge.current++ % 6;
    return { x: Math.round(p.x - 120 + k * 24), y: Math.round(p.y - 40 + k * 24) };
  }, [flow]);
}
