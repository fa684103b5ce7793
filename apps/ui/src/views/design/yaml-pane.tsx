// The YAML pane: CodeMirror editor in two-way sync with the canvas. Typing is parsed after a short
// pause and replaces the canvas; problems (syntax, structure, validation, server) are marked inline.
import { autocompletion, type CompletionContext, type CompletionResult } from '@codemirror/autocomplete';
import { yaml as yamlLanguage } from '@codemirror/lang-yaml';
import { lintGutter, setDiagnostics, type Diagnostic } from '@codemirror/lint';
import CodeMirror, {
  Decoration,
  EditorView,
  StateEffect,
  StateField,
  type DecorationSet,
} from '@uiw/react-codemirror';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useTheme } from '../../components/theme';
import { useAppData } from '../../state/app-data';
import { useDesign } from '../../state/design';
import { placeNodes } from '../../lib/layout';
import { normalizeDynamicPins } from '../../lib/pins';
import type { Issue } from '../../lib/validate';
import { locatePath, nodeKeyRanges, parsePipelineYaml, type YamlProblem } from '../../lib/yaml-graph';

const PARSE_DELAY_MS = 300;

/** Editor background and gutters in the app's own colours (both themes), and the editor's accessible name. */
export const editorChrome = [
  EditorView.contentAttributes.of({ 'aria-label': 'Pipeline YAML' }),
  EditorView.theme({
    '&': { backgroundColor: 'var(--panel)' },
    '.cm-gutters': {
      backgroundColor: 'var(--panel-2)',
      borderRight: '1px solid var(--border)',
      color: 'var(--muted)',
    },
    '.cm-activeLine, .cm-activeLineGutter': {
      backgroundColor: 'color-mix(in srgb, var(--accent) 8%, transparent)',
    },
  }),
];

function lineRange(text: string, line: number): { from: number; to: number } {
  const lines = text.split('\n');
  const idx = Math.min(Math.max(line, 1), lines.length) - 1;
  const from = lines.slice(0, idx).reduce((a, l) => a + l.length + 1, 0);
  return { from, to: from + lines[idx].length };
}

/** Marks the YAML block of the node selected on the canvas. */
const setHighlight = StateEffect.define<{ from: number; to: number } | null>();
const nodeHighlight = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(deco, tr) {
    let next = deco.map(tr.changes);
    for (const e of tr.effects) {
      if (!e.is(setHighlight)) continue;
      if (!e.value) next = Decoration.none;
      else {
        const doc = tr.state.doc;
        const first = doc.lineAt(Math.min(e.value.from, doc.length)).number;
        const last = doc.lineAt(Math.min(e.value.to, doc.length)).number;
        const marks = [];
        for (let l = first; l <= last; l++)
          marks.push(Decoration.line({ class: 'cm-node-highlight' }).range(doc.line(l).from));
        next = Decoration.set(marks);
      }
    }
    return next;
  },
  provide: (f) => EditorView.decorations.from(f),
});

/** Text range of a node's block: from its key to just before the next node's key. */
export function nodeBlock(text: string, id: string): { from: number; to: number } | null {
  const keys = [...nodeKeyRanges(text).entries()].sort((a, b) => a[1].from - b[1].from);
  const i = keys.findIndex(([k]) => k === id);
  if (i < 0) return null;
  const from = keys[i][1].from;
  const end = i + 1 < keys.length ? keys[i + 1][1].from : text.length;
  return { from, to: Math.max(from, text.slice(0, end).trimEnd().length) };
}

const pointerKey = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

export function buildDiagnostics(
  text: string,
  problems: YamlProblem[],
  issues: Issue[],
  serverNodes: string[],
  serverMessage?: string,
): Diagnostic[] {
  const keys = nodeKeyRanges(text);
  const out: Diagnostic[] = [];
  const clamp = (n: number) => Math.min(Math.max(n, 0), text.length);
  for (const p of problems) {
    const r = p.from !== undefined ? { from: p.from, to: p.to ?? p.from + 1 } : lineRange(text, p.line ?? 1);
    out.push({ from: clamp(r.from), to: clamp(r.to), severity: p.severity, message: p.message });
  }
  for (const i of issues) {
    // A param problem marks the param where it is written, else the node's key.
    const param =
      i.nodeId && i.path ? locatePath(text, `/nodes/${pointerKey(i.nodeId)}/params${i.path}`, 4) : undefined;
    const r = param ?? (i.nodeId ? keys.get(i.nodeId) : undefined);
    if (r) out.push({ from: r.from, to: r.to, severity: i.severity, message: i.message });
  }
  for (const id of serverNodes) {
    const r = keys.get(id);
    if (r)
      out.push({ from: r.from, to: r.to, severity: 'error', message: `Server: ${serverMessage ?? 'error'}` });
  }
  return out;
}

