// The Design view: palette / assets / samples on the left, the canvas in the middle, the inspector and
// the YAML on the right. Oneshot pipelines are run in Convert; dynamic ones become sessions.
import { ReactFlowProvider } from '@xyflow/react';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { api } from '../../api/client';
import type { PipelineMode } from '../../api/types';
import { ConfirmModal, Modal } from '../../components/modal';
import { useToast } from '../../components/toasts';
import { useAppData } from '../../state/app-data';
import { useDesign } from '../../state/design';
import { useDesignIssues } from '../../state/design-issues';
import { downloadBlob, safeFileName } from '../../lib/download';
import { errorMessage } from '../../lib/format';
import { addNode } from '../../lib/graph-ops';
import { autoLayout } from '../../lib/layout';
import { normalizeDynamicPins } from '../../lib/pins';
import { isMod, isTyping } from '../../lib/shortcuts';
import { nodesNamedIn } from '../../lib/validate';
import { parsePipelineYaml } from '../../lib/yaml-graph';
import { AssetLibrary } from '../shared/assets';
import { DND_ASSET, FlowCanvas } from './flow-canvas';
import { Inspector } from './inspector';
import { NodePalette } from './node-palette';
import { SamplesPane } from './samples-pane';
import { useCanvasCenter } from './use-canvas-center';
import { useCanvasCommands } from './use-canvas-commands';
import { YamlPane } from './yaml-pane';

type LeftTab = 'nodes' | 'assets' | 'samples';

