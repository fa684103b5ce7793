// The live (or staged) pipeline on a canvas laid out automatically: nodes coloured by state, edges
// coloured by packet type and animated while packets flow, click a node to inspect it, and (while
// staging) drop a kind from the palette to add it, drag from pin to pin to connect (checked as in
// Design) and select an edge and press Delete to disconnect. Must sit inside a <ReactFlowProvider>.
import dagre from '@dagrejs/dagre';
import {
  Background,
  BackgroundVariant,
  Controls,
  ReactFlow,
  useNodesInitialized,
  useReactFlow,
  type Connection,
  type Edge,
  type EdgeChange,
  type IsValidConnection,
  type NodeChange,
  type OnConnectEnd,
} from '@xyflow/react';
import { useCallback, useEffect, useMemo, useReducer, useRef, useState, type DragEvent } from 'react';
import type { LiveConnection, NodeStateView } from '../../api/sessions';
import type { PacketTypeMeta } from '../../api/types';
import { useTheme } from '../../components/theme';
import { NODE_WIDTH } from '../../lib/layout';
import { packetColor, packetLabel } from '../../lib/packet-style';
import { inputPins, outputPins, resolvedOutputType, type DefinitionLookup } from '../../lib/pins';
import { describeParams } from '../../lib/schema-form';
import { connectionKey, type StagedNode } from '../../lib/staging';
import { checkConnection, type ConnectionCheck } from '../../lib/validate';
import { DND_NODE } from '../design/flow-canvas';
import { liveGraph } from './live-model';
import { MonitorNode, type MonitorFlowNode } from './monitor-node';
import type { RateView } from './use-live-session';

const nodeTypes = { monitor: MonitorNode };

interface Props {
  nodes: StagedNode[];
  connections: LiveConnection[];
  states: Record<string, NodeStateView>;
  rates: Record<string, RateView>;
  lookup: DefinitionLookup;
  packets: PacketTypeMeta[];
  stagedIds: Set<string>;
  /** Connections of the running pipeline; others are staged only and carry nothing yet. */
  liveKeys: Set<string>;
  selectedId: string | null;
  onSelect: (nodeId: string | null) => void;
  onParam: (nodeId: string, key: string, value: number) => void;
  onRemove: ((nodeId: string) => void) | null;
  /** Adds a node of the dropped kind; null when drops are not accepted (outside staging). */
  onDropKind: ((kind: string) => void) | null;
  /** Connects two pins dragged together; null when pins are not connectable (outside staging). */
  onConnectPins: ((c: LiveConnection) => void) | null;
  /** Disconnects a selected edge on Delete; null when edges are not editable (outside staging). */
  onDisconnectEdge: ((c: LiveConnection) => void) | null;
  /** Says why a dragged connection was refused. */
  onRefused: (reason: string) => void;
}

type Size = { width: number; height: number };

/** Height of a node not yet measured: header, kind, stats line and one row per slider. */
function estimatedHeight(node: StagedNode, lookup: DefinitionLookup): number {
  const sliders = describeParams(lookup(node.kind)?.param_schema).filter(
    (f) => f.kind === 'range' && f.tunable,
  ).length;
  return 84 + sliders * 44;
}

