// A grid of pipeline cards to pick one from (Convert's and Stream's pipeline choice).
import type { ReactNode } from 'react';

export interface SourceItem {
  id: string;
  name: string;
  description?: string;
  /** Shown after the name, e.g. a "system" chip. */
  badge?: ReactNode;
}

export function SourceGrid({
  items,
  picked,
  onPick,
  group,
  testId,
}: {
  items: SourceItem[];
  picked: string | null;
  onPick: (id: string) => void;
  /** Radio group name. */
  group: string;
  /** Test id of each card; the card also carries `data-source-id`. */
  testId: string;
}) {
  return (
    <div className="source-grid" role="radiogroup" aria-label="Pipeline">
      {items.map((s) => (
        <label
          key={s.id}
          className={`source-card${s.id === picked ? ' picked' : ''}`}
          data-testid={testId}
          data-source-id={s.id}
        >
          <input type="radio" name={group} checked={s.id === picked} onChange={() => onPick(s.id)} />
          <span className="source-name">
            {s.name}
            {s.badge && <> {s.badge}</>}
          </span>
          {s.description && <span className="source-desc">{s.description}</span>}
        </label>
      ))}
    </div>
  );
}
