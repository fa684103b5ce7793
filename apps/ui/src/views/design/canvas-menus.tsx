// Context menus of the Design canvas: on a node (duplicate, rename, disconnect all, delete), on a
// connection (delete, delivery mode) and on the empty canvas (add a node at that point, auto-layout,
// select all). Right click opens them; so do the ContextMenu key and Shift+F10 on a focused node,
// connection or the canvas.
import { useReactFlow } from '@xyflow/react';
import { useCallback, useMemo, useState, type KeyboardEvent, type MouseEvent } from 'react';
import { useAppData } from '../../state/app-data';
import { useDesign } from '../../state/design';
import type { XY } from '../../lib/graph';
import { setEdgeMode } from '../../lib/graph-ops';
import { availableInMode } from '../../lib/node-kinds';
import { ContextMenu, FieldPopup, PickerPopup, type MenuEntry } from './context-menu';
import type { CanvasCommands } from './use-canvas-commands';

type Open =
  | { type: 'node'; id: string }
  | { type: 'edge'; id: string }
  | { type: 'pane'; at: XY }
  | { type: 'add'; at: XY }
  | { type: 'rename'; id: string };

type MenuState = Open & { x: number; y: number; returnTo: HTMLElement | null };

const isMenuKey = (e: KeyboardEvent) => e.key === 'ContextMenu' || (e.key === 'F10' && e.shiftKey);

