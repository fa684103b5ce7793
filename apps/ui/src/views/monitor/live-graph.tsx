// The live (or staged) pipeline on a read-only canvas: nodes coloured by state (reason on hover), their
// stats, and sliders for live-tunable params. Layout is recomputed only when the topology changes.
import dagre from '@dagrejs/dagre';
import {
  Background,
  BackgroundVariant,
  Controls,
  Handle,
  Position,
  ReactFlow,
  ReactFlowProvider,
  useNodesInitialized,
  useReactFlow,
  type Edge,
  type Node,
  type NodeProps,
  type NodeChange,
} from '@xyflow/react';
import { memo, useCallback, useEffect, useMemo, useReducer, useRef } from 'react';
import type { NodeDefinition } from '../../api/types';
import type { LiveConnection, NodeStateView } from '../../api/sessions';
import { useTheme } from '../../components/theme';
import { NODE_WIDTH } from '../../lib/layout';
import { describeParams } from '../../lib/schema-form';
import type { DefinitionLookup } from '../../lib/pins';
import type { StagedNode } from '../../lib/staging';
import type { RateView } from './use-live-session';

interface MonitorNodeData extends Record<string, unknown> {
  node: StagedNode;
  def: NodeDefinition | undefined;
  state: NodeStateView | undefined;
  rate: RateView | undefined;
  inputs: string[];
  outputs: string[];
  staged: boolean;
  onParam: (nodeId: string, key: string, value: number) => void;
  onRemove: ((nodeId: string) => void) | null;
}

type MonitorFlowNode = Node<MonitorNodeData, 'monitor'>;

const spread = (i: number, n: number) => `${((i + 1) / (n + 1)) * 100}%`;
const fmt = (n: number) => (n >= 100 ? Math.round(n).toString() : n.toFixed(1));

function MonitorNodeView({ data }: NodeProps<MonitorFlowNode>) {
  const { node, def, state, rate, inputs, outputs } = data;
  const status = state?.status ?? (data.staged ? 'Staged' : 'Unknown');
  const sliders = describeParams(def?.param_schema).filter((f) => f.kind === 'range' && f.tunable);
  const tip = `${node.id}: ${status}${state?.reason ? ` — ${state.reason}` : ''}`;
  return (
    <div
      className={`pnode mnode state-${status.toLowerCase()}`}
      data-testid={`monitor-node-${node.id}`}
      data-state={status}
      title={tip}
    >
      {inputs.map((p, i) => (
        <Handle
          key={p}
          id={p}
          type="target"
          position={Position.Top}
          style={{ left: spread(i, inputs.length) }}
        />
      ))}
      <div className="pnode-head">
        <span className={`state-dot state-${status.toLowerCase()}`} aria-hidden="true" />
        <span className="pnode-id">{node.id}</span>
        <span className="muted small mnode-status" data-testid={`node-state-${node.id}`}>
          {status}
        </span>
        {data.onRemove && (
          <button
            className="icon-btn nodrag mnode-remove"
            aria-label={`Remove node ${node.id}`}
            data-testid={`remove-node-${node.id}`}
            onClick={() => data.onRemove?.(node.id)}
          >
            ×
          </button>
        )}
      </div>
      <div className="pnode-kind">{node.kind}</div>
      {state?.reason && <div className="mnode-reason small">{state.reason}</div>}
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
          key={p}
          id={p}
          type="source"
          position={Position.Bottom}
          style={{ left: spread(i, outputs.length) }}
        />
      ))}
    </div>
  );
}

const nodeTypes = { monitor: memo(MonitorNodeView) };

interface Props {
  nodes: StagedNode[];
  connections: LiveConnection[];
  states: Record<string, NodeStateView>;
  rates: Record<string, RateView>;
  lookup: DefinitionLookup;
  stagedIds: Set<string>;
  onParam: (nodeId: string, key: string, value: number) => void;
  onRemove: ((nodeId: string) => void) | null;
}

function pinsOf(node: StagedNode, def: NodeDefinition | undefined, conns: LiveConnection[]) {
  const inputs = new Set<string>();
  const outputs = new Set<string>();
  for (const p of def?.inputs ?? []) if (typeof p.cardinality === 'string') inputs.add(p.name);
  for (const p of def?.outputs ?? []) if (typeof p.cardinality === 'string') outputs.add(p.name);
  for (const c of conns) {
    if (c.toNode === node.id) inputs.add(c.toPin);
    if (c.fromNode === node.id) outputs.add(c.fromPin);
  }
  return { inputs: [...inputs], outputs: [...outputs] };
}

