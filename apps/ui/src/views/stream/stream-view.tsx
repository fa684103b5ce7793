// The Stream view: pick a dynamic pipeline with a `transport::moq::peer`, create its session, publish the
// microphone into it over MoQ and play what comes back, with input and output meters and the measured
// round-trip latency. The session's node states and telemetry come from the same live GraphQL link as the
// Monitor; the active session survives leaving the view (per tab) and is dropped when it is destroyed.
import { yaml as yamlLanguage } from '@codemirror/lang-yaml';
import CodeMirror from '@uiw/react-codemirror';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { api } from '../../api/client';
import type { SamplePipeline } from '../../api/types';
import { sessionsApi } from '../../api/sessions';
import { useLiveClient } from '../../api/use-live-client';
import { ConfirmModal } from '../../components/modal';
import { useTheme } from '../../components/theme';
import { StepCard } from '../../components/step-card';
import { useToast } from '../../components/toasts';
import { errorMessage, formatBytes } from '../../lib/format';
import { findMoqPeer, gatewayUrlFor } from '../../lib/moq-peer';
import { useAppData } from '../../state/app-data';
import { editorChrome } from '../design/yaml-pane';
import { SourceGrid } from '../shared/source-grid';
import { TelemetryTimeline } from '../monitor/telemetry-timeline';
import { useLiveSession } from '../monitor/use-live-session';
import { chooseTransport, openMicrophone, type Microphone, MoqLink, type LinkSnapshot } from './moq-link';
import { loadActive, storeActive, type ActiveSession } from './active-session';
import { formatLatency } from './latency';
import { Meter } from './meter';
import { failedNodes, SessionCard } from './session-card';
import './stream.css';

