// The Design view's state: one canvas per mode (switching keeps the other), the YAML text in sync with
// the canvas, selection, and the last server error and warnings. The draft lives in localStorage.
import {
  createContext,
  useContext,
  useEffect,
  useMemo,
  useReducer,
  type Dispatch,
  type ReactNode,
} from 'react';
import type { PipelineMode } from '../api/types';
import { emptyGraph, type PipelineGraph } from '../lib/graph';
import { graphToYaml, type YamlProblem } from '../lib/yaml-graph';
import { changedPipeline, emptyHistory, record, redo, undo, type History } from './history';

export const DRAFT_KEY = 'skit-design-draft';

export interface ServerError {
  title: string;
  message: string;
  nodeIds: string[];
}

/** One warning of a server answer (`warnings` of a session create). */
export interface ServerWarning {
  node_id?: string | null;
  message: string;
}

export interface DesignState {
  mode: PipelineMode;
  graphs: Record<PipelineMode, PipelineGraph>;
  /** YAML text per mode; follows the canvas, or holds what the user is typing. */
  yaml: Record<PipelineMode, string>;
  /** Problems in the current mode's YAML text (syntax, structure). */
  yamlProblems: YamlProblem[];
  selected: string[];
  serverError: ServerError | null;
  /** What the server warned about the pipeline it last accepted (unknown params), until the next edit. */
  serverWarnings: ServerWarning[];
  /** Bumped when the canvas should re-fit (load, import, layout). */
  fitRequest: number;
  /** Undo/redo over pipeline edits (canvas and YAML alike). */
  history: History;
}

export type DesignAction =
  /** A canvas edit: the YAML is regenerated. Edits with the same `coalesce` key in a burst undo as one. */
  | { type: 'graph'; graph: PipelineGraph; coalesce?: string }
  /** Node positions only (while dragging): the YAML is left alone. */
  | { type: 'move'; graph: PipelineGraph; coalesce?: string }
  | { type: 'yamlText'; text: string }
  /** The YAML parsed into `graph` (or failed with problems): the text is left as typed. */
  | { type: 'yamlParsed'; graph: PipelineGraph | null; problems: YamlProblem[] }
  | { type: 'load'; graph: PipelineGraph }
  | { type: 'setMode'; mode: PipelineMode }
  | { type: 'select'; ids: string[] }
  | { type: 'serverError'; error: ServerError | null }
  | { type: 'serverWarnings'; warnings: ServerWarning[] }
  | { type: 'fit' }
  | { type: 'undo' }
  | { type: 'redo' };

const sameIds = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** The history key an action records under, or `null` when it is not a pipeline edit. */
function historyKey(action: DesignAction): string | undefined | null {
  switch (action.type) {
    case 'graph':
      return action.coalesce;
    case 'move':
      return action.coalesce ?? 'move';
    case 'yamlText':
    case 'yamlParsed':
      return 'yaml';
    case 'load':
      return undefined;
    default:
      return null;
  }
}

export function designReducer(state: DesignState, action: DesignAction): DesignState {
  if (action.type === 'undo' || action.type === 'redo') {
    const step = (action.type === 'undo' ? undo : redo)(state.history, state);
    if (!step) return state;
    const ids = new Set(step.to.graphs[step.to.mode].nodes.map((n) => n.id));
    return {
      ...state,
      ...step.to,
      history: step.history,
      selected: step.to.mode === state.mode ? state.selected.filter((id) => ids.has(id)) : [],
    };
  }
  const next = applyEdit(state, action);
  const key = historyKey(action);
  if (key === null || next === state || !changedPipeline(state, next)) return next;
  return { ...next, history: record(state.history, state, key, Date.now()) };
}

