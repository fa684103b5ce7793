// A node on the Monitor canvas: pins coloured by packet type as in Design (connectable while staging),
// its state (the reason behind an error badge), its stats, and sliders for live-tunable ranged params.
import { Handle, Position, type Node, type NodeProps } from '@xyflow/react';
import { memo, type CSSProperties } from 'react';
import type { NodeStateView } from '../../api/sessions';
import type { NodeDefinition, PacketTypeMeta } from '../../api/types';
import { packetColor, packetLabel } from '../../lib/packet-style';
import type { InputPinView, OutputPinView } from '../../lib/pins';
import { describeParams } from '../../lib/schema-form';
import type { StagedNode } from '../../lib/staging';
import { NodeErrorBadge } from './node-error-badge';
import type { RateView } from './use-live-session';

export interface MonitorNodeData extends Record<string, unknown> {
  node: StagedNode;
  def: NodeDefinition | undefined;
  state: NodeStateView | undefined;
  rate: RateView | undefined;
  inputs: InputPinView[];
  outputs: OutputPinView[];
  packets: PacketTypeMeta[];
  staged: boolean;
  onParam: (nodeId: string, key: string, value: number) => void;
  onRemove: ((nodeId: string) => void) | null;
}

export type MonitorFlowNode = Node<MonitorNodeData, 'monitor'>;

const spread = (i: number, n: number) => `${((i + 1) / (n + 1)) * 100}%`;
const fmt = (n: number) => (n >= 100 ? Math.round(n).toString() : n.toFixed(1));
/** States whose reason is a problem worth a badge (a `Stopped` node says why, but that is not one). */
const TROUBLED = new Set(['Failed', 'Degraded', 'Recovering']);

function MonitorNodeView({ data, selected }: NodeProps<MonitorFlowNode>) {
  const { node, def, state, rate, inputs, outputs, packets } = data;
  const status = state?.status ?? (data.staged ? 'Staged' : 'Unknown');
  const sliders = describeParams(def?.param_schema).filter((f) => f.kind === 'range' && f.tunable);
  return (
    <div
      className={`pnode mnode state-${status.toLowerCase()}${selected ? ' selected' : ''}`}
      data-testid={`monitor-node-${node.id}`}
      data-state={status}
      title={`${node.id}: ${status}`}
    >
      {inputs.map((p, i) => (
        <Handle
          key={p.name}
          id={p.name}
          type="target"
          position={Position.Top}
          className={`pin${p.ghost ? ' pin-ghost' : ''}`}
          data-testid={`monitor-pin-${node.id}-in-${p.ghost ? 'new' : p.name}`}
          style={
            {
              left: spread(i, inputs.length),
              '--pin': packetColor(p.accepts[0] ?? 'Any', packets),
            } as CSSProperties
          }
          title={`${p.name} ← ${p.accepts.map((t) => packetLabel(t, packets)).join(' | ')}`}
        />
      ))}
      <div className="pnode-head">
        <span className={`state-dot state-${status.toLowerCase()}`} aria-hidden="true" />
        <span className="pnode-id">{node.id}</span>
        {state?.reason && TROUBLED.has(status) && (
          <NodeErrorBadge nodeId={node.id} status={status} reason={state.reason} />
        )}
        <span className="muted small mnode-status" data-testid={`node-state-${node.id}`}>
          {status}
        </span>
        {data.onRemove && (
          <button
            className="icon-btn nodrag mnode-remove"
            aria-label={`Remove node ${node.id}`}
            data-testid={`remove-node-${node.id}`}
            onClick={(e) => {
              e.stopPropagation();
              data.onRemove?.(node.id);
            }}
          >
            ×
          </button>
        )}
      </div>
      <div className="pnode-kind">{node.kind}</div>
      {rate && (
        <div className="mnode-stats small" data-testid={`node-stats-${node.id}`}>
          {fmt(rate.pps)} pkt/s · {rate.stats.discarded} drops · {rate.stats.errored} errors
        </div>
      )}
      {sliders.map((f) => {
        const v = node.params[f.key];
        const value = typeof v === 'number' ? v : typeof f.default === 'number' ? f.default : (f.min ?? 0);
        return (
          <label key={f.key} className="pnode-slider nodrag">
            <span className="pnode-slider-label">
              {f.label} <b data-testid={`live-value-${node.id}-${f.key}`}>{Number(value.toFixed(3))}</b>
            </span>
            <input
              type="range"
              min={f.min}
              max={f.max}
              step={f.step}
              value={value}
              data-testid={`live-param-${node.id}-${f.key}`}
              onChange={(e) => data.onParam(node.id, f.key, Number(e.target.value))}
            />
          </label>
        );
      })}
      {outputs.map((p, i) => (
        <Handle
          key={p.name}
          id={p.name}
          type="source"
          position={Position.Bottom}
          className="pin"
          data-testid={`monitor-pin-${node.id}-out-${p.name}`}
          style={
            { left: spread(i, outputs.length), '--pin': packetColor(p.produces, packets) } as CSSProperties
          }
          title={`${p.name} → ${packetLabel(p.produces, packets)}`}
        />
      ))}
    </div>
  );
}

export const MonitorNode = memo(MonitorNodeView);
