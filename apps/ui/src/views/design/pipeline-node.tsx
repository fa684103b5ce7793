// A pipeline node on the canvas: input pins on the left, outputs on the right (data flows left to right,
// as auto-layout lays it out), coloured by packet type, with its id, kind, problems (error and warning
// badges, their messages in the tooltips), and sliders for its live-tunable ranged params.
import { Handle, Position, type NodeProps, type Node } from '@xyflow/react';
import { memo, type CSSProperties } from 'react';
import type { NodeDefinition, PacketTypeMeta } from '../../api/types';
import type { GraphNode } from '../../lib/graph';
import { packetColor, packetLabel } from '../../lib/packet-style';
import type { InputPinView, OutputPinView } from '../../lib/pins';
import { canvasSliders, pinsMinHeight } from '../../lib/layout';
import type { Issue } from '../../lib/validate';

export interface PipelineNodeData extends Record<string, unknown> {
  node: GraphNode;
  def: NodeDefinition | undefined;
  inputs: InputPinView[];
  outputs: OutputPinView[];
  issues: Issue[];
  serverError: boolean;
  packets: PacketTypeMeta[];
  onParam: (nodeId: string, path: string[], value: unknown) => void;
}

export type PipelineFlowNode = Node<PipelineNodeData, 'pipeline'>;

const spread = (i: number, n: number) => `${((i + 1) / (n + 1)) * 100}%`;

function cardinalityText(c: InputPinView['cardinality']) {
  if (c === 'One') return 'one connection';
  if (c === 'Broadcast') return 'fans out';
  return 'add a connection to create a pin';
}

function PipelineNodeView({ data, selected }: NodeProps<PipelineFlowNode>) {
  const { node, def, inputs, outputs, issues, packets, serverError } = data;
  const errors = issues.filter((i) => i.severity === 'error');
  const warnings = issues.filter((i) => i.severity === 'warning');
  const sliders = canvasSliders(def);
  const state = errors.length || serverError ? 'error' : warnings.length ? 'warning' : 'ok';
  return (
    <div
      className={`pnode pnode-${state}${selected ? ' selected' : ''}${def ? '' : ' unknown'}`}
      data-testid={`node-${node.id}`}
      data-kind={node.kind}
      style={{ minHeight: pinsMinHeight(Math.max(inputs.length, outputs.length)) }}
      title={[...errors, ...warnings].map((i) => i.message).join('\n') || undefined}
    >
      {inputs.map((p, i) => (
        <Handle
          key={p.name}
          id={p.name}
          type="target"
          position={Position.Left}
          className={`pin${p.ghost ? ' pin-ghost' : ''}`}
          style={
            {
              top: spread(i, inputs.length),
              '--pin': packetColor(p.accepts[0] ?? 'Any', packets),
            } as CSSProperties
          }
          title={`${p.name} ← ${p.accepts.map((t) => packetLabel(t, packets)).join(' | ')} (${cardinalityText(p.cardinality)})`}
          data-testid={`pin-${node.id}-in-${p.ghost ? 'new' : p.name}`}
        />
      ))}
      <div className="pnode-head">
        <span className="pnode-id">{node.id}</span>
        {(errors.length > 0 || serverError) && (
          <span
            className="badge badge-error"
            data-testid={`node-error-${node.id}`}
            title={errors.map((i) => i.message).join('\n') || 'The server refused this node'}
          >
            {errors.length || '!'}
          </span>
        )}
        {warnings.length > 0 && (
          <span
            className="badge badge-warn"
            data-testid={`node-warn-${node.id}`}
            title={warnings.map((i) => i.message).join('\n')}
          >
            {warnings.length}
          </span>
        )}
      </div>
      <div className="pnode-kind">{node.kind}</div>
      {sliders.map((f) => {
        const v = node.params[f.key];
        const value =
          typeof v === 'number' ? v : typeof f.default === 'number' ? f.default : (f.min as number);
        return (
          <label key={f.key} className="pnode-slider nodrag">
            <span className="pnode-slider-label">
              {f.label} <b>{Number(value.toFixed(3))}</b>
            </span>
            <input
              type="range"
              min={f.min}
              max={f.max}
              step={f.step}
              value={value}
              data-testid={`node-param-${node.id}-${f.key}`}
              onChange={(e) => data.onParam(node.id, [f.key], Number(e.target.value))}
            />
          </label>
        );
      })}
      {outputs.map((p, i) => (
        <Handle
          key={p.name}
          id={p.name}
          type="source"
          position={Position.Right}
          className="pin"
          style={
            { top: spread(i, outputs.length), '--pin': packetColor(p.produces, packets) } as CSSProperties
          }
          title={`${p.name} → ${packetLabel(p.produces, packets)}`}
          data-testid={`pin-${node.id}-out-${p.name}`}
        />
      ))}
    </div>
  );
}

export const PipelineNode = memo(PipelineNodeView);