function layout(
  nodes: StagedNode[],
  connections: LiveConnection[],
  size: (n: StagedNode) => Size,
): Map<string, { x: number; y: number }> {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'TB', nodesep: 40, ranksep: 48, marginx: 20, marginy: 20 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of nodes) g.setNode(n.id, size(n));
  for (const c of connections) if (c.fromNode !== c.toNode) g.setEdge(c.fromNode, c.toNode);
  dagre.layout(g);
  const out = new Map<string, { x: number; y: number }>();
  for (const n of nodes) {
    const p = g.node(n.id) as { x: number; y: number; width: number; height: number } | undefined;
    if (p) out.set(n.id, { x: Math.round(p.x - p.width / 2), y: Math.round(p.y - p.height / 2) });
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

export function LiveGraph(p: Props) {
  const { nodes, connections, states, rates, lookup, packets } = p;
  const { theme } = useTheme();
  const topology = `${nodes.map((n) => `${n.id}:${n.kind}`).join(',')}|${connections
    .map(connectionKey)
    .join(',')}`;

  // Nodes are rebuilt on every state/stats update; React Flow hides a node it has no size for, and its
  // ResizeObserver does not fire again for an unchanged size, so the measured sizes travel with the nodes.
  // They also feed the layout, so a node taller than estimated never overlaps the next rank.
  const measured = useRef(new Map<string, Size>());
  const [sizes, remeasured] = useReducer((n: number) => n + 1, 0);
  const onNodesChange = useCallback(
    (changes: NodeChange<MonitorFlowNode>[]) => {
      let changed = false;
      for (const c of changes) {
        if (c.type === 'dimensions' && c.dimensions) {
          const old = measured.current.get(c.id);
          measured.current.set(c.id, c.dimensions);
          changed ||= !old || old.width !== c.dimensions.width || old.height !== c.dimensions.height;
        } else if (c.type === 'select' && c.selected) p.onSelect(c.id);
      }
      if (changed) remeasured();
    },
    [p.onSelect],
  );

  const positions = useMemo(
    () =>
      layout(
        nodes,
        connections,
        (n) => measured.current.get(n.id) ?? { width: NODE_WIDTH, height: estimatedHeight(n, lookup) },
      ),
    // Only a topology change or a new measured size moves nodes; param, state and stats updates do not.
    [topology, lookup, sizes],
  );

  const graph = useMemo(() => liveGraph(null, nodes, connections), [nodes, connections]);
  const rfNodes: MonitorFlowNode[] = nodes.map((n) => {
    const def = lookup(n.kind);
    const graphNode = graph.nodes.find((g) => g.id === n.id) ?? { ...n, position: { x: 0, y: 0 } };
    return {
      id: n.id,
      type: 'monitor',
      position: positions.get(n.id) ?? { x: 0, y: 0 },
      measured: measured.current.get(n.id),
      selected: n.id === p.selectedId,
      draggable: false,
      deletable: false,
      connectable: p.onConnectPins !== null,
      data: {
        node: n,
        def,
        state: states[n.id],
        rate: rates[n.id],
        // A dynamic family's free pin is offered only where a connection can be made (staging).
        inputs: inputPins(graphNode, def, graph.edges).filter((pin) => !pin.ghost || p.onConnectPins),
        outputs: outputPins(graph, graphNode, def, lookup),
        packets,
        staged: p.stagedIds.has(n.id),
        onParam: p.onParam,
        onRemove: p.onRemove,
      },
    };
  });

  const [selectedEdges, setSelectedEdges] = useState<Set<string>>(new Set());
  const editableEdges = p.onDisconnectEdge !== null;
  const onEdgesChange = useCallback((changes: EdgeChange[]) => {
    setSelectedEdges((cur) => {
      const next = new Set(cur);
      for (const c of changes) if (c.type === 'select') next[c.selected ? 'add' : 'delete'](c.id);
      return next;
    });
  }, []);
  const onEdgesDelete = (deleted: Edge[]) => {
    for (const e of deleted) {
      const c = connections.find((x) => connectionKey(x) === e.id);
      if (c) p.onDisconnectEdge?.(c);
    }
  };

  const edges: Edge[] = connections.map((c): Edge => {
    const type = resolvedOutputType(graph, lookup, c.fromNode, c.fromPin) ?? 'Any';
    const staged = !p.liveKeys.has(connectionKey(c));
    const flowing =
      !staged && states[c.fromNode]?.status === 'Running' && rates[c.fromNode]?.flowing === true;
    const bestEffort = c.mode === 'BEST_EFFORT';
    return {
      id: connectionKey(c),
      source: c.fromNode,
      sourceHandle: c.fromPin,
      target: c.toNode,
      targetHandle: c.toPin,
      animated: flowing,
      selectable: editableEdges,
      deletable: editableEdges,
      selected: editableEdges && selectedEdges.has(connectionKey(c)),
      className: `live-edge ${flowing ? 'edge-flowing' : 'edge-idle'}${bestEffort ? ' edge-best-effort' : ''}${
        staged ? ' edge-staged' : ''
      }`,
      style: { stroke: packetColor(type, packets) },
      ariaLabel: `${c.fromNode}.${c.fromPin} to ${c.toNode}.${c.toPin}: ${packetLabel(type, packets)}, ${
        staged ? 'staged' : flowing ? 'packets flowing' : 'idle'
      }`,
    };
  });

  const asRequest = (c: Connection | Edge) => ({
    source: c.source,
    sourcePin: c.sourceHandle ?? 'out',
    target: c.target,
    targetPin: c.targetHandle ?? 'in',
  });
  // React Flow asks on every pointer move near a pin, and a check compiles the graph: once per candidate.
  const verdicts = useMemo(() => new Map<string, ConnectionCheck>(), [graph]);
  const check = (c: Connection | Edge): ConnectionCheck => {
    const r = asRequest(c);
    const key = `${r.source}.${r.sourcePin}->${r.target}.${r.targetPin}`;
    let v = verdicts.get(key);
    if (!v) verdicts.set(key, (v = checkConnection(graph, lookup, r)));
    return v;
  };
  const isValidConnection: IsValidConnection = (c) => check(c).ok;

  const onConnect = (c: Connection) => {
    const r = asRequest(c);
    const verdict = check(c);
    if (!verdict.ok) return p.onRefused(verdict.reason);
    p.onConnectPins?.({
      fromNode: r.source,
      fromPin: r.sourcePin,
      toNode: r.target,
      toPin: r.targetPin,
      mode: 'RELIABLE',
    });
  };

  // A drop React Flow refused (isValidConnection) never reaches onConnect: say why here, as Design does.
  const onConnectEnd: OnConnectEnd = (_e, s) => {
    if (s.isValid || !s.fromHandle || !s.toHandle || !s.fromNode || !s.toNode) return;
    const forward = s.fromHandle.type === 'source';
    const [from, to] = forward ? [s.fromHandle, s.toHandle] : [s.toHandle, s.fromHandle];
    const verdict = check({
      source: from.nodeId,
      sourceHandle: from.id ?? null,
      target: to.nodeId,
      targetHandle: to.id ?? null,
    });
    if (!verdict.ok) p.onRefused(verdict.reason);
  };

  const onDragOver = useCallback(
    (e: DragEvent) => {
      if (!p.onDropKind || !e.dataTransfer.types.includes(DND_NODE)) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = 'copy';
    },
    [p.onDropKind],
  );
  const onDrop = useCallback(
    (e: DragEvent) => {
      const kind = e.dataTransfer.getData(DND_NODE);
      if (!p.onDropKind || !kind) return;
      e.preventDefault();
      p.onDropKind(kind);
    },
    [p.onDropKind],
  );

  return (
    <div
      className={`flow-wrap${p.onDropKind ? ' accepts-drop' : ''}`}
      data-testid="monitor-canvas"
      onDragOver={onDragOver}
      onDrop={onDrop}
    >
      <ReactFlow<MonitorFlowNode, Edge>
        nodes={rfNodes}
        edges={edges}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onEdgesDelete={onEdgesDelete}
        deleteKeyCode={editableEdges ? ['Delete', 'Backspace'] : null}
        onPaneClick={() => p.onSelect(null)}
        nodeTypes={nodeTypes}
        nodesConnectable={p.onConnectPins !== null}
        isValidConnection={isValidConnection}
        onConnect={onConnect}
        onConnectEnd={onConnectEnd}
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
