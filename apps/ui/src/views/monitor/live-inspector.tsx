// The Monitor's inspector: the selected node's kind, state, stats, pins and params in the same
// schema form as Design's inspector. On a running node (or one staged for change) only the
// live-tunable params are editable; a node staged for adding takes every param.
import type { NodeStateView } from '../../api/sessions';
import type { PacketTypeMeta } from '../../api/types';
import { SchemaForm } from '../../components/schema-form';
import type { PipelineGraph } from '../../lib/graph';
import { packetColor, packetLabel } from '../../lib/packet-style';
import { inputPins, outputPins, type DefinitionLookup } from '../../lib/pins';
import { describeParams } from '../../lib/schema-form';
import type { StagedNode } from '../../lib/staging';
import { splitByTunable } from './live-model';
import type { RateView } from './use-live-session';

interface Props {
  node: StagedNode;
  graph: PipelineGraph;
  lookup: DefinitionLookup;
  packets: PacketTypeMeta[];
  state: NodeStateView | undefined;
  rate: RateView | undefined;
  /** Not in the running pipeline yet: staged for adding. */
  isNew: boolean;
  staging: boolean;
  canModify: boolean;
  onParam: (path: string[], value: unknown) => void;
  onRemove: (() => void) | null;
}

export function LiveInspector(p: Props) {
  const { node, graph, lookup, packets, state, rate } = p;
  const def = lookup(node.kind);
  const status = state?.status ?? (p.isNew ? 'Staged' : 'Unknown');
  const { tunable, fixed } = splitByTunable(def?.param_schema);
  const hasFixed = describeParams(fixed).length > 0;
  const graphNode = graph.nodes.find((n) => n.id === node.id) ?? { ...node, position: { x: 0, y: 0 } };
  return (
    <div className="inspector live-inspector" data-testid="monitor-inspector">
      <div className="kind-line">
        <b className="mono" data-testid="monitor-inspector-id">
          {node.id}
        </b>
        <code>{node.kind}</code>
      </div>
      <div className="kind-line small">
        <span className={`state-dot state-${status.toLowerCase()}`} aria-hidden="true" />
        <span>{status}</span>
        {p.isNew && <span className="chip chip-accent">new</span>}
      </div>
      {state?.reason && (
        <p className={`small inspector-reason state-${status.toLowerCase()}`}>{state.reason}</p>
      )}
      {def?.description && <p className="muted small">{def.description}</p>}
      {!def && (
        <p className="field-error">Unknown kind: the server does not offer '{node.kind}' to this role.</p>
      )}
      {rate && (
        <dl className="inspector-stats small" data-testid="monitor-inspector-stats">
          <dt>sent</dt>
          <dd>{rate.stats.sent}</dd>
          <dt>received</dt>
          <dd>{rate.stats.received}</dd>
          <dt>drops</dt>
          <dd>{rate.stats.discarded}</dd>
          <dt>errors</dt>
          <dd>{rate.stats.errored}</dd>
        </dl>
      )}
      {p.isNew ? (
        <>
          <div className="section-title">Parameters</div>
          <SchemaForm
            schema={def?.param_schema}
            value={node.params}
            testIdPrefix="inspector-field"
            disabled={!p.canModify}
            onChange={p.onParam}
          />
        </>
      ) : (
        <>
          <div className="section-title">
            {p.staging ? 'Live parameters (staged until applied)' : 'Live parameters'}
          </div>
          {describeParams(tunable).length === 0 ? (
            <p className="muted small">No parameter of this kind can change while it runs.</p>
          ) : (
            <SchemaForm
              schema={tunable}
              value={node.params}
              testIdPrefix="inspector-field"
              disabled={!p.canModify}
              onChange={p.onParam}
            />
          )}
          {hasFixed && (
            <details className="inspector-fixed">
              <summary className="section-title">Fixed while running</summary>
              <SchemaForm
                schema={fixed}
                value={node.params}
                testIdPrefix="inspector-fixed"
                disabled
                onChange={() => undefined}
              />
            </details>
          )}
        </>
      )}
      <div className="section-title">Pins</div>
      <ul className="pin-list">
        {inputPins(graphNode, def, graph.edges)
          .filter((pin) => !pin.ghost)
          .map((pin) => (
            <li key={`i-${pin.name}`}>
              <span
                className="swatch"
                style={{ background: packetColor(pin.accepts[0] ?? 'Any', packets) }}
              />{' '}
              in <code>{pin.name}</code>{' '}
              <span className="muted">{pin.accepts.map((t) => packetLabel(t, packets)).join(' | ')}</span>
            </li>
          ))}
        {outputPins(graph, graphNode, def, lookup).map((pin) => (
          <li key={`o-${pin.name}`}>
            <span className="swatch" style={{ background: packetColor(pin.produces, packets) }} /> out{' '}
            <code>{pin.name}</code> <span className="muted">{packetLabel(pin.produces, packets)}</span>
          </li>
        ))}
      </ul>
      {p.onRemove && (
        <div className="row gap top-gap">
          <button className="btn danger small" data-testid="monitor-inspector-remove" onClick={p.onRemove}>
            {p.staging ? 'Remove node (staged)' : 'Remove node'}
          </button>
        </div>
      )}
    </div>
  );
}
