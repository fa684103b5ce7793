// The Monitor view: live sessions on the left, the selected session's live graph in the centre, and
// editing (live or staged), the live YAML and a telemetry timeline on the right. Everything live
// arrives over one graphql-ws socket that reconnects forever; while it is down a banner says so.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useLocation, useSearchParams } from 'react-router-dom';
import {
  sessionsApi,
  type BatchOperation,
  type LiveConnection,
  type Problem,
  type SessionInfo,
} from '../../api/sessions';
import { useLiveClient } from '../../api/use-live-client';
import { ConfirmModal } from '../../components/modal';
import { useToast } from '../../components/toasts';
import type { PipelineGraph } from '../../lib/graph';
import {
  diffToBatch,
  stageFrom,
  connectionKey,
  type StagedNode,
  type StagedPipeline,
} from '../../lib/staging';
import { errorMessage } from '../../lib/format';
import { graphToYaml } from '../../lib/yaml-graph';
import { useAppData } from '../../state/app-data';
import { LiveGraph } from './live-graph';
import { OpsPanel } from './ops-panel';
import { SessionList } from './session-list';
import { TelemetryTimeline } from './telemetry-timeline';
import { aggregateStatus, useLiveSession } from './use-live-session';
import { useSessionList } from './use-session-list';
import './monitor.css';

const TUNE_DEBOUNCE_MS = 150;

type RightTab = 'edit' | 'yaml' | 'telemetry';