export function useCanvasMenus(commands: CanvasCommands) {
  const { state, dispatch, graph } = useDesign();
  const { nodeDefs } = useAppData();
  const flow = useReactFlow();
  const [menu, setMenu] = useState<MenuState | null>(null);
  const close = useCallback(() => setMenu(null), []);

  const openNode = useCallback(
    (id: string, x: number, y: number, returnTo: HTMLElement | null) => {
      // A node outside the selection becomes the selection, as in file managers and editors.
      if (!state.selected.includes(id)) dispatch({ type: 'select', ids: [id] });
      setMenu({ type: 'node', id, x, y, returnTo });
    },
    [dispatch, state.selected],
  );

  const onNodeContextMenu = useCallback(
    (e: MouseEvent, node: { id: string }) => {
      e.preventDefault();
      openNode(node.id, e.clientX, e.clientY, e.currentTarget as HTMLElement);
    },
    [openNode],
  );
  const onEdgeContextMenu = useCallback((e: MouseEvent, edge: { id: string }) => {
    e.preventDefault();
    setMenu({ type: 'edge', id: edge.id, x: e.clientX, y: e.clientY, returnTo: null });
  }, []);
  const onPaneContextMenu = useCallback(
    (e: MouseEvent | globalThis.MouseEvent) => {
      e.preventDefault();
      const at = flow.screenToFlowPosition({ x: e.clientX, y: e.clientY });
      setMenu({ type: 'pane', at, x: e.clientX, y: e.clientY, returnTo: null });
    },
    [flow],
  );

  /** Keyboard opening: on the focused node or connection, else on the canvas at its middle. */
  const onKeyDown = useCallback(
    (e: KeyboardEvent) => {
      if (!isMenuKey(e)) return;
      const t = e.target as HTMLElement;
      if (t.closest('.canvas-popup') || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName)) return;
      e.preventDefault();
      const el = t.closest<HTMLElement>('.react-flow__node, .react-flow__edge');
      const r = (el ?? (e.currentTarget as HTMLElement)).getBoundingClientRect();
      const id = el?.dataset.id;
      if (el && id && el.classList.contains('react-flow__node')) openNode(id, r.left + 12, r.bottom - 4, el);
      else if (el && id)
        setMenu({ type: 'edge', id, x: r.left + r.width / 2, y: r.top + r.height / 2, returnTo: el });
      else {
        const c = { x: r.left + r.width / 2, y: r.top + r.height / 2 };
        setMenu({ type: 'pane', at: flow.screenToFlowPosition(c), ...c, returnTo: t });
      }
    },
    [flow, openNode],
  );

  const pickerOptions = useMemo(
    () =>
      nodeDefs
        .filter((d) => availableInMode(d, state.mode))
        .map((d) => ({ value: d.kind, label: d.kind, detail: d.categories[0] }))
        .sort((a, b) => a.label.localeCompare(b.label)),
    [nodeDefs, state.mode],
  );

  let popup = null;
  if (menu) {
    const place = { x: menu.x, y: menu.y, onClose: close, returnTo: menu.returnTo };
    if (menu.type === 'node') {
      const many = state.selected.length > 1 && state.selected.includes(menu.id);
      const ids = many ? state.selected : [menu.id];
      const connected = graph.edges.some((e) => e.source === menu.id || e.target === menu.id);
      const items: MenuEntry[] = [
        {
          label: many ? `Duplicate ${ids.length} nodes` : 'Duplicate',
          shortcut: 'Ctrl+D',
          onSelect: () => commands.duplicate(ids),
          testId: 'menu-duplicate',
        },
        {
          label: 'Rename…',
          disabled: many,
          onSelect: () => setMenu({ ...menu, type: 'rename', id: menu.id }),
          testId: 'menu-rename',
        },
        {
          label: 'Disconnect all',
          disabled: !connected,
          onSelect: () => commands.disconnectAll(menu.id),
          testId: 'menu-disconnect',
        },
        {
          label: many ? `Delete ${ids.length} nodes` : 'Delete',
          shortcut: 'Del',
          danger: true,
          onSelect: () => commands.remove(ids, []),
          testId: 'menu-delete',
        },
      ];
      popup = <ContextMenu {...place} label={`Node ${menu.id}`} items={items} testId="node-menu" />;
    } else if (menu.type === 'edge') {
      const edge = graph.edges.find((e) => e.id === menu.id);
      const other = edge?.mode === 'best_effort' ? 'reliable' : 'best_effort';
      const items: MenuEntry[] = [
        {
          label: other === 'reliable' ? 'Make reliable' : 'Make best effort',
          disabled: !edge,
          onSelect: () => dispatch({ type: 'graph', graph: setEdgeMode(graph, menu.id, other) }),
          testId: 'menu-edge-mode',
        },
        {
          label: 'Delete connection',
          shortcut: 'Del',
          danger: true,
          onSelect: () => commands.remove([], [menu.id]),
          testId: 'menu-delete-edge',
        },
      ];
      popup = <ContextMenu {...place} label="Connection" items={items} testId="edge-menu" />;
    } else if (menu.type === 'pane') {
      const empty = graph.nodes.length === 0;
      const items: MenuEntry[] = [
        {
          label: 'Add node here…',
          onSelect: () => setMenu({ ...menu, type: 'add', at: menu.at }),
          testId: 'menu-add-node',
        },
        {
          label: 'Auto-layout',
          shortcut: 'Shift+L',
          disabled: empty,
          onSelect: commands.layout,
          testId: 'menu-layout',
        },
        {
          label: 'Select all',
          shortcut: 'Ctrl+A',
          disabled: empty,
          onSelect: commands.selectAll,
          testId: 'menu-select-all',
        },
      ];
      popup = <ContextMenu {...place} label="Canvas" items={items} testId="pane-menu" />;
    } else if (menu.type === 'add') {
      const at = { x: Math.round(menu.at.x), y: Math.round(menu.at.y) };
      popup = (
        <PickerPopup
          {...place}
          label="Add node"
          options={pickerOptions}
          onPick={(kind) => commands.addAt(kind, at)}
          testId="add-node-picker"
        />
      );
    } else {
      popup = (
        <FieldPopup
          {...place}
          label={`Rename ${menu.id}`}
          initial={menu.id}
          onApply={(to) => commands.rename(menu.id, to)}
          testId="rename-node"
        />
      );
    }
  }

  return { onNodeContextMenu, onEdgeContextMenu, onPaneContextMenu, onKeyDown, popup };
}
