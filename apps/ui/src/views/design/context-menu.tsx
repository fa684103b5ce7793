// Popups at a point of the canvas: a context menu (role="menu", arrow keys, Home/End, Escape), a
// searchable node picker (combobox + listbox) and a one-field form. Each closes on Escape or a click
// outside and hands the focus back to where it was.
import {
  useEffect,
  useId,
  useLayoutEffect,
  useRef,
  useState,
  type KeyboardEvent,
  type ReactNode,
} from 'react';

export interface MenuEntry {
  label: string;
  onSelect: () => void;
  shortcut?: string;
  disabled?: boolean;
  danger?: boolean;
  testId?: string;
}

export interface PopupPlace {
  x: number;
  y: number;
  onClose: () => void;
  testId: string;
  /** Where the focus goes back on close (default: what had it when the popup opened). */
  returnTo?: HTMLElement | null;
}

interface PopupProps extends PopupPlace {
  children: ReactNode;
  className?: string;
}

/** A fixed-position box kept inside the window, closed by Escape or a pointer press outside. */
function Popup({ x, y, onClose, children, testId, className, returnTo }: PopupProps) {
  const ref = useRef<HTMLDivElement>(null);
  const [pos, setPos] = useState({ x, y });
  useLayoutEffect(() => {
    const r = ref.current?.getBoundingClientRect();
    if (!r) return;
    setPos({
      x: Math.max(4, Math.min(x, window.innerWidth - r.width - 4)),
      y: Math.max(4, Math.min(y, window.innerHeight - r.height - 4)),
    });
  }, [x, y]);
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    const restore = returnTo ?? (ref.current?.contains(before) ? null : before);
    const down = (e: PointerEvent) => {
      if (!ref.current?.contains(e.target as Node)) onClose();
    };
    const key = (e: globalThis.KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        e.stopPropagation();
        onClose();
      }
    };
    document.addEventListener('pointerdown', down, true);
    document.addEventListener('keydown', key, true);
    return () => {
      document.removeEventListener('pointerdown', down, true);
      document.removeEventListener('keydown', key, true);
      // Only when the focus was left nowhere (in the closed popup): an action may have moved it on purpose.
      const lost = !document.activeElement || document.activeElement === document.body;
      if (lost && restore?.isConnected) restore.focus();
    };
  }, [onClose, returnTo]);
  return (
    <div
      ref={ref}
      className={`canvas-popup ${className ?? ''}`}
      style={{ left: pos.x, top: pos.y }}
      data-testid={testId}
      onContextMenu={(e) => e.preventDefault()}
    >
      {children}
    </div>
  );
}

export function ContextMenu({ label, items, ...place }: PopupPlace & { label: string; items: MenuEntry[] }) {
  const { onClose } = place;
  const list = useRef<HTMLDivElement>(null);
  const buttons = () => [
    ...(list.current?.querySelectorAll<HTMLButtonElement>('[role="menuitem"]:not(:disabled)') ?? []),
  ];
  useEffect(() => {
    buttons()[0]?.focus();
  }, []);
  const onKeyDown = (e: KeyboardEvent) => {
    const all = buttons();
    const i = all.indexOf(document.activeElement as HTMLButtonElement);
    const go = (n: number) => {
      e.preventDefault();
      all[(n + all.length) % all.length]?.focus();
    };
    if (e.key === 'ArrowDown') go(i + 1);
    else if (e.key === 'ArrowUp') go(i - 1);
    else if (e.key === 'Home') go(0);
    else if (e.key === 'End') go(all.length - 1);
    else if (e.key === 'Tab') {
      e.preventDefault();
      onClose();
    }
  };
  return (
    <Popup {...place}>
      <div ref={list} role="menu" aria-label={label} className="canvas-menu" onKeyDown={onKeyDown}>
        {items.map((it) => (
          <button
            key={it.label}
            type="button"
            role="menuitem"
            tabIndex={-1}
            disabled={it.disabled}
            className={`canvas-menu-item${it.danger ? ' danger' : ''}`}
            data-testid={it.testId}
            onClick={() => {
              onClose();
              it.onSelect();
            }}
          >
            <span>{it.label}</span>
            {it.shortcut && <kbd>{it.shortcut}</kbd>}
          </button>
        ))}
      </div>
    </Popup>
  );
}

export interface PickerOption {
  value: string;
  label: string;
  detail?: string;
}

/** A search field over a short list of options: type to filter, arrows to move, Enter to pick. */
export function PickerPopup({
  label,
  options,
  onPick,
  ...place
}: PopupPlace & { label: string; options: PickerOption[]; onPick: (value: string) => void }) {
  const { onClose, testId } = place;
  const id = useId();
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const q = query.trim().toLowerCase();
  const shown = options
    .filter((o) => !q || o.label.toLowerCase().includes(q) || o.detail?.toLowerCase().includes(q))
    .slice(0, 12);
  const cur = Math.min(active, shown.length - 1);
  const pick = (v: string) => {
    onClose();
    onPick(v);
  };
  return (
    <Popup {...place} className="canvas-picker">
      <input
        type="text"
        role="combobox"
        aria-label={label}
        aria-expanded="true"
        aria-controls={`${id}-list`}
        aria-activedescendant={cur >= 0 ? `${id}-${cur}` : undefined}
        placeholder={label}
        value={query}
        autoFocus
        data-testid={`${testId}-search`}
        onChange={(e) => {
          setQuery(e.target.value);
          setActive(0);
        }}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
            e.preventDefault();
            const n = shown.length || 1;
            setActive((cur + (e.key === 'ArrowDown' ? 1 : -1) + n) % n);
          } else if (e.key === 'Enter' && shown[cur]) {
            e.preventDefault();
            pick(shown[cur].value);
          } else if (e.key === 'Tab') onClose();
        }}
      />
      <ul id={`${id}-list`} role="listbox" aria-label={label} className="canvas-picker-list">
        {shown.map((o, i) => (
          <li
            key={o.value}
            id={`${id}-${i}`}
            role="option"
            aria-selected={i === cur}
            className={i === cur ? 'active' : ''}
            title={o.label}
            data-testid={`${testId}-option`}
            onPointerEnter={() => setActive(i)}
            onClick={() => pick(o.value)}
          >
            <span className="mono">{o.label}</span>
            {o.detail && <span className="muted small">{o.detail}</span>}
          </li>
        ))}
        {shown.length === 0 && <li className="muted small">Nothing matches “{query}”.</li>}
      </ul>
    </Popup>
  );
}

/** One text field with a label: Enter applies (the callback returns an error to show, or null). */
export function FieldPopup({
  label,
  initial,
  onApply,
  ...place
}: PopupPlace & { label: string; initial: string; onApply: (value: string) => string | null }) {
  const { onClose, testId } = place;
  const id = useId();
  const [text, setText] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  return (
    <Popup {...place} className="canvas-field">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const err = onApply(text.trim());
          if (err) setError(err);
          else onClose();
        }}
      >
        <label htmlFor={id} className="field-label">
          {label}
        </label>
        <input
          id={id}
          type="text"
          className="mono"
          value={text}
          autoFocus
          onFocus={(e) => e.target.select()}
          aria-invalid={error ? true : undefined}
          data-testid={`${testId}-input`}
          onChange={(e) => {
            setText(e.target.value);
            setError(null);
          }}
        />
        {error && (
          <div className="field-error" role="alert">
            {error}
          </div>
        )}
      </form>
    </Popup>
  );
}