function applyEdit(state: DesignState, action: DesignAction): DesignState {
  const m = state.mode;
  switch (action.type) {
    case 'graph': {
      const graph = { ...action.graph, mode: m };
      const ids = new Set(graph.nodes.map((n) => n.id));
      return {
        ...state,
        graphs: { ...state.graphs, [m]: graph },
        yaml: { ...state.yaml, [m]: graphToYaml(graph) },
        yamlProblems: [],
        selected: state.selected.filter((id) => ids.has(id)),
        serverWarnings: [],
      };
    }
    case 'move':
      return { ...state, graphs: { ...state.graphs, [m]: { ...action.graph, mode: m } } };
    case 'yamlText':
      return { ...state, yaml: { ...state.yaml, [m]: action.text } };
    case 'yamlParsed': {
      if (!action.graph) return { ...state, yamlProblems: action.problems };
      // The YAML may switch the mode: move the text along with the graph to that mode's canvas.
      const target = action.graph.mode;
      const ids = new Set(action.graph.nodes.map((n) => n.id));
      return {
        ...state,
        mode: target,
        graphs: { ...state.graphs, [target]: action.graph },
        yaml: { ...state.yaml, [target]: state.yaml[m] },
        yamlProblems: action.problems,
        selected: state.selected.filter((id) => ids.has(id)),
        serverError: null,
        serverWarnings: [],
      };
    }
    case 'load': {
      const target = action.graph.mode;
      return {
        ...state,
        mode: target,
        graphs: { ...state.graphs, [target]: action.graph },
        yaml: { ...state.yaml, [target]: graphToYaml(action.graph) },
        yamlProblems: [],
        selected: [],
        serverError: null,
        serverWarnings: [],
        fitRequest: state.fitRequest + 1,
      };
    }
    case 'setMode':
      if (action.mode === m) return state;
      return {
        ...state,
        mode: action.mode,
        selected: [],
        yamlProblems: [],
        serverError: null,
        serverWarnings: [],
        fitRequest: state.fitRequest + 1,
      };
    case 'select':
      return sameIds(state.selected, action.ids) ? state : { ...state, selected: action.ids };
    case 'serverError':
      return { ...state, serverError: action.error };
    case 'serverWarnings':
      return { ...state, serverWarnings: action.warnings };
    case 'fit':
      return { ...state, fitRequest: state.fitRequest + 1 };
    default:
      return state;
  }
}

function validGraph(v: unknown, mode: PipelineMode): PipelineGraph | null {
  if (typeof v !== 'object' || v === null) return null;
  const g = v as Partial<PipelineGraph>;
  if (!Array.isArray(g.nodes) || !Array.isArray(g.edges)) return null;
  return { ...(g as PipelineGraph), mode };
}

export function initialDesignState(storage: Storage | null = safeStorage()): DesignState {
  let mode: PipelineMode = 'oneshot';
  const graphs: Record<PipelineMode, PipelineGraph> = {
    oneshot: emptyGraph('oneshot'),
    dynamic: emptyGraph('dynamic'),
  };
  try {
    const raw = storage?.getItem(DRAFT_KEY);
    if (raw) {
      const saved = JSON.parse(raw) as { mode?: unknown; graphs?: Record<string, unknown> };
      if (saved.mode === 'dynamic' || saved.mode === 'oneshot') mode = saved.mode;
      for (const k of ['oneshot', 'dynamic'] as const)
        graphs[k] = validGraph(saved.graphs?.[k], k) ?? graphs[k];
    }
  } catch {
    // A corrupt draft is dropped rather than breaking the page.
  }
  return {
    mode,
    graphs,
    yaml: { oneshot: graphToYaml(graphs.oneshot), dynamic: graphToYaml(graphs.dynamic) },
    yamlProblems: [],
    selected: [],
    serverError: null,
    serverWarnings: [],
    fitRequest: 1,
    history: emptyHistory(),
  };
}

function safeStorage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

interface DesignContextValue {
  state: DesignState;
  dispatch: Dispatch<DesignAction>;
  graph: PipelineGraph;
}

const DesignContext = createContext<DesignContextValue | null>(null);

export function useDesign(): DesignContextValue {
  const ctx = useContext(DesignContext);
  if (!ctx) throw new Error('useDesign must be used inside <DesignProvider>');
  return ctx;
}

/** The Design state when inside a `<DesignProvider>`, else null (for parts another view reuses). */
export function useOptionalDesign(): DesignContextValue | null {
  return useContext(DesignContext);
}

export function DesignProvider({ children, initial }: { children: ReactNode; initial?: DesignState }) {
  const [state, dispatch] = useReducer(designReducer, initial, (i) => i ?? initialDesignState());
  useEffect(() => {
    const t = window.setTimeout(() => {
      try {
        safeStorage()?.setItem(DRAFT_KEY, JSON.stringify({ mode: state.mode, graphs: state.graphs }));
      } catch {
        // Storage full or blocked: the draft is simply not kept.
      }
    }, 250);
    return () => window.clearTimeout(t);
  }, [state.mode, state.graphs]);
  const value = useMemo(() => ({ state, dispatch, graph: state.graphs[state.mode] }), [state]);
  return <DesignContext.Provider value={value}>{children}</DesignContext.Provider>;
}
