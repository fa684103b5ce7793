// A node's failure (or degradation) reason behind a badge: hovering or focusing the badge shows it in a
// popover, clicking pins it open until Escape or a click elsewhere. The popover is portalled to the page
// so it floats over the canvas instead of growing the node into its neighbours.
import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { createPortal } from 'react-dom';

interface Props {
  nodeId: string;
  status: string;
  reason: string;
}

const POPOVER_WIDTH = 320;

export function NodeErrorBadge({ nodeId, status, reason }: Props) {
  const popoverId = useId();
  const badge = useRef<HTMLButtonElement>(null);
  const popover = useRef<HTMLDivElement>(null);
  const [pinned, setPinned] = useState(false);
  const [hovered, setHovered] = useState(false);
  const [at, setAt] = useState<{ left: number; top: number } | null>(null);
  const open = pinned || hovered;
  const failed = status === 'Failed';

  const place = useCallback(() => {
    const r = badge.current?.getBoundingClientRect();
    if (!r) return;
    const left = Math.round(Math.max(8, Math.min(r.left - 12, window.innerWidth - POPOVER_WIDTH - 8)));
    const top = Math.round(r.bottom + 8);
    setAt((p) => (p && p.left === left && p.top === top ? p : { left, top }));
  }, []);

  // Follow the badge while open: the canvas pans and zooms under it.
  useEffect(() => {
    if (!open) return;
    let frame = requestAnimationFrame(function follow() {
      place();
      frame = requestAnimationFrame(follow);
    });
    return () => cancelAnimationFrame(frame);
  }, [open, place]);

  useEffect(() => {
    if (!pinned) return;
    const away = (e: PointerEvent) => {
      const t = e.target as Node | null;
      if (t && (badge.current?.contains(t) || popover.current?.contains(t))) return;
      setPinned(false);
    };
    const esc = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      setPinned(false);
      setHovered(false);
    };
    document.addEventListener('pointerdown', away);
    document.addEventListener('keydown', esc);
    return () => {
      document.removeEventListener('pointerdown', away);
      document.removeEventListener('keydown', esc);
    };
  }, [pinned]);

  return (
    <>
      <button
        ref={badge}
        type="button"
        className={`badge nodrag ${failed ? 'badge-error' : 'badge-warn'} node-error-badge`}
        aria-label={`${status}: show the reason for ${nodeId}`}
        aria-expanded={open}
        aria-describedby={open ? popoverId : undefined}
        data-testid={`node-error-badge-${nodeId}`}
        onMouseEnter={() => setHovered(true)}
        onMouseLeave={() => setHovered(false)}
        onFocus={() => setHovered(true)}
        onBlur={() => setHovered(false)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            setPinned(false);
            setHovered(false);
          }
        }}
        onClick={(e) => {
          e.stopPropagation();
          setPinned((p) => !p);
        }}
      >
        !
      </button>
      {open &&
        at &&
        createPortal(
          <div
            ref={popover}
            id={popoverId}
            role="tooltip"
            className={`node-error-popover ${failed ? 'is-error' : 'is-warn'}`}
            style={{ left: at.left, top: at.top, width: POPOVER_WIDTH }}
            data-testid={`node-error-popover-${nodeId}`}
          >
            <div className="node-error-title">
              <b className="mono">{nodeId}</b> {status.toLowerCase()}
            </div>
            <div className="node-error-reason">{reason}</div>
          </div>,
          document.body,
        )}
    </>
  );
}