function ControlPane() {
  const [tab, setTab] = useState<LeftTab>('nodes');
  const { graph, dispatch } = useDesign();
  const { lookup } = useAppData();
  const center = useCanvasCenter();
  const tabs: { id: LeftTab; label: string }[] = [
    { id: 'nodes', label: 'Nodes' },
    { id: 'assets', label: 'Assets' },
    { id: 'samples', label: 'Samples' },
  ];
  return (
    <aside className="pane pane-left" data-testid="control-pane">
      <div className="tabs" role="tablist">
        {tabs.map((t) => (
          <button
            key={t.id}
            role="tab"
            aria-selected={tab === t.id}
            className={`tab${tab === t.id ? ' active' : ''}`}
            data-testid={`${t.id}-tab`}
            onClick={() => setTab(t.id)}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div className="pane-scroll">
        {tab === 'nodes' && <NodePalette />}
        {tab === 'assets' && (
          <>
            <p className="muted small">
              Drag an asset onto the canvas (or press +) to add a file reader for it.
            </p>
            <AssetLibrary
              dragType={DND_ASSET}
              onUse={(a) => {
                const r = addNode(graph, 'core::file_reader', lookup('core::file_reader'), center(), {
                  path: a.path,
                });
                dispatch({ type: 'graph', graph: r.graph });
                dispatch({ type: 'select', ids: [r.id] });
              }}
            />
          </>
        )}
        {tab === 'samples' && <SamplesPane />}
      </div>
    </aside>
  );
}

function CreateSessionModal({
  onCancel,
  onCreate,
  busy,
}: {
  onCancel: () => void;
  onCreate: (name: string) => void;
  busy: boolean;
}) {
  const [name, setName] = useState('');
  return (
    <Modal
      title="Create session"
      onClose={onCancel}
      testId="create-session-modal"
      footer={
        <>
          <button className="btn" onClick={onCancel}>
            Cancel
          </button>
          <button
            className="btn primary"
            disabled={busy}
            onClick={() => onCreate(name.trim())}
            data-testid="create-session-confirm"
          >
            {busy ? 'Creating…' : 'Create session'}
          </button>
        </>
      }
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          onCreate(name.trim());
        }}
      >
        <div className="field">
          <label className="field-label" htmlFor="session-name">
            Session name (optional)
          </label>
          <input
            id="session-name"
            type="text"
            value={name}
            maxLength={64}
            placeholder="generated when empty"
            onChange={(e) => setName(e.target.value)}
          />
        </div>
      </form>
    </Modal>
  );
}

function Toolbar({ errors }: { errors: number }) {
  const { state, dispatch, graph } = useDesign();
  const { can, lookup } = useAppData();
  const toast = useToast();
  const navigate = useNavigate();
  const fileInput = useRef<HTMLInputElement>(null);
  const [confirmClear, setConfirmClear] = useState(false);
  const [creating, setCreating] = useState(false);
  const [busy, setBusy] = useState(false);
  const empty = graph.nodes.length === 0;
  const commands = useCanvasCommands();
  const layout = commands.layout;

  const exportYaml = useCallback(() => {
    downloadBlob(
      new Blob([state.yaml[state.mode]], { type: 'text/yaml' }),
      `${safeFileName(graph.name, 'pipeline')}.yaml`,
    );
  }, [graph.name, state.mode, state.yaml]);

  const importText = (text: string, file: string) => {
    const parsed = parsePipelineYaml(text, undefined, (k) => lookup(k)?.oneshot_only === true);
    if (!parsed.graph) {
      dispatch({ type: 'yamlText', text });
      dispatch({ type: 'yamlParsed', graph: null, problems: parsed.problems });
      toast.error(`${file}: ${parsed.problems[0]?.message ?? 'invalid pipeline'}`);
      return;
    }
    const g = normalizeDynamicPins(
      parsed.unplaced.length ? autoLayout(parsed.graph, lookup) : parsed.graph,
      lookup,
    );
    dispatch({ type: 'load', graph: g });
    toast.success(`Imported ${file}`);
  };

  const run = useCallback(() => {
    if (empty) return;
    if (graph.mode === 'oneshot') navigate('/convert?source=design');
    else setCreating(true);
  }, [empty, graph.mode, navigate]);

  const create = async (name: string) => {
    setBusy(true);
    try {
      const r = await api.createSession(state.yaml.dynamic, name || undefined);
      setCreating(false);
      dispatch({ type: 'serverError', error: null });
      dispatch({ type: 'serverWarnings', warnings: r.warnings ?? [] });
      toast.success(`Session “${r.name}” created`);
      if (r.warnings?.length) {
        const more = r.warnings.length > 1 ? ` (+${r.warnings.length - 1} more)` : '';
        toast.info(`${r.warnings[0].message}${more}`);
      }
      navigate('/monitor', { state: { sessionId: r.session_id } });
    } catch (e) {
      const message = errorMessage(e);
      dispatch({
        type: 'serverError',
        error: {
          title: 'Create session failed',
          message,
          nodeIds: nodesNamedIn(
            message,
            graph.nodes.map((n) => n.id),
          ),
        },
      });
      setCreating(false);
      toast.error(`Create session failed: ${message}`);
    } finally {
      setBusy(false);
    }
  };

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (isMod(e) && e.key === 'Enter') {
        e.preventDefault();
        run();
      } else if (isMod(e) && e.key.toLowerCase() === 'e') {
        e.preventDefault();
        exportYaml();
      } else if (isMod(e) && e.key.toLowerCase() === 'o') {
        e.preventDefault();
        fileInput.current?.click();
      } else if (isTyping(e)) return;
      // Ctrl+Z in a field or the YAML editor is that field's own undo (above); elsewhere it is the pipeline's.
      else if (isMod(e) && e.key.toLowerCase() === 'z') {
        e.preventDefault();
        if (e.shiftKey) commands.redo();
        else commands.undo();
      } else if (isMod(e) && e.key.toLowerCase() === 'y') {
        e.preventDefault();
        commands.redo();
      } else if (isMod(e) && e.key.toLowerCase() === 'd') {
        e.preventDefault();
        commands.duplicate();
      } else if (isMod(e) && e.key.toLowerCase() === 'a') {
        e.preventDefault();
        commands.selectAll();
      } else if (e.key === 'L' && e.shiftKey) layout();
      else if (e.key === '/') {
        e.preventDefault();
        document.querySelector<HTMLInputElement>('[data-testid="palette-search"]')?.focus();
      } else if (e.key === 'Escape') dispatch({ type: 'select', ids: [] });
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [run, exportYaml, layout, dispatch, commands]);

  const modes: { id: PipelineMode; label: string; hint: string }[] = [
    { id: 'oneshot', label: 'Oneshot', hint: 'Request → response: run a file through the pipeline' },
    { id: 'dynamic', label: 'Dynamic', hint: 'Long-running session, changed live' },
  ];
  return (
    <div className="toolbar">
      <div className="segmented" role="group" aria-label="Pipeline mode">
        {modes.map((m) => (
          <button
            key={m.id}
            className={state.mode === m.id ? 'active' : ''}
            aria-pressed={state.mode === m.id}
            title={m.hint}
            data-testid={`mode-${m.id}`}
            onClick={() => dispatch({ type: 'setMode', mode: m.id })}
          >
            {m.label}
          </button>
        ))}
      </div>
      <div className="toolbar-group" role="group" aria-label="History">
        <button
          className="btn ghost small"
          onClick={commands.undo}
          disabled={!commands.canUndo}
          title="Undo (Ctrl+Z)"
          aria-label="Undo"
          data-testid="undo"
        >
          ↶ Undo
        </button>
        <button
          className="btn ghost small"
          onClick={commands.redo}
          disabled={!commands.canRedo}
          title="Redo (Ctrl+Shift+Z or Ctrl+Y)"
          aria-label="Redo"
          data-testid="redo"
        >
          ↷ Redo
        </button>
      </div>
      <div className="toolbar-group">
        <button
          className="btn ghost small"
          onClick={layout}
          disabled={empty}
          title="Auto-layout (Shift+L)"
          data-testid="auto-layout"
        >
          Auto-layout
        </button>
        <button
          className="btn ghost small"
          onClick={() => fileInput.current?.click()}
          title="Import YAML (Ctrl+O)"
          data-testid="import-yaml"
        >
          Import
        </button>
        <button
          className="btn ghost small"
          onClick={exportYaml}
          disabled={empty}
          title="Export YAML (Ctrl+E)"
          data-testid="export-yaml"
        >
          Export
        </button>
        <button
          className="btn ghost small"
          onClick={() => setConfirmClear(true)}
          disabled={empty}
          data-testid="clear-canvas"
        >
          Clear
        </button>
        <input
          ref={fileInput}
          type="file"
          accept=".yaml,.yml,text/yaml"
          hidden
          data-testid="import-yaml-input"
          onChange={(e) => {
            const f = e.target.files?.[0];
            e.target.value = '';
            if (f) void f.text().then((t) => importText(t, f.name));
          }}
        />
      </div>
      <div className="toolbar-spacer" />
      {errors > 0 && (
        <span className="chip chip-error" title="See the problems in the inspector and the YAML">
          {errors} problem{errors === 1 ? '' : 's'}
        </span>
      )}
      {state.mode === 'oneshot' && can.runOneshot && (
        <button
          className="btn primary"
          onClick={run}
          disabled={empty}
          title="Run in Convert (Ctrl+Enter)"
          data-testid="run-pipeline"
        >
          ▶ Run
        </button>
      )}
      {state.mode === 'dynamic' && can.createSession && (
        <button
          className="btn primary"
          onClick={run}
          disabled={empty}
          title="Create a session (Ctrl+Enter)"
          data-testid="create-session"
        >
          ⚡ Create session
        </button>
      )}
      {confirmClear && (
        <ConfirmModal
          title="Clear canvas"
          message={`Remove all ${graph.nodes.length} nodes from the ${state.mode} canvas?`}
          confirmLabel="Clear"
          danger
          onCancel={() => setConfirmClear(false)}
          onConfirm={() => {
            dispatch({
              type: 'graph',
              graph: { ...graph, nodes: [], edges: [], name: undefined, description: undefined },
            });
            setConfirmClear(false);
          }}
        />
      )}
      {creating && (
        <CreateSessionModal
          busy={busy}
          onCancel={() => setCreating(false)}
          onCreate={(n) => void create(n)}
        />
      )}
    </div>
  );
}

function DesignBody() {
  const { state, dispatch } = useDesign();
  const issues = useDesignIssues();
  const errors = issues.filter((i) => i.severity === 'error').length;
  return (
    <div className="design" data-testid="design-view">
      <h1 className="sr-only">Design</h1>
      <ControlPane />
      <div className="pane pane-center">
        <Toolbar errors={errors} />
        {state.serverError && (
          <div className="banner banner-error" role="alert" data-testid="server-error">
            <b>{state.serverError.title}:</b> <span className="mono">{state.serverError.message}</span>
            <button
              className="icon-btn"
              aria-label="Dismiss"
              onClick={() => dispatch({ type: 'serverError', error: null })}
            >
              ×
            </button>
          </div>
        )}
        <FlowCanvas issues={issues} />
      </div>
      <aside className="pane pane-right">
        <div className="inspector-wrap">
          <div className="pane-head">
            <span className="pane-title">{state.selected.length === 1 ? 'Inspector' : 'Pipeline'}</span>
          </div>
          <Inspector issues={issues} />
        </div>
        <YamlPane issues={issues} />
      </aside>
    </div>
  );
}

export function DesignView() {
  return (
    <ReactFlowProvider>
      <DesignBody />
    </ReactFlowProvider>
  );
}
