// The Design canvas' editing commands, shared by the toolbar, keyboard shortcuts and context menus:
// undo/redo, duplicate, delete, disconnect, rename, add at a point, select all, auto-layout.
import { useReactFlow } from '@xyflow/react';
import { useCallback, useMemo, useRef } from 'react';
import { useAppData } from '../../state/app-data';
import { useDesign } from '../../state/design';
import { disconnectAll, duplicateNodes } from '../../lib/duplicate';
import type { PipelineGraph, XY } from '../../lib/graph';
import { addNode, removeElements, renameNode } from '../../lib/graph-ops';
import { autoLayout, type NodeSizes } from '../../lib/layout';

export interface CanvasCommands {
  canUndo: boolean;
  canRedo: boolean;
  undo: () => void;
  redo: () => void;
  /** Duplicates the given nodes (default: the selection) and selects the copies. */
  duplicate: (ids?: string[]) => void;
  remove: (nodeIds: string[], edgeIds: string[]) => void;
  disconnectAll: (id: string) => void;
  /** Renames a node; returns why not, or null when done. */
  rename: (from: string, to: string) => string | null;
  addAt: (kind: string, at: XY) => void;
  selectAll: () => void;
  layout: () => void;
}

export function useCanvasCommands(): CanvasCommands {
  const { state, dispatch, graph } = useDesign();
  const { lookup } = useAppData();
  const flow = useReactFlow();
  // Commands run from handlers registered once; they read the latest graph and selection.
  const latest = useRef({ graph, selected: state.selected });
  latest.current = { graph, selected: state.selected };
  const edit = useCallback((g: PipelineGraph) => dispatch({ type: 'graph', graph: g }), [dispatch]);

  const layout = useCallback(() => {
    const measured: NodeSizes = new Map();
    for (const n of flow.getNodes())
      if (n.measured?.width && n.measured.height)
        measured.set(n.id, { width: n.measured.width, height: n.measured.height });
    edit(autoLayout(latest.current.graph, lookup, measured));
    dispatch({ type: 'fit' });
  }, [dispatch, edit, flow, lookup]);

  const canUndo = state.history.past.length > 0;
  const canRedo = state.history.future.length > 0;
  return useMemo<CanvasCommands>(
    () => ({
      canUndo,
      canRedo,
      undo: () => dispatch({ type: 'undo' }),
      redo: () => dispatch({ type: 'redo' }),
      duplicate: (ids) => {
        const r = duplicateNodes(latest.current.graph, ids ?? latest.current.selected, lookup);
        if (r.ids.length === 0) return;
        edit(r.graph);
        dispatch({ type: 'select', ids: r.ids });
      },
      remove: (nodeIds, edgeIds) => edit(removeElements(latest.current.graph, nodeIds, edgeIds, lookup)),
      disconnectAll: (id) => {
        const g = latest.current.graph;
        const ids = disconnectAll(g, id);
        if (ids.length) edit(removeElements(g, [], ids, lookup));
      },
      rename: (from, to) => {
        const r = renameNode(latest.current.graph, from, to);
        if (typeof r === 'string') return r;
        edit(r);
        dispatch({ type: 'select', ids: [to] });
        return null;
      },
      addAt: (kind, at) => {
        const r = addNode(latest.current.graph, kind, lookup(kind), at);
        edit(r.graph);
        dispatch({ type: 'select', ids: [r.id] });
      },
      selectAll: () => dispatch({ type: 'select', ids: latest.current.graph.nodes.map((n) => n.id) }),
      layout,
    }),
    [canUndo, canRedo, dispatch, edit, layout, lookup],
  );
}
