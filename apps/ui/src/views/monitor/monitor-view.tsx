// The Monitor view: live sessions (and, while staging, Design's node palette) on the left, the selected
// session's live graph in the centre, and the inspector with wiring and staging, the live YAML and a
// telemetry timeline on the right. Everything live arrives over one graphql-ws socket that reconnects
// forever; while it is down a banner says so.
import { ReactFlowProvider } from '@xyflow/react';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useLocation, useSearchParams } from 'react-router-dom';
import { sessionsApi, type SessionInfo } from '../../api/sessions';
import { useLiveClient } from '../../api/use-live-client';
import { ConfirmModal } from '../../components/modal';
import { useToast } from '../../components/toasts';
import { errorMessage } from '../../lib/format';
import { connectionKey } from '../../lib/staging';
import { graphToYaml } from '../../lib/yaml-graph';
import { useAppData } from '../../state/app-data';
import { NodePalette } from '../design/node-palette';
import { LiveGraph } from './live-graph';
import { LiveInspector } from './live-inspector';
import { liveGraph } from './live-model';
import { OpsPanel } from './ops-panel';
import { SessionList } from './session-list';
import { SessionUptime } from './session-uptime';
import { TelemetryTimeline } from './telemetry-timeline';
import { aggregateStatus, useLiveSession } from './use-live-session';
import { useMonitorEdits } from './use-monitor-edits';
import { useSessionList } from './use-session-list';
import './monitor.css';

type LeftTab = 'sessions' | 'nodes';
type RightTab = 'edit' | 'yaml' | 'telemetry';

export function MonitorView() {
  return (
    <ReactFlowProvider>
      <MonitorBody />
    </ReactFlowProvider>
  );
}