/** Rendered height of a live node: header, kind, stats line, reason, and one row per slider. */
function liveNodeHeight(def: NodeDefinition | undefined): number {
  const sliders = describeParams(def?.param_schema).filter((f) => f.kind === 'range' && f.tunable).length;
  return 100 + sliders * 48;
}

function layout(nodes: StagedNode[], connections: LiveConnection[], lookup: DefinitionLookup) {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'TB', nodesep: 40, ranksep: 40, marginx: 20, marginy: 20 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of nodes) g.setNode(n.id, { width: NODE_WIDTH, height: liveNodeHeight(lookup(n.kind)) });
  for (const c of connections) if (c.fromNode !== c.toNode) g.setEdge(c.fromNode, c.toNode);
  dagre.layout(g);
  const out = new Map<string, { x: number; y: number }>();
  for (const n of nodes) {
    const p = g.node(n.id) as { x: number; y: number; height: number } | undefined;
    if (p) out.set(n.id, { x: Math.round(p.x - NODE_WIDTH / 2), y: Math.round(p.y - p.height / 2) });
  }
  return out;
}

/** Re-fits the view once the nodes of a changed topology are measured. */
function FitOnTopology({ topology }: { topology: string }) {
  const flow = useReactFlow();
  const ready = useNodesInitialized();
  // The first topology is fitted by the `fitView` prop; later ones once their nodes are measured.
  const fitted = useRef(topology);
  useEffect(() => {
    if (!ready || fitted.current === topology) return;
    fitted.current = topology;
    void flow.fitView({ padding: 0.2, maxZoom: 1.1 });
  }, [ready, topology, flow]);
  return null;
}

export function LiveGraph(props: Props) {
  return (
    <ReactFlowProvider>
      <LiveGraphInner {...props} />
    </ReactFlowProvider>
  );
}

function LiveGraphInner({ nodes, connections, states, rates, lookup, stagedIds, onParam, onRemove }: Props) {
  const { theme } = useTheme();
  const topology = `${nodes.map((n) => `${n.id}:${n.kind}`).join(',')}|${connections
    .map((c) => `${c.fromNode}.${c.fromPin}>${c.toNode}.${c.toPin}`)
    .join(',')}`;
  const positions = useMemo(
    () => layout(nodes, connections, lookup),
    // Only a topology change moves nodes; param, state and stats updates keep the layout.
    [topology, lookup],
  );

  // Nodes are rebuilt on every state/stats update; React Flow hides a node it has no size for, and its
  // ResizeObserver does not fire again for an unchanged size, so the measured sizes must travel with the nodes.
  const measured = useRef(new Map<string, { width: number; height: number }>());
  const [, remeasured] = useReducer((n: number) => n + 1, 0);
  const onNodesChange = useCallback((changes: NodeChange<MonitorFlowNode>[]) => {
    let changed = false;
    for (const c of changes) {
      if (c.type === 'dimensions' && c.dimensions) {
        measured.current.set(c.id, c.dimensions);
        changed = true;
      }
    }
    if (changed) remeasured();
  }, []);

  const rfNodes: MonitorFlowNode[] = nodes.map((n) => {
    const def = lookup(n.kind);
    return {
      id: n.id,
      type: 'monitor',
      position: positions.get(n.id) ?? { x: 0, y: 0 },
      measured: measured.current.get(n.id),
      draggable: false,
      connectable: false,
      data: {
        node: n,
        def,
        state: states[n.id],
        rate: rates[n.id],
        staged: stagedIds.has(n.id),
        onParam,
        onRemove,
        ...pinsOf(n, def, connections),
      },
    };
  });
  const edges: Edge[] = connections.map((c) => ({
    id: `${c.fromNode}.${c.fromPin}->${c.toNode}.${c.toPin}`,
    source: c.fromNode,
    sourceHandle: c.fromPin,
    target: c.toNode,
    targetHandle: c.toPin,
    animated: states[c.fromNode]?.status === 'Running',
    className: c.mode === 'BEST_EFFORT' ? 'edge-best-effort' : undefined,
  }));

  return (
    <div className="flow-wrap" data-testid="monitor-canvas">
      <ReactFlow<MonitorFlowNode, Edge>
        nodes={rfNodes}
        edges={edges}
        onNodesChange={onNodesChange}
        nodeTypes={nodeTypes}
        nodesConnectable={false}
        nodesDraggable={false}
        colorMode={theme}
        minZoom={0.2}
        maxZoom={1.75}
        proOptions={{ hideAttribution: true }}
        fitView
        fitViewOptions={{ padding: 0.2, maxZoom: 1.1 }}
      >
        <FitOnTopology topology={topology} />
        <Background variant={BackgroundVariant.Dots} gap={18} size={1.2} />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}
