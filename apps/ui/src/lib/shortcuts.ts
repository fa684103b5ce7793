// Keyboard shortcut helpers: ignore keys typed into fields, match "mod" as Ctrl or Cmd.
export function isTyping(e: KeyboardEvent): boolean {
  const t = e.target as HTMLElement | null;
  if (!t) return false;
  return (
    t.isContentEditable ||
    ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName) ||
    Boolean(t.closest('.cm-editor'))
  );
}

export const isMod = (e: KeyboardEvent) => e.ctrlKey || e.metaKey;

export const SHORTCUTS: { keys: string; what: string }[] = [
  { keys: 'Alt+1 … Alt+4', what: 'Go to Design, Convert, Monitor, Stream' },
  { keys: '/', what: 'Search the node palette' },
  { keys: 'Ctrl+Enter', what: 'Run (oneshot) or Create session (dynamic)' },
  { keys: 'Shift+L', what: 'Auto-layout the canvas' },
  { keys: 'Ctrl+Z', what: 'Undo a canvas or YAML edit (in a text field: that field’s own undo)' },
  { keys: 'Ctrl+Shift+Z / Ctrl+Y', what: 'Redo' },
  { keys: 'Ctrl+D', what: 'Duplicate the selected nodes' },
  { keys: 'Ctrl+A', what: 'Select all nodes' },
  { keys: 'Shift+F10 / Menu key', what: 'Context menu of the focused node, connection or canvas' },
  { keys: 'Ctrl+E', what: 'Export YAML' },
  { keys: 'Ctrl+O', what: 'Import YAML' },
  { keys: 'Delete / Backspace', what: 'Delete the selected nodes or connections' },
  { keys: 'Escape', what: 'Clear the selection, close dialogs' },
  { keys: '?', what: 'Show these shortcuts' },
];