export function MonitorView() {
  const toast = useToast();
  const { nodeDefs, lookup, permissions } = useAppData();
  const { client, status, lost, epoch } = useLiveClient();
  const [params, setParams] = useSearchParams();
  const arrived = (useLocation().state as { sessionId?: string } | null)?.sessionId ?? null;
  const selectedId = params.get('session') ?? arrived;
  const select = useCallback(
    (id: string | null) => setParams(id ? { session: id } : {}, { replace: true }),
    [setParams],
  );

  const { sessions, setSessions, listError } = useSessionList(client, epoch);
  const [toDelete, setToDelete] = useState<SessionInfo | null>(null);
  const [deleting, setDeleting] = useState(false);

  const [live, setLiveParams] = useLiveSession(client, selectedId, epoch);
  const pipeline = live.pipeline;

  useEffect(() => {
    if (live.destroyed && selectedId) {
      toast.info(`Session ${selectedId} was destroyed.`);
      select(null);
    }
  }, [live.destroyed, selectedId, select, toast]);

  // Live tuning: the slider shows the value at once; the server call waits for the user to pause.
  const [overrides, setOverrides] = useState<Record<string, Record<string, unknown>>>({});
  const [tuneError, setTuneError] = useState<string | null>(null);
  const timers = useRef(new Map<string, number>());
  useEffect(() => {
    const t = timers.current;
    return () => t.forEach((id) => window.clearTimeout(id));
  }, []);

  const tuneLive = (nodeId: string, key: string, value: number) => {
    if (!selectedId) return;
    const sessionId = selectedId;
    setOverrides((o) => ({ ...o, [nodeId]: { ...o[nodeId], [key]: value } }));
    const timerKey = `${nodeId}\u0000${key}`;
    window.clearTimeout(timers.current.get(timerKey));
    timers.current.set(
      timerKey,
      window.setTimeout(() => {
        timers.current.delete(timerKey);
        const clear = () =>
          setOverrides((o) => {
            const rest = { ...o[nodeId] };
            delete rest[key];
            return { ...o, [nodeId]: rest };
          });
        sessionsApi.tune(sessionId, nodeId, { [key]: value }).then(
          (p) => {
            setLiveParams(nodeId, p);
            setTuneError(null);
            clear();
          },
          (e: unknown) => {
            clear();
            const m = `Could not set ${nodeId}.${key} to ${value}: ${errorMessage(e)}`;
            setTuneError(m);
            toast.error(m);
          },
        );
      }, TUNE_DEBOUNCE_MS),
    );
  };

  // Staging: a local copy edited freely, applied as one batch against the snapshot it started from.
  const [staging, setStaging] = useState<{ base: StagedPipeline; staged: StagedPipeline } | null>(null);
  const [problems, setProblems] = useState<Problem[] | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    setStaging(null);
    setProblems(null);
    setTuneError(null);
    setOverrides({});
  }, [selectedId]);
  const ops = useMemo(() => (staging ? diffToBatch(staging.base, staging.staged) : []), [staging]);
  const editStaged = (f: (s: StagedPipeline) => StagedPipeline) => {
    setProblems(null);
    setStaging((s) => (s ? { ...s, staged: f(s.staged) } : s));
  };

  const runBatch = async (batch: BatchOperation[], done: string): Promise<boolean> => {
    if (!selectedId) return false;
    setBusy(true);
    try {
      await sessionsApi.applyBatch(selectedId, batch);
      toast.success(done);
      return true;
    } catch (e) {
      const m = errorMessage(e);
      setProblems([{ message: m, nodeId: null, path: null, pin: null }]);
      toast.error(`The server refused the change: ${m}`);
      return false;
    } finally {
      setBusy(false);
    }
  };

  const [toRemove, setToRemove] = useState<string | null>(null);
  const onAddNode = (n: StagedNode) => {
    if (staging) editStaged((s) => ({ ...s, nodes: [...s.nodes, n] }));
    else
      void runBatch([{ action: 'ADD_NODE', nodeId: n.id, kind: n.kind, params: n.params }], `Added ${n.id}.`);
  };
  const conn = (c: LiveConnection) => ({
    fromNode: c.fromNode,
    fromPin: c.fromPin,
    toNode: c.toNode,
    toPin: c.toPin,
  });
  const onConnect = (c: LiveConnection) => {
    if (staging)
      editStaged((s) => ({
        ...s,
        connections: [...s.connections.filter((x) => connectionKey(x) !== connectionKey(c)), c],
      }));
    else
      void runBatch(
        [{ action: 'CONNECT', connection: { ...conn(c), mode: c.mode } }],
        `Connected ${connectionKey(c)}.`,
      );
  };
  const onDisconnect = (c: LiveConnection) => {
    if (staging)
      editStaged((s) => ({
        ...s,
        connections: s.connections.filter((x) => connectionKey(x) !== connectionKey(c)),
      }));
    else void runBatch([{ action: 'DISCONNECT', connection: conn(c) }], `Disconnected ${connectionKey(c)}.`);
  };
  const onRemove = (nodeId: string) => {
    if (staging)
      editStaged((s) => ({
        nodes: s.nodes.filter((n) => n.id !== nodeId),
        connections: s.connections.filter((c) => c.fromNode !== nodeId && c.toNode !== nodeId),
      }));
    else setToRemove(nodeId);
  };
  const onParam = (nodeId: string, key: string, value: number) => {
    if (staging)
      editStaged((s) => ({
        ...s,
        nodes: s.nodes.map((n) => (n.id === nodeId ? { ...n, params: { ...n.params, [key]: value } } : n)),
      }));
    else tuneLive(nodeId, key, value);
  };
  const validate = async () => {
    if (!selectedId) return;
    setBusy(true);
    try {
      const r = await sessionsApi.validateBatch(selectedId, ops);
      setProblems(r.problems);
    } catch (e) {
      setProblems([{ message: errorMessage(e), nodeId: null, path: null, pin: null }]);
    } finally {
      setBusy(false);
    }
  };
  const apply = async () => {
    if (await runBatch(ops, `Applied ${ops.length} change${ops.length === 1 ? '' : 's'}.`)) {
      setStaging(null);
      setProblems(null);
    }
  };

  const confirmDelete = async () => {
    if (!toDelete) return;
    setDeleting(true);
    try {
      await sessionsApi.destroy(toDelete.id);
      setSessions((list) => (list ?? []).filter((s) => s.id !== toDelete.id));
      if (toDelete.id === selectedId) select(null);
      toast.success(`Session ${toDelete.name || toDelete.id} deleted.`);
      setToDelete(null);
    } catch (e) {
      toast.error(`Could not delete ${toDelete.name || toDelete.id}: ${errorMessage(e)}`);
    } finally {
      setDeleting(false);
    }
  };

  const [tab, setTab] = useState<RightTab>('edit');
  const shownNodes: StagedNode[] = staging
    ? staging.staged.nodes
    : (pipeline?.nodes ?? []).map((n) => ({ ...n, params: { ...n.params, ...overrides[n.id] } }));
  const shownConns = staging ? staging.staged.connections : (pipeline?.connections ?? []);
  const stagedIds = useMemo(() => {
    const base = new Set(staging?.base.nodes.map((n) => n.id));
    return new Set(staging ? staging.staged.nodes.filter((n) => !base.has(n.id)).map((n) => n.id) : []);
  }, [staging]);
  const yaml = useMemo(() => {
    const graph: PipelineGraph = {
      name: pipeline?.name ?? undefined,
      mode: 'dynamic',
      nodes: shownNodes.map((n) => ({ ...n, position: { x: 0, y: 0 } })),
      edges: shownConns.map((c) => ({
        id: connectionKey(c),
        source: c.fromNode,
        sourcePin: c.fromPin,
        target: c.toNode,
        targetPin: c.toPin,
        mode: c.mode === 'BEST_EFFORT' ? 'best_effort' : 'reliable',
      })),
    };
    return graphToYaml(graph);
  }, [pipeline?.name, shownNodes, shownConns]);

  const selected = sessions?.find((s) => s.id === selectedId || s.name === selectedId) ?? null;
  const sessionStatus = aggregateStatus(Object.values(live.states));
  const canModify = permissions.modify_sessions;

  return (
    <div className="monitor" data-testid="monitor-view">
      <aside className="pane pane-left">
        <div className="pane-head">
          <span className="pane-title">Sessions</span>
          <span
            className={`chip link-${status}`}
            data-testid="connection-status"
            title="Live connection to the server"
          >
            {status === 'connected' ? 'live' : status}
          </span>
        </div>
        <div className="pane-scroll">
          <SessionList
            client={client}
            sessions={sessions}
            error={listError}
            selectedId={selected?.id ?? selectedId}
            canDelete={permissions.destroy_sessions}
            onSelect={select}
            onDelete={setToDelete}
          />
        </div>
      </aside>
      <main className="pane pane-center">
        {lost && (
          <div className="banner banner-error" role="alert" data-testid="connection-lost-banner">
            Connection to the server lost — reconnecting… Live data resumes when it is back.
          </div>
        )}
        {selectedId && (
          <div className="monitor-toolbar">
            <span className={`state-dot state-${sessionStatus.toLowerCase()}`} aria-hidden="true" />
            <b data-testid="selected-session">{selected?.name || selectedId}</b>
            <code
              className="muted small"
              data-testid={selectedId === arrived ? 'created-session-id' : 'session-id'}
            >
              {selected?.id ?? selectedId}
            </code>
            <span className="muted small" data-testid="session-status">
              {sessionStatus}
            </span>
            <span className="toolbar-spacer" />
            {canModify && !staging && pipeline && (
              <button
                className="btn ghost small"
                data-testid="staging-enter"
                onClick={() => {
                  setStaging({ base: stageFrom(pipeline), staged: stageFrom(pipeline) });
                  setProblems(null);
                  setTab('edit');
                }}
              >
                Enter staging
              </button>
            )}
            {staging && <span className="chip chip-accent">Staging</span>}
            {permissions.destroy_sessions && selected && (
              <button className="btn danger small" onClick={() => setToDelete(selected)}>
                Delete
              </button>
            )}
          </div>
        )}
        {tuneError && (
          <div className="banner banner-warn" role="alert" data-testid="tune-error">
            {tuneError}
            <button className="icon-btn" aria-label="Dismiss" onClick={() => setTuneError(null)}>
              ×
            </button>
          </div>
        )}
        {live.error && selectedId && (
          <div className="banner banner-error" role="alert" data-testid="session-error">
            {live.error}
          </div>
        )}
        {!selectedId && (
          <div className="monitor-empty muted">Select a session from the list on the left.</div>
        )}
        {selectedId && pipeline && (
          <LiveGraph
            nodes={shownNodes}
            connections={shownConns}
            states={live.states}
            rates={live.rates}
            lookup={lookup}
            stagedIds={stagedIds}
            onParam={onParam}
            onRemove={canModify ? onRemove : null}
          />
        )}
      </main>
      <aside className="pane pane-right">
        <div className="tabs" role="tablist">
          {(['edit', 'yaml', 'telemetry'] as const).map((t) => (
            <button
              key={t}
              role="tab"
              aria-selected={tab === t}
              className={`tab${tab === t ? ' active' : ''}`}
              onClick={() => setTab(t)}
              data-testid={`monitor-tab-${t}`}
            >
              {t === 'edit' ? 'Edit' : t === 'yaml' ? 'YAML' : 'Telemetry'}
            </button>
          ))}
        </div>
        <div className="pane-scroll">
          {!pipeline && <p className="muted">No session selected.</p>}
          {pipeline && tab === 'edit' && (
            <OpsPanel
              defs={nodeDefs}
              nodes={shownNodes}
              connections={shownConns}
              staging={Boolean(staging)}
              ops={ops}
              problems={problems}
              busy={busy}
              canModify={canModify}
              onAddNode={onAddNode}
              onConnect={onConnect}
              onDisconnect={onDisconnect}
              onValidate={() => void validate()}
              onApply={() => void apply()}
              onDiscard={() => {
                setStaging(null);
                setProblems(null);
              }}
            />
          )}
          {pipeline && tab === 'yaml' && (
            <pre className="live-yaml mono" data-testid="live-yaml">
              {yaml}
            </pre>
          )}
          {pipeline && tab === 'telemetry' && (
            <TelemetryTimeline history={live.history} events={live.telemetry} />
          )}
        </div>
      </aside>
      {toRemove && (
        <ConfirmModal
          title="Remove node"
          message={
            <>
              Remove node <b>{toRemove}</b> from the running session? Its connections are removed too.
            </>
          }
          confirmLabel="Remove"
          danger
          busy={busy}
          onConfirm={() =>
            void runBatch([{ action: 'REMOVE_NODE', nodeId: toRemove }], `Removed ${toRemove}.`).then(() =>
              setToRemove(null),
            )
          }
          onCancel={() => setToRemove(null)}
        />
      )}
      {toDelete && (
        <ConfirmModal
          title="Delete session"
          message={
            <>
              Delete session <b>{toDelete.name || toDelete.id}</b>? Its pipeline stops and connected clients
              are dropped.
            </>
          }
          confirmLabel="Delete"
          danger
          busy={deleting}
          onConfirm={() => void confirmDelete()}
          onCancel={() => setToDelete(null)}
        />
      )}
    </div>
  );
}