function MonitorBody() {
  const toast = useToast();
  const { lookup, packets, permissions } = useAppData();
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
  const edits = useMonitorEdits(selectedId, pipeline, lookup, setLiveParams);

  const [leftTab, setLeftTab] = useState<LeftTab>('sessions');
  const [tab, setTab] = useState<RightTab>('edit');
  const [inspected, setInspected] = useState<string | null>(null);
  useEffect(() => setInspected(null), [selectedId]);
  useEffect(() => setLeftTab(edits.staging ? 'nodes' : 'sessions'), [edits.staging]);

  useEffect(() => {
    if (live.destroyed && selectedId) {
      toast.info(`Session ${selectedId} was destroyed.`);
      select(null);
    }
  }, [live.destroyed, selectedId, select, toast]);

  const inspect = useCallback((nodeId: string | null) => {
    setInspected(nodeId);
    if (nodeId) setTab('edit');
  }, []);
  const addKind = (kind: string) => {
    const id = edits.stageKind(kind);
    if (id) inspect(id);
  };

  const graph = useMemo(
    () => liveGraph(pipeline?.name, edits.nodes, edits.connections),
    [pipeline?.name, edits.nodes, edits.connections],
  );
  const yaml = useMemo(() => graphToYaml(graph), [graph]);
  const inspectedNode = edits.nodes.find((n) => n.id === inspected);
  const liveKeys = useMemo(() => new Set(pipeline?.connections.map(connectionKey)), [pipeline?.connections]);

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

  const selected = sessions?.find((s) => s.id === selectedId || s.name === selectedId) ?? null;
  const sessionStatus = aggregateStatus(Object.values(live.states));
  const canModify = permissions.modify_sessions;

  return (
    <div className="monitor" data-testid="monitor-view">
      <h1 className="sr-only">Monitor</h1>
      <aside className="pane pane-left">
        <div className="pane-head">
          <span className="pane-title">{leftTab === 'nodes' ? 'Add nodes' : 'Sessions'}</span>
          <span
            className={`chip link-${status}`}
            data-testid="connection-status"
            title="Live connection to the server"
          >
            {status === 'connected' ? 'live' : status}
          </span>
        </div>
        {edits.staging && (
          <div className="tabs" role="tablist">
            {(['sessions', 'nodes'] as const).map((t) => (
              <button
                key={t}
                role="tab"
                aria-selected={leftTab === t}
                className={`tab${leftTab === t ? ' active' : ''}`}
                onClick={() => setLeftTab(t)}
                data-testid={`monitor-left-${t}`}
              >
                {t === 'sessions' ? 'Sessions' : 'Nodes'}
              </button>
            ))}
          </div>
        )}
        <div className="pane-scroll">
          {leftTab === 'nodes' && edits.staging ? (
            <NodePalette mode="dynamic" onAdd={(d) => addKind(d.kind)} />
          ) : (
            <SessionList
              client={client}
              sessions={sessions}
              error={listError}
              selectedId={selected?.id ?? selectedId}
              canDelete={permissions.destroy_sessions}
              onSelect={select}
              onDelete={setToDelete}
            />
          )}
        </div>
      </aside>
      <div className="pane pane-center">
        {lost && (
          <div className="banner banner-error" role="alert" data-testid="connection-lost-banner">
            Connection to the server lost — reconnecting… Live data resumes when it is back.
          </div>
        )}
        {selectedId && (
          <div className="monitor-toolbar" data-testid="monitor-toolbar">
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
            {selected && <SessionUptime createdAt={selected.createdAt} />}
            <span className="toolbar-spacer" />
            {canModify && !edits.staging && pipeline && (
              <button className="btn ghost small" data-testid="staging-enter" onClick={edits.enterStaging}>
                Enter staging
              </button>
            )}
            {edits.staging && <span className="chip chip-accent">Staging</span>}
            {permissions.destroy_sessions && selected && (
              <button className="btn danger small" onClick={() => setToDelete(selected)}>
                Delete
              </button>
            )}
          </div>
        )}
        {edits.tuneError && (
          <div className="banner banner-warn" role="alert" data-testid="tune-error">
            {edits.tuneError}
            <button className="icon-btn" aria-label="Dismiss" onClick={edits.dismissTuneError}>
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
            nodes={edits.nodes}
            connections={edits.connections}
            states={live.states}
            rates={live.rates}
            lookup={lookup}
            packets={packets}
            stagedIds={edits.newIds}
            liveKeys={liveKeys}
            selectedId={inspected}
            onSelect={inspect}
            onParam={edits.editSlider}
            onRemove={canModify ? edits.remove : null}
            onDropKind={edits.staging && canModify ? addKind : null}
            onConnectPins={edits.staging && canModify ? edits.connect : null}
            onDisconnectEdge={edits.staging && canModify ? edits.disconnect : null}
            onRefused={(reason) => toast.error(`Connection refused: ${reason}`)}
          />
        )}
      </div>
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
            <>
              {inspectedNode && (
                <LiveInspector
                  node={inspectedNode}
                  graph={graph}
                  lookup={lookup}
                  packets={packets}
                  state={live.states[inspectedNode.id]}
                  rate={live.rates[inspectedNode.id]}
                  isNew={edits.newIds.has(inspectedNode.id)}
                  staging={edits.staging}
                  canModify={canModify}
                  onParam={(path, value) => edits.editParam(inspectedNode.id, path, value)}
                  onRemove={canModify ? () => edits.remove(inspectedNode.id) : null}
                />
              )}
              <OpsPanel
                nodes={edits.nodes}
                connections={edits.connections}
                staging={edits.staging}
                ops={edits.ops}
                problems={edits.problems}
                busy={edits.busy}
                canModify={canModify}
                onConnect={edits.connect}
                onDisconnect={edits.disconnect}
                onValidate={edits.validate}
                onApply={edits.apply}
                onDiscard={edits.discard}
              />
            </>
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
      {edits.toRemove && (
        <ConfirmModal
          title="Remove node"
          message={
            <>
              Remove node <b>{edits.toRemove}</b> from the running session? Its connections are removed too.
            </>
          }
          confirmLabel="Remove"
          danger
          busy={edits.busy}
          onConfirm={edits.confirmRemove}
          onCancel={edits.cancelRemove}
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
