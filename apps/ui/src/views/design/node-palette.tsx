// The node palette: every kind the role may use, searchable, grouped by category, filtered by mode.
// Drag a kind onto the canvas, or click it (or press Enter) to add it in the middle of the view. Each
// entry shows the whole kind (short name over its namespace); its info button sits beside it, not in it.
// Outside the Design view (Monitor's staging) the host passes the mode and what a click adds.
import { useMemo, useState } from 'react';
import type { NodeDefinition, PipelineMode } from '../../api/types';
import { useAppData } from '../../state/app-data';
import { useOptionalDesign } from '../../state/design';
import { addNode } from '../../lib/graph-ops';
import { availableInMode, splitKind } from '../../lib/node-kinds';
import { packetColor, packetLabel } from '../../lib/packet-style';
import { DND_NODE } from './flow-canvas';
import { useCanvasCenter } from './use-canvas-center';

export interface NodePaletteProps {
  /** The mode whose kinds are listed; defaults to the Design view's mode. */
  mode?: PipelineMode;
  /** What a click or Enter does; defaults to adding the kind to the Design canvas. */
  onAdd?: (def: NodeDefinition) => void;
}

export function NodePalette({ mode, onAdd }: NodePaletteProps = {}) {
  const { nodeDefs, packets, bootErrors } = useAppData();
  const design = useOptionalDesign();
  const shownMode = mode ?? design?.state.mode ?? 'dynamic';
  const [query, setQuery] = useState('');
  const [open, setOpen] = useState<string | null>(null);
  const [collapsed, setCollapsed] = useState<Set<string>>(new Set());
  const center = useCanvasCenter();

  const groups = useMemo(() => {
    const q = query.trim().toLowerCase();
    const matches = nodeDefs
      .filter((d) => availableInMode(d, shownMode))
      .filter(
        (d) =>
          !q ||
          d.kind.toLowerCase().includes(q) ||
          (d.description ?? '').toLowerCase().includes(q) ||
          d.categories.some((c) => c.toLowerCase().includes(q)),
      )
      .sort((a, b) => a.kind.localeCompare(b.kind));
    const map = new Map<string, NodeDefinition[]>();
    for (const d of matches) {
      const cat = d.categories[0] ?? 'other';
      map.set(cat, [...(map.get(cat) ?? []), d]);
    }
    return [...map.entries()].sort(([a], [b]) => a.localeCompare(b));
  }, [nodeDefs, query, shownMode]);

  const add = (d: NodeDefinition) => {
    if (onAdd || !design) return onAdd?.(d);
    const r = addNode(design.graph, d.kind, d, center());
    design.dispatch({ type: 'graph', graph: r.graph });
    design.dispatch({ type: 'select', ids: [r.id] });
  };

  const hidden = nodeDefs.length - nodeDefs.filter((d) => availableInMode(d, shownMode)).length;
  return (
    <div className="palette" data-testid="node-palette">
      <input
        type="search"
        className="search"
        placeholder="Search nodes  ( / )"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        data-testid="palette-search"
        aria-label="Search nodes"
      />
      {nodeDefs.length === 0 && (
        <p className="muted small">
          {bootErrors.length
            ? 'Node kinds could not be loaded. ' + bootErrors.join('; ')
            : 'No node kinds available to this role.'}
        </p>
      )}
      {groups.length === 0 && nodeDefs.length > 0 && (
        <p className="muted small">No node matches “{query}”.</p>
      )}
      {groups.map(([cat, defs]) => {
        const isCollapsed = collapsed.has(cat) && !query;
        return (
          <section key={cat} className="palette-group">
            <button
              className="palette-cat"
              aria-expanded={!isCollapsed}
              onClick={() =>
                setCollapsed((s) => {
                  const n = new Set(s);
                  if (n.has(cat)) n.delete(cat);
                  else n.add(cat);
                  return n;
                })
              }
            >
              <span className={`caret${isCollapsed ? '' : ' open'}`}>▸</span> {cat}{' '}
              <span className="count">{defs.length}</span>
            </button>
            {!isCollapsed &&
              defs.map((d) => {
                const { name, namespace } = splitKind(d.kind);
                return (
                  <div key={d.kind} className="palette-item-wrap">
                    <div className="palette-row">
                      <div
                        className="palette-item"
                        role="button"
                        tabIndex={0}
                        draggable
                        aria-label={`Add ${d.kind}`}
                        data-testid={`palette-node-${d.kind}`}
                        title={`${d.kind}\n${d.description ?? ''}\nDrag onto the canvas, or click to add`}
                        onDragStart={(e) => {
                          e.dataTransfer.setData(DND_NODE, d.kind);
                          e.dataTransfer.setData('text/plain', d.kind);
                          e.dataTransfer.effectAllowed = 'copy';
                        }}
                        onClick={() => add(d)}
                        onKeyDown={(e) => {
                          if (e.key === 'Enter' || e.key === ' ') {
                            e.preventDefault();
                            add(d);
                          }
                        }}
                      >
                        <span className="pins-mini" aria-hidden="true">
                          {[
                            ...d.inputs.map((p) => p.accepts_types[0] ?? 'Any'),
                            ...d.outputs.map((p) => p.produces_type),
                          ]
                            .slice(0, 3)
                            .map((t, i) => (
                              <span key={i} className="dot" style={{ background: packetColor(t, packets) }} />
                            ))}
                        </span>
                        <span className="palette-names">
                          <span className="palette-name" data-testid="palette-name">
                            {name}
                          </span>
                          {namespace && (
                            <span className="palette-ns" data-testid="palette-ns">
                              {namespace}
                            </span>
                          )}
                        </span>
                      </div>
                      <button
                        type="button"
                        className="icon-btn info"
                        aria-label={`About ${d.kind}`}
                        aria-expanded={open === d.kind}
                        onClick={() => setOpen(open === d.kind ? null : d.kind)}
                      >
                        i
                      </button>
                    </div>
                    {open === d.kind && (
                      <div className="palette-details">
                        <p>{d.description ?? 'No description.'}</p>
                        {d.inputs.map((p) => (
                          <div key={`i${p.name}`} className="small">
                            in <code>{p.name}</code>:{' '}
                            {p.accepts_types.map((t) => packetLabel(t, packets)).join(' | ')}
                          </div>
                        ))}
                        {d.outputs.map((p) => (
                          <div key={`o${p.name}`} className="small">
                            out <code>{p.name}</code>: {packetLabel(p.produces_type, packets)}
                          </div>
                        ))}
                        {d.param_schema.properties && (
                          <div className="small muted">
                            params: {Object.keys(d.param_schema.properties).join(', ')}
                          </div>
                        )}
                      </div>
                    )}
                  </div>
                );
              })}
          </section>
        );
      })}
      {hidden > 0 && (
        <p className="muted small palette-foot">
          {hidden} {shownMode === 'oneshot' ? 'dynamic-only' : 'oneshot-only'} kind{hidden === 1 ? '' : 's'}{' '}
          hidden in {shownMode} mode.
        </p>
      )}
    </div>
  );
}