const editorExtensions = [yamlLanguage(), editorChrome];
export function StreamView() {
  const { can, permissions } = useAppData();
  const { theme } = useTheme();
  const toast = useToast();
  const navigate = useNavigate();
  const { client, epoch } = useLiveClient();

  const [samples, setSamples] = useState<SamplePipeline[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [advertisedUrl, setAdvertisedUrl] = useState<string | undefined>(undefined);
  const [sampleId, setSampleId] = useState<string | null>(null);
  const [yaml, setYaml] = useState('');
  const [sessionName, setSessionName] = useState('');
  const [creating, setCreating] = useState(false);
  const [active, setActive] = useState<ActiveSession | null>(loadActive);
  const [confirmDestroy, setConfirmDestroy] = useState(false);
  const [destroying, setDestroying] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const [url, setUrl] = useState('');
  const [inputName, setInputName] = useState('input');
  const [outputName, setOutputName] = useState('output');
  const [link, setLink] = useState<LinkSnapshot | null>(null);
  const linkRef = useRef<MoqLink | null>(null);
  const hostRef = useRef<HTMLDivElement>(null);
  const connectedAt = useRef(0);

  const [live] = useLiveSession(client, active?.id ?? null, epoch);

  // Samples with a MoQ peer, and the gateway the server advertises.
  useEffect(() => {
    let gone = false;
    Promise.all([can.listSamples ? api.samples('dynamic') : Promise.resolve([]), api.config()])
      .then(([list, config]) => {
        if (gone) return;
        const usable = list.filter((s) => findMoqPeer(s.yaml));
        setSamples(usable);
        setAdvertisedUrl(config.moq_gateway_url);
        if (usable[0]) {
          setSampleId(usable[0].id);
          setYaml(usable[0].yaml);
        }
      })
      .catch((e: unknown) => !gone && setLoadError(errorMessage(e)));
    return () => {
      gone = true;
    };
  }, [can.listSamples]);

  const peer = useMemo(() => (active ? active.peer : findMoqPeer(yaml)), [active, yaml]);

  // The connection fields follow the pipeline's peer until the user connects.
  useEffect(() => {
    if (!peer || linkRef.current) return;
    setUrl(gatewayUrlFor(advertisedUrl, peer.gatewayPath, window.location.origin));
    setInputName(peer.inputBroadcast);
    setOutputName(peer.outputBroadcast);
  }, [peer, advertisedUrl]);

  const disconnect = useCallback(() => {
    linkRef.current?.close();
    linkRef.current = null;
    setLink(null);
  }, []);

  useEffect(() => disconnect, [disconnect]);

  const connect = useCallback(
    async (target: { url: string; input: string; output: string }) => {
      if (!hostRef.current) return;
      disconnect();
      setError(null);
      const [microphone, choice] = await Promise.all([
        target.input ? openMicrophone() : Promise.resolve<Microphone>({}),
        chooseTransport(target.url),
      ]);
      if (microphone.error) setError(microphone.error);
      if (!hostRef.current) {
        microphone.track?.stop();
        return;
      }
      connectedAt.current = Date.now();
      linkRef.current = new MoqLink(hostRef.current, { ...target, choice }, setLink, microphone);
      setLink(linkRef.current.snapshot);
    },
    [disconnect],
  );

  // A stored session that no longer exists (destroyed elsewhere, server restarted) is dropped.
  useEffect(() => {
    if (!active) return;
    let gone = false;
    sessionsApi
      .list()
      .then((list) => {
        if (!gone && !list.some((s) => s.id === active.id)) {
          disconnect();
          setActive(null);
          storeActive(null);
        }
      })
      .catch(() => undefined);
    return () => {
      gone = true;
    };
    // Only when the view opens or the live link reconnects.
  }, [epoch]);

  useEffect(() => {
    if (!live.destroyed || !active) return;
    disconnect();
    setActive(null);
    storeActive(null);
    setError(`Session ${active.name || active.id} was destroyed.`);
  }, [live.destroyed, active, disconnect]);

  const pickSample = (s: SamplePipeline) => {
    setSampleId(s.id);
    setYaml(s.yaml);
  };

  const create = async () => {
    const found = findMoqPeer(yaml);
    if (!found) {
      setError('This pipeline has no transport::moq::peer node, so a browser cannot stream into it.');
      return;
    }
    setCreating(true);
    setError(null);
    try {
      const created = await api.createSession(yaml, sessionName.trim() || undefined);
      const pipelineName = samples?.find((s) => s.id === sampleId)?.name ?? 'Custom pipeline';
      const next = { id: created.session_id, name: created.name, pipelineName, peer: found };
      setActive(next);
      storeActive(next);
      toast.success(`Session ${created.name || created.session_id} created`);
      await connect({
        url: gatewayUrlFor(advertisedUrl, found.gatewayPath, window.location.origin),
        input: found.inputBroadcast,
        output: found.outputBroadcast,
      });
    } catch (e) {
      setError(`The session could not be created: ${errorMessage(e)}`);
    } finally {
      setCreating(false);
    }
  };

  const destroy = async () => {
    if (!active) return;
    setDestroying(true);
    disconnect();
    try {
      await sessionsApi.destroy(active.id);
      setActive(null);
      storeActive(null);
      toast.success('Session destroyed');
    } catch (e) {
      toast.error(`The session could not be destroyed: ${errorMessage(e)}`);
    } finally {
      setDestroying(false);
      setConfirmDestroy(false);
    }
  };

  const sessionFailed = active !== null && failedNodes(live.states).length > 0;
  const connected = link !== null;
  const micMuted = link?.mic === 'muted';
  // Connecting needs no session of this tab: any running peer (or relay broadcast) at that URL will do.
  const canConnect = Boolean(url && (inputName || outputName));
  const notLive =
    link && link.watch !== 'live' && link.relay === 'connected' && Date.now() - connectedAt.current > 10_000;

  return (
    <div className="stream" data-testid="stream-view">
      <div className="stream-inner">
        <header className="view-head">
          <h1>Stream</h1>
          <p className="muted">
            Send your microphone through a live pipeline and hear the result. Audio travels over MoQ (Media
            over QUIC) on WebTransport, or its WebSocket fallback, as Opus.
          </p>
        </header>
        {error && (
          <div className="banner banner-error" role="alert" data-testid="stream-error">
            <span>{error}</span>
            <button className="icon-btn" onClick={() => setError(null)} aria-label="Dismiss">
              ×
            </button>
          </div>
        )}
        {!can.createSession && (
          <div className="banner banner-warn" data-testid="stream-denied">
            Your role cannot create sessions (it lacks <code>create_sessions</code>), so it cannot start a
            stream.
          </div>
        )}
        {loadError && <div className="banner banner-error">The Stream view could not load: {loadError}</div>}

        <StepCard step={1} title="Pipeline">
          {active ? (
            <SessionCard
              active={active}
              states={live.states}
              relayConnected={link?.relay === 'connected'}
              canDestroy={permissions.destroy_sessions}
              destroying={destroying}
              onMonitor={() => navigate('/monitor', { state: { sessionId: active.id } })}
              onDestroy={() => setConfirmDestroy(true)}
            />
          ) : (
            <>
              {samples === null && !loadError && <p className="muted small">Loading pipelines…</p>}
              {samples?.length === 0 && (
                <p className="muted">
                  No dynamic pipeline has a <code>transport::moq::peer</code> node. Build one in{' '}
                  <Link to="/design">Design</Link>.
                </p>
              )}
              <SourceGrid
                items={samples ?? []}
                picked={sampleId}
                onPick={(id) => {
                  const s = samples?.find((x) => x.id === id);
                  if (s) pickSample(s);
                }}
                group="stream-sample"
                testId="stream-sample"
              />
              {samples && samples.length > 0 && (
                <details className="yaml-details">
                  <summary>Edit YAML</summary>
                  <CodeMirror
                    value={yaml}
                    onChange={setYaml}
                    theme={theme}
                    extensions={editorExtensions}
                    basicSetup={{ foldGutter: false }}
                    aria-label="Pipeline YAML"
                  />
                </details>
              )}
              {yaml && !peer && <p className="error-text">This YAML has no transport::moq::peer node.</p>}
              <div className="row gap top-gap stream-session-create">
                <input
                  type="text"
                  placeholder="Session name (optional)"
                  value={sessionName}
                  onChange={(e) => setSessionName(e.target.value)}
                  aria-label="Session name"
                />
                <button
                  className="btn primary"
                  onClick={() => void create()}
                  disabled={creating || !peer || !can.createSession}
                  title={can.createSession ? undefined : 'Your role cannot create sessions (create_sessions)'}
                  data-testid="stream-create"
                >
                  {creating ? 'Creating session…' : 'Create session'}
                </button>
              </div>
            </>
          )}
        </StepCard>

        <StepCard step={2} title="Connection">
          <div className="stream-fields">
            <label className="field">
              <span className="field-label">MoQ gateway URL</span>
              <input
                type="url"
                value={url}
                onChange={(e) => setUrl(e.target.value)}
                disabled={connected}
                placeholder="http://127.0.0.1:4545/moq"
                data-testid="stream-url"
              />
            </label>
            <label className="field">
              <span className="field-label">Input broadcast (you → session)</span>
              <input
                type="text"
                value={inputName}
                onChange={(e) => setInputName(e.target.value)}
                disabled={connected}
              />
            </label>
            <label className="field">
              <span className="field-label">Output broadcast (session → you)</span>
              <input
                value={outputName}
                onChange={(e) => setOutputName(e.target.value)}
                disabled={connected}
              />
            </label>
          </div>
          <p className="field-help">
            Filled from the pipeline&apos;s peer node. Leave a broadcast empty to only listen or only publish;
            Connect also reaches a session started elsewhere (Design, the API) at that URL.
          </p>
          <div className="row gap">
            {connected ? (
              <button className="btn" onClick={disconnect} data-testid="stream-disconnect">
                Disconnect
              </button>
            ) : (
              <button
                className="btn primary"
                onClick={() => void connect({ url, input: inputName, output: outputName })}
                disabled={!canConnect}
                title={canConnect ? undefined : 'Enter the gateway URL and at least one broadcast'}
                data-testid="stream-connect"
              >
                Connect &amp; stream
              </button>
            )}
            {connected && link.mic !== 'disabled' && link.mic !== 'error' && (
              <button
                className="btn"
                onClick={() => linkRef.current?.setMicMuted(!micMuted)}
                data-testid="stream-mic-toggle"
                aria-pressed={!micMuted}
              >
                {micMuted ? 'Microphone off' : 'Microphone on'}
              </button>
            )}
          </div>
          {link && (
            <>
              <p className="small stream-status" data-testid="stream-status">
                Relay: <b data-testid="stream-relay">{link.relay}</b> over{' '}
                <b
                  data-testid="stream-transport"
                  data-transport={link.transport}
                  title={link.transportReason}
                >
                  {link.transport === 'webtransport' ? 'HTTP/3 (WebTransport)' : 'WebSocket'}
                </b>
                {link.transportReason && <span className="muted"> ({link.transportReason})</span>} · Output:{' '}
                <b data-testid="stream-watch">{link.watch}</b>
                {sessionFailed && link.watch === 'live' && (
                  <span className="warn-text"> (not this session&apos;s pipeline: a node failed)</span>
                )}{' '}
                · Mic: <b data-testid="stream-mic">{link.mic}</b>
              </p>
              {notLive && (
                <p className="small warn-text">
                  The output broadcast “{outputName}” is not live yet: is the pipeline running?
                </p>
              )}
              <div className="meters">
                <Meter label="Microphone" level={link.input} testId="stream-input-level" />
                <Meter label="From session" level={link.output} testId="stream-output-level" />
              </div>
              <p className="small">
                Round trip:{' '}
                <b
                  data-testid="stream-latency"
                  data-ms={link.latency.state === 'ready' ? link.latency.ms : ''}
                  data-spread-ms={link.latency.state === 'ready' ? link.latency.spreadMs : ''}
                  title="Median of the last round-trip measurements, outliers rejected; ± is their spread"
                >
                  {formatLatency(link.latency)}
                </b>{' '}
                · Received <span data-testid="stream-received">{formatBytes(link.bytesReceived)}</span>,{' '}
                <span data-testid="stream-audible" data-ms={link.audibleMs}>
                  {(link.audibleMs / 1000).toFixed(1)} s
                </span>{' '}
                audible
              </p>
            </>
          )}
          <div ref={hostRef} className="stream-elements" />
        </StepCard>

        {active && (
          <StepCard step={3} title="Telemetry">
            <TelemetryTimeline history={live.history} events={live.telemetry} />
          </StepCard>
        )}
      </div>
      {confirmDestroy && active && (
        <ConfirmModal
          title="Destroy session?"
          message={`Stop ${active.name || active.id} and its pipeline. Anyone streaming into it is disconnected.`}
          confirmLabel="Destroy"
          danger
          busy={destroying}
          onConfirm={() => void destroy()}
          onCancel={() => setConfirmDestroy(false)}
        />
      )}
    </div>
  );
}
