// The React Flow canvas of the Design view: nodes from the graph, typed pins, connection checks while
// dragging (with the reason shown at the cursor), drops from the palette, assets and fragments, edges
// routed around nodes, and context menus. Drags and param bursts are one undo step each.
import {
  Background,
  BackgroundVariant,
  Controls,
  getBezierPath,
  ReactFlow,
  useReactFlow,
  applyNodeChanges,
  type Connection,
  type ConnectionLineComponentProps,
  type FinalConnectionState,
  type IsValidConnection,
  type NodeChange,
  type OnConnectEnd,
  type EdgeChange,
} from '@xyflow/react';
import './design-canvas.css';
import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent } from 'react';
import { useTheme } from '../../components/theme';
import { useToast } from '../../components/toasts';
import { useAppData } from '../../state/app-data';
import { useDesign } from '../../state/design';
import type { PipelineGraph } from '../../lib/graph';
import { addNode, connect, insertFragment, removeElements, setParam } from '../../lib/graph-ops';
import { autoLayout, NODE_WIDTH, nodeHeight } from '../../lib/layout';
import { packetColor } from '../../lib/packet-style';
import { inputPins, outputPins, resolvedOutputType } from '../../lib/pins';
import { checkConnection, type Issue } from '../../lib/validate';
import { parsePipelineYaml } from '../../lib/yaml-graph';
import { GESTURE_PREFIX } from '../../state/history';
import { useCanvasMenus } from './canvas-menus';
import { PipelineNode, type PipelineFlowNode } from './pipeline-node';
import { RoutedEdge, type RoutedFlowEdge } from './routed-edge';
import { useCanvasCommands } from './use-canvas-commands';

export const DND_NODE = 'application/x-skit-node';
export const DND_ASSET = 'application/x-skit-asset';
export const DND_FRAGMENT = 'application/x-skit-fragment';

const nodeTypes = { pipeline: PipelineNode };
const edgeTypes = { routed: RoutedEdge };

interface Props {
  issues: Issue[];
}

function useConnectionChecker() {
  const { graph } = useDesign();
  const { lookup } = useAppData();
  return useCallback(
    (c: { source: string; sourceHandle?: string | null; target: string; targetHandle?: string | null }) =>
      checkConnection(graph, lookup, {
        source: c.source,
        sourcePin: c.sourceHandle ?? 'out',
        target: c.target,
        targetPin: c.targetHandle ?? 'in',
      }),
    [graph, lookup],
  );
}

/** The line drawn while dragging a connection: red and dashed with the reason when it would be refused. */
function ConnectionLine(props: ConnectionLineComponentProps) {
  const check = useConnectionChecker();
  const { fromX, fromY, toX, toY, fromPosition, toPosition, fromNode, fromHandle, toNode, toHandle } = props;
  const [path] = getBezierPath({
    sourceX: fromX,
    sourceY: fromY,
    sourcePosition: fromPosition,
    targetX: toX,
    targetY: toY,
    targetPosition: toPosition,
  });
  let verdict: ReturnType<typeof check> | null = null;
  if (toNode && toHandle && fromHandle) {
    const forward = fromHandle.type === 'source';
    verdict = check({
      source: forward ? fromNode.id : toNode.id,
      sourceHandle: forward ? fromHandle.id : toHandle.id,
      target: forward ? toNode.id : fromNode.id,
      targetHandle: forward ? toHandle.id : fromHandle.id,
    });
  }
  const refused = verdict !== null && !verdict.ok;
  return (
    <g className={`connection-line ${refused ? 'refused' : verdict?.ok ? 'accepted' : ''}`}>
      <path d={path} fill="none" />
      {refused && !verdict?.ok && verdict && (
        <foreignObject x={toX + 12} y={toY + 12} width={320} height={120} style={{ overflow: 'visible' }}>
          <div className="connection-reason" data-testid="connection-reason" role="alert">
            {verdict.reason}
          </div>
        </foreignObject>
      )}
    </g>
  );
}