export function YamlPane({ issues }: { issues: Issue[] }) {
  const { state, dispatch, graph } = useDesign();
  const { nodeDefs, lookup } = useAppData();
  const { theme } = useTheme();
  const text = state.yaml[state.mode];
  const userEdit = useRef(false);
  const [view, setView] = useState<EditorView | null>(null);
  const [copied, setCopied] = useState(false);
  // The editor takes an outside change (a canvas edit, undo) only after the user's typing pauses, so
  // positions computed from `text` wait until its document holds `text`; this ticks on every change.
  const [, setDocVersion] = useState(0);
  const graphRef = useRef(graph);
  graphRef.current = graph;

  useEffect(() => {
    if (!userEdit.current) return;
    const t = window.setTimeout(() => {
      userEdit.current = false;
      const parsed = parsePipelineYaml(text, graphRef.current, (kind) => lookup(kind)?.oneshot_only === true);
      const graphOut = parsed.graph
        ? normalizeDynamicPins(placeNodes(parsed.graph, parsed.unplaced, lookup), lookup)
        : null;
      dispatch({ type: 'yamlParsed', graph: graphOut, problems: parsed.problems });
    }, PARSE_DELAY_MS);
    return () => window.clearTimeout(t);
  }, [text, dispatch, lookup]);

  const diagnostics = useMemo(
    () =>
      buildDiagnostics(
        text,
        state.yamlProblems,
        issues,
        state.serverError?.nodeIds ?? [],
        state.serverError?.message,
      ),
    [text, state.yamlProblems, issues, state.serverError],
  );
  const inSync = view !== null && view.state.doc.toString() === text;
  useEffect(() => {
    if (view && inSync) view.dispatch(setDiagnostics(view.state, diagnostics));
  }, [view, inSync, diagnostics]);

  const extensions = useMemo(() => {
    const kinds = nodeDefs.map((d) => ({
      label: d.kind,
      type: 'class',
      detail: d.categories.join(' / '),
      info: d.description,
    }));
    const complete = (ctx: CompletionContext): CompletionResult | null => {
      const line = ctx.state.doc.lineAt(ctx.pos);
      const before = line.text.slice(0, ctx.pos - line.from);
      const kind = /kind:\s*(\S*)$/.exec(before);
      if (kind) return { from: ctx.pos - kind[1].length, options: kinds };
      const mode = /^mode:\s*(\w*)$/.exec(before);
      if (mode)
        return { from: ctx.pos - mode[1].length, options: [{ label: 'oneshot' }, { label: 'dynamic' }] };
      return null;
    };
    return [
      yamlLanguage(),
      lintGutter(),
      autocompletion({ override: [complete] }),
      EditorView.lineWrapping,
      editorChrome,
      nodeHighlight,
      EditorView.updateListener.of((u) => {
        if (u.docChanged) setDocVersion((n) => n + 1);
      }),
    ];
  }, [nodeDefs]);

  const focusId = state.selected.length === 1 ? state.selected[0] : null;
  useEffect(() => {
    if (!view || !inSync) return;
    const block = focusId ? nodeBlock(text, focusId) : null;
    const effects: StateEffect<unknown>[] = [setHighlight.of(block)];
    // Follow the canvas selection, but never move the view under someone typing in it.
    if (block && !view.hasFocus) effects.push(EditorView.scrollIntoView(block.from, { y: 'center' }));
    view.dispatch({ effects });
  }, [view, inSync, focusId, text]);

  const structural = state.yamlProblems.filter((p) => p.severity === 'error');
  return (
    <div className="yaml-pane" data-testid="yaml-pane">
      <div className="pane-head">
        <span className="pane-title">YAML</span>
        <span className="muted small">
          {structural.length ? 'not applied: fix the errors below' : 'edits apply to the canvas'}
        </span>
        <button
          className="btn small ghost"
          onClick={() => {
            void navigator.clipboard?.writeText(text).then(() => {
              setCopied(true);
              window.setTimeout(() => setCopied(false), 1200);
            });
          }}
          title="Copy YAML"
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
      <div className="yaml-editor">
        <CodeMirror
          value={text}
          height="100%"
          theme={theme}
          extensions={extensions}
          basicSetup={{ foldGutter: true, highlightActiveLine: true, autocompletion: false }}
          placeholder="# Drag nodes onto the canvas, or type a pipeline here"
          onCreateEditor={(v) => setView(v)}
          onChange={(v) => {
            userEdit.current = true;
            dispatch({ type: 'yamlText', text: v });
          }}
        />
      </div>
      {structural.length > 0 && (
        <ul className="yaml-problems" data-testid="yaml-problems" role="alert">
          {structural.map((p, i) => (
            <li key={i}>
              {p.line ? <span className="muted">line {p.line}: </span> : null}
              {p.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