export function FlowCanvas({ issues }: Props) {
  const { state, dispatch, graph } = useDesign();
  const { lookup, packets, nodeDefs } = useAppData();
  const { theme } = useTheme();
  const toast = useToast();
  const flow = useReactFlow();
  const check = useConnectionChecker();
  const commands = useCanvasCommands();
  const menus = useCanvasMenus(commands);

  const onParam = useCallback(
    (nodeId: string, path: string[], value: unknown) =>
      dispatch({
        type: 'graph',
        graph: setParam(graph, nodeId, path, value),
        coalesce: `param:${nodeId}:${path.join('.')}`,
      }),
    [dispatch, graph],
  );

  const serverIds = useMemo(() => new Set(state.serverError?.nodeIds ?? []), [state.serverError]);
  const built = useMemo<PipelineFlowNode[]>(
    () =>
      graph.nodes.map((n) => {
        const def = lookup(n.kind);
        return {
          id: n.id,
          type: 'pipeline',
          position: n.position,
          selected: state.selected.includes(n.id),
          data: {
            node: n,
            def,
            inputs: inputPins(n, def, graph.edges),
            outputs: outputPins(graph, n, def, lookup),
            issues: issues.filter((i) => i.nodeId === n.id),
            serverError: serverIds.has(n.id),
            packets,
            onParam,
          },
        };
      }),
    [graph, lookup, issues, packets, onParam, state.selected, serverIds],
  );

  // React Flow measures nodes into its own copies; keep them and merge in each new build from the graph.
  const [rfNodes, setRfNodes] = useState<PipelineFlowNode[]>(built);
  useEffect(() => {
    setRfNodes((prev) => {
      const old = new Map(prev.map((n) => [n.id, n]));
      return built.map((n) => {
        const o = old.get(n.id);
        return o ? { ...o, ...n, measured: o.measured, dragging: o.dragging } : n;
      });
    });
  }, [built]);

  // Edges are routed around every node's box: measured when React Flow has measured it.
  const boxes = useMemo(
    () =>
      rfNodes.map((n) => ({
        x: n.position.x,
        y: n.position.y,
        width: n.measured?.width ?? NODE_WIDTH,
        height: n.measured?.height ?? nodeHeight(n.data.node, lookup),
      })),
    [rfNodes, lookup],
  );

  const [selectedEdges, setSelectedEdges] = useState<string[]>([]);
  const edges = useMemo<RoutedFlowEdge[]>(
    () =>
      graph.edges.map((e) => {
        const t = resolvedOutputType(graph, lookup, e.source, e.sourcePin) ?? 'Any';
        const bad = issues.some((i) => i.edgeId === e.id);
        return {
          id: e.id,
          type: 'routed',
          source: e.source,
          sourceHandle: e.sourcePin,
          target: e.target,
          targetHandle: e.targetPin,
          selected: selectedEdges.includes(e.id),
          className: `${bad ? 'edge-bad' : ''}${e.mode === 'best_effort' ? ' edge-best-effort' : ''}`,
          style: { stroke: bad ? 'var(--danger)' : packetColor(t, packets) },
          label: e.mode === 'best_effort' ? 'best effort' : undefined,
          data: { mode: e.mode, boxes },
        };
      }),
    [graph, lookup, packets, issues, selectedEdges, boxes],
  );

  const graphRef = useRef<PipelineGraph>(graph);
  graphRef.current = graph;
  // Each drag is one undo step however long it lasts: its moves share a gesture key.
  const dragSeq = useRef(0);

  const onNodesChange = useCallback(
    (changes: NodeChange<PipelineFlowNode>[]) => {
      setRfNodes((ns) => applyNodeChanges(changes, ns));
      let moved: PipelineGraph | null = null;
      let dragEnded = false;
      for (const c of changes) {
        if (c.type === 'position' && c.position) {
          const base: PipelineGraph = moved ?? graphRef.current;
          const pos = c.position;
          moved = {
            ...base,
            nodes: base.nodes.map((n) =>
              n.id === c.id ? { ...n, position: { x: Math.round(pos.x), y: Math.round(pos.y) } } : n,
            ),
          };
          if (c.dragging === false) dragEnded = true;
        } else if (c.type === 'position' && c.dragging === false) dragEnded = true;
      }
      // Arrow-key moves (no drag) coalesce by time like typing; a mouse drag is one gesture.
      const dragging = changes.some((c) => c.type === 'position' && c.dragging !== undefined);
      const coalesce = dragging ? `${GESTURE_PREFIX}drag-${dragSeq.current}` : 'keyboard-move';
      if (moved) dispatch({ type: dragEnded ? 'graph' : 'move', graph: moved, coalesce });
      else if (dragEnded) dispatch({ type: 'graph', graph: graphRef.current, coalesce });
      if (dragEnded) dragSeq.current++;
      if (changes.some((c) => c.type === 'select')) {
        const sel = new Set(state.selected);
        for (const c of changes) {
          if (c.type !== 'select') continue;
          if (c.selected) sel.add(c.id);
          else sel.delete(c.id);
        }
        dispatch({ type: 'select', ids: [...sel] });
      }
    },
    [dispatch, state.selected],
  );

  const onEdgesChange = useCallback((changes: EdgeChange[]) => {
    setSelectedEdges((cur) => {
      const sel = new Set(cur);
      for (const c of changes) {
        if (c.type !== 'select') continue;
        if (c.selected) sel.add(c.id);
        else sel.delete(c.id);
      }
      return [...sel];
    });
  }, []);

  const onDelete = useCallback(
    ({ nodes, edges: es }: { nodes: { id: string }[]; edges: { id: string }[] }) => {
      dispatch({
        type: 'graph',
        graph: removeElements(
          graphRef.current,
          nodes.map((n) => n.id),
          es.map((e) => e.id),
          lookup,
        ),
      });
    },
    [dispatch, lookup],
  );

  const isValidConnection = useCallback<IsValidConnection>((c) => check(c).ok, [check]);

  const onConnect = useCallback(
    (c: Connection) => {
      const verdict = check(c);
      if (!verdict.ok) {
        toast.error(verdict.reason);
        return;
      }
      dispatch({
        type: 'graph',
        graph: connect(
          graphRef.current,
          {
            source: c.source,
            sourcePin: c.sourceHandle ?? 'out',
            target: c.target,
            targetPin: c.targetHandle ?? 'in',
          },
          lookup,
        ),
      });
    },
    [check, dispatch, lookup, toast],
  );

  const onConnectEnd = useCallback<OnConnectEnd>(
    (_e, s: FinalConnectionState) => {
      if (s.isValid || !s.toHandle || !s.fromHandle || !s.fromNode || !s.toNode) return;
      const forward = s.fromHandle.type === 'source';
      const verdict = check({
        source: forward ? s.fromNode.id : s.toNode.id,
        sourceHandle: forward ? s.fromHandle.id : s.toHandle.id,
        target: forward ? s.toNode.id : s.fromNode.id,
        targetHandle: forward ? s.toHandle.id : s.fromHandle.id,
      });
      if (!verdict.ok) toast.error(`Connection refused: ${verdict.reason}`);
    },
    [check, toast],
  );

  const onDragOver = useCallback((e: DragEvent) => {
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
  }, []);

  const onDrop = useCallback(
    (e: DragEvent) => {
      e.preventDefault();
      const at = flow.screenToFlowPosition({ x: e.clientX, y: e.clientY });
      const pos = { x: Math.round(at.x - 120), y: Math.round(at.y - 30) };
      const kind = e.dataTransfer.getData(DND_NODE);
      const asset = e.dataTransfer.getData(DND_ASSET);
      const fragment = e.dataTransfer.getData(DND_FRAGMENT);
      if (kind) {
        const r = addNode(graphRef.current, kind, lookup(kind), pos);
        dispatch({ type: 'graph', graph: r.graph });
        dispatch({ type: 'select', ids: [r.id] });
      } else if (asset) {
        const r = addNode(graphRef.current, 'core::file_reader', lookup('core::file_reader'), pos, {
          path: asset,
        });
        dispatch({ type: 'graph', graph: r.graph });
        dispatch({ type: 'select', ids: [r.id] });
      } else if (fragment) {
        const parsed = parsePipelineYaml(fragment);
        if (!parsed.graph) {
          toast.error(`Fragment could not be read: ${parsed.problems[0]?.message ?? 'invalid YAML'}`);
          return;
        }
        const laid = parsed.unplaced.length ? autoLayout(parsed.graph, lookup) : parsed.graph;
        const r = insertFragment(graphRef.current, laid, pos, lookup);
        dispatch({ type: 'graph', graph: r.graph });
        dispatch({ type: 'select', ids: r.ids });
      }
    },
    [dispatch, flow, lookup, toast],
  );

  // The first fit is React Flow's own `fitView` (only when a draft was restored); later ones follow loads.
  const [fitInitially] = useState(() => graph.nodes.length > 0);
  const firstFit = useRef(state.fitRequest);
  useEffect(() => {
    if (state.fitRequest === firstFit.current) return;
    const t = window.setTimeout(() => void flow.fitView({ padding: 0.2, maxZoom: 1.1, duration: 200 }), 60);
    return () => window.clearTimeout(t);
  }, [state.fitRequest, flow]);

  const empty = graph.nodes.length === 0;
  return (
    <div
      className="flow-wrap"
      data-testid="flow-canvas"
      tabIndex={0}
      aria-label="Pipeline canvas: Shift+F10 opens the canvas menu"
      onDragOver={onDragOver}
      onDrop={onDrop}
      onKeyDown={menus.onKeyDown}
    >
      <ReactFlow<PipelineFlowNode, RoutedFlowEdge>
        nodes={rfNodes}
        edges={edges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        onNodeContextMenu={menus.onNodeContextMenu}
        onEdgeContextMenu={menus.onEdgeContextMenu}
        onPaneContextMenu={menus.onPaneContextMenu}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onDelete={onDelete}
        onConnect={onConnect}
        onConnectEnd={onConnectEnd}
        isValidConnection={isValidConnection}
        connectionLineComponent={ConnectionLine}
        deleteKeyCode={['Delete', 'Backspace']}
        colorMode={theme}
        minZoom={0.2}
        maxZoom={1.75}
        proOptions={{ hideAttribution: true }}
        fitView={fitInitially}
        fitViewOptions={{ padding: 0.2, maxZoom: 1.1 }}
      >
        <Background variant={BackgroundVariant.Dots} gap={18} size={1.2} />
        <Controls showInteractive={false} />
      </ReactFlow>
      {menus.popup}
      {empty && (
        <div className="canvas-empty" data-testid="canvas-empty">
          <p>
            <b>Drag nodes here</b> from the palette, click a node to add it, or load a sample.
          </p>
          <p className="muted small">
            {nodeDefs.length} node kinds available · pins are coloured by packet type · Delete removes the
            selection
          </p>
        </div>
      )}
    </div>
  );
}
