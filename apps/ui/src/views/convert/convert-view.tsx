// The Convert view: pick a oneshot pipeline (a sample or the current design), give it a file (upload or
// asset), run it through /api/v1/process with progress, and play, read or download the result.
import { yaml as yamlLanguage } from '@codemirror/lang-yaml';
import CodeMirror from '@uiw/react-codemirror';
import { useEffect, useMemo, useRef, useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { editorChrome } from '../design/yaml-pane';
import { api } from '../../api/client';
import type { AudioAsset, SamplePipeline } from '../../api/types';
import { useTheme } from '../../components/theme';
import { StepCard } from '../../components/step-card';
import { useAppData } from '../../state/app-data';
import { useDesign } from '../../state/design';
import { needsMedia, takesText, withAssetInput } from '../../lib/convert';
import { downloadBlob, safeFileName } from '../../lib/download';
import { errorMessage, formatBytes } from '../../lib/format';
import { extensionFor, resultKind, runProcess, sniffContentType } from '../../lib/process';
import { StreamFeed } from '../../lib/stream-feed';
import { AssetLibrary, AUDIO_EXTENSIONS, assetUploadProblem, DropZone } from '../shared/assets';
import { SourceGrid } from '../shared/source-grid';
import { ResultPlayer } from './result-player';
import { TextResult } from './text-result';

const DESIGN_ID = '__design__';
const convertEditorExtensions = [yamlLanguage(), editorChrome];

interface Source {
  id: string;
  name: string;
  description: string;
  yaml: string;
  system: boolean;
}

type Phase = 'idle' | 'running' | 'done' | 'error';

interface RunState {
  phase: Phase;
  sent: number;
  total: number;
  received: number;
  contentType: string | null;
  feed: StreamFeed | null;
  error: string | null;
  startedAt: number;
  elapsed: number;
}

const idle: RunState = {
  phase: 'idle',
  sent: 0,
  total: 0,
  received: 0,
  contentType: null,
  feed: null,
  error: null,
  startedAt: 0,
  elapsed: 0,
};

export function ConvertView() {
  const { can, nodeDefs } = useAppData();
  const { state: design } = useDesign();
  const { theme } = useTheme();
  const [params] = useSearchParams();
  const [samples, setSamples] = useState<SamplePipeline[] | null>(null);
  const [samplesError, setSamplesError] = useState<string | null>(null);
  const [query, setQuery] = useState('');
  const [sourceId, setSourceId] = useState<string | null>(
    params.get('source') === 'design' ? DESIGN_ID : null,
  );
  const [edited, setEdited] = useState<string | null>(null);
  const [showYaml, setShowYaml] = useState(false);
  const [inputMode, setInputMode] = useState<'upload' | 'asset' | 'text'>('upload');
  const [typed, setTyped] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [fileProblem, setFileProblem] = useState<string | null>(null);
  const [asset, setAsset] = useState<AudioAsset | null>(null);
  const [run, setRun] = useState<RunState>(idle);
  const cancelRef = useRef<(() => void) | null>(null);

  useEffect(() => {
    if (!can.listSamples) return;
    api.samples('oneshot').then(
      (s) => setSamples(s.filter((x) => !x.is_fragment && x.mode === 'oneshot')),
      (e: unknown) => setSamplesError(errorMessage(e)),
    );
  }, [can.listSamples]);

  const sources = useMemo<Source[]>(() => {
    const list: Source[] = [];
    const g = design.graphs.oneshot;
    if (g.nodes.length > 0) {
      list.push({
        id: DESIGN_ID,
        name: g.name ? `Current design: ${g.name}` : 'Current design',
        description: `${g.nodes.length} nodes from the Design view`,
        yaml: design.yaml.oneshot,
        system: false,
      });
    }
    const sorted = [...(samples ?? [])].sort(
      (a, b) =>
        Number(b.is_system) - Number(a.is_system) ||
        a.name.localeCompare(b.name, undefined, { numeric: true }),
    );
    for (const s of sorted)
      list.push({ id: s.id, name: s.name, description: s.description, yaml: s.yaml, system: s.is_system });
    return list;
  }, [samples, design.graphs.oneshot, design.yaml.oneshot]);

  useEffect(() => {
    if (sourceId === null && sources.length > 0) setSourceId(sources[0].id);
  }, [sources, sourceId]);

  const source = sources.find((s) => s.id === sourceId) ?? null;
  useEffect(() => setEdited(null), [sourceId]);
  const baseYaml = edited ?? source?.yaml ?? '';
  const wantsMedia = useMemo(() => needsMedia(baseYaml), [baseYaml]);
  const wantsText = useMemo(
    () => wantsMedia && takesText(baseYaml, nodeDefs),
    [baseYaml, wantsMedia, nodeDefs],
  );
  // A text pipeline starts on typed text; leaving one goes back to uploads.
  useEffect(() => {
    if (wantsText) setInputMode('text');
    else setInputMode((m) => (m === 'text' ? 'upload' : m));
  }, [wantsText]);

  const effective = useMemo(() => {
    if (!wantsMedia || inputMode !== 'asset' || !asset)
      return { yaml: baseYaml, error: null as string | null };
    try {
      return { yaml: withAssetInput(baseYaml, asset.path), error: null };
    } catch (e) {
      return { yaml: baseYaml, error: errorMessage(e) };
    }
  }, [baseYaml, wantsMedia, inputMode, asset]);

  const inputReady =
    !wantsMedia ||
    (inputMode === 'upload' ? file !== null : inputMode === 'text' ? typed.trim() !== '' : asset !== null);
  const q = query.trim().toLowerCase();
  const shownSources = sources.filter(
    (s) => !q || s.name.toLowerCase().includes(q) || s.description.toLowerCase().includes(q),
  );

  const start = () => {
    if (!source) return;
    const feed = new StreamFeed();
    const t0 = performance.now();
    const media = !wantsMedia
      ? null
      : inputMode === 'upload'
        ? file
        : inputMode === 'text'
          ? new File([typed], 'text.txt', { type: 'text/plain; charset=utf-8' })
          : null;
    setRun({ ...idle, phase: 'running', startedAt: t0, feed: null, total: media?.size ?? 0 });
    let declared = 'application/octet-stream';
    let sniffed = false;
    const r = runProcess(effective.yaml, media, {
      onUpload: (sent, total) => setRun((s) => ({ ...s, sent, total: total || s.total })),
      onStart: (type) => {
        declared = type;
        if (!type.startsWith('application/octet-stream')) {
          sniffed = true;
          setRun((s) => ({ ...s, contentType: type, feed }));
        }
      },
      onChunk: (bytes, received) => {
        if (!sniffed) {
          sniffed = true;
          setRun((s) => ({ ...s, contentType: sniffContentType(bytes) ?? declared, feed }));
        }
        feed.push(bytes);
        setRun((s) => ({ ...s, received, elapsed: performance.now() - t0 }));
      },
    });
    cancelRef.current = r.cancel;
    r.done.then(
      ({ contentType }) => {
        feed.end();
        setRun((s) => ({
          ...s,
          phase: 'done',
          sent: s.total,
          contentType: s.contentType ?? contentType,
          feed,
          elapsed: performance.now() - t0,
        }));
      },
      (e: unknown) => {
        feed.end();
        setRun((s) => ({ ...s, phase: 'error', error: errorMessage(e), elapsed: performance.now() - t0 }));
      },
    );
  };

  const download = () => {
    if (!run.feed || !run.contentType) return;
    const type = run.contentType.split(';')[0];
    const base = safeFileName(
      file && inputMode === 'upload' ? file.name.replace(/\.[^.]+$/, '') : asset ? asset.name : source?.name,
      'output',
    );
    downloadBlob(run.feed.blob(type), `${base}_converted.${extensionFor(run.contentType)}`);
  };

  const running = run.phase === 'running';
  const kind = run.contentType ? resultKind(run.contentType) : null;
  return (
    <div className="convert" data-testid="convert-view">
      <div className="convert-inner">
        <header className="view-head">
          <h1>Convert</h1>
          <p className="muted">
            Run a oneshot pipeline on a file. The result streams back and starts playing before it has
            finished.
          </p>
        </header>
        {!can.runOneshot && (
          <div className="banner banner-warn" data-testid="convert-denied">
            Your role cannot run pipelines (it lacks <code>create_sessions</code>). You can still browse
            pipelines and assets.
          </div>
        )}

        <StepCard step={1} title="Pipeline">
          <input
            type="search"
            className="search"
            placeholder="Search pipelines"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            aria-label="Search pipelines"
          />
          {samplesError && <p className="error-text">Samples could not be loaded: {samplesError}</p>}
          {samples === null && !samplesError && can.listSamples && (
            <p className="muted small">Loading samples…</p>
          )}
          {sources.length === 0 && samples !== null && (
            <p className="muted">
              No oneshot pipeline yet. Build one in <Link to="/design">Design</Link>.
            </p>
          )}
          <SourceGrid
            items={shownSources.map((s) => ({
              ...s,
              badge: s.system ? (
                <span className="chip">system</span>
              ) : s.id === DESIGN_ID ? (
                <span className="chip chip-accent">design</span>
              ) : (
                <span className="chip">user</span>
              ),
            }))}
            picked={sourceId}
            onPick={setSourceId}
            group="source"
            testId="convert-source"
          />
          {source && (
            <details
              className="yaml-details"
              open={showYaml}
              onToggle={(e) => setShowYaml((e.target as HTMLDetailsElement).open)}
            >
              <summary>
                <span className={`caret${showYaml ? ' open' : ''}`}>▸</span>
                {edited !== null ? 'Pipeline YAML (edited)' : 'Pipeline YAML'}
                {edited !== null && (
                  <button className="link-btn small" onClick={() => setEdited(null)}>
                    revert
                  </button>
                )}
              </summary>
              {showYaml && (
                <CodeMirror
                  value={baseYaml}
                  theme={theme}
                  extensions={convertEditorExtensions}
                  maxHeight="320px"
                  onChange={(v) => setEdited(v)}
                  data-testid="convert-yaml"
                />
              )}
            </details>
          )}
        </StepCard>

        <StepCard step={2} title="Input">
          {!source ? (
            <p className="muted">Pick a pipeline first.</p>
          ) : !wantsMedia ? (
            <p className="muted">
              This pipeline reads its own input (it has no <code>streamkit::http_input</code>).
            </p>
          ) : (
            <>
              <div className="segmented" role="group" aria-label="Input source">
                {wantsText && (
                  <button
                    className={inputMode === 'text' ? 'active' : ''}
                    onClick={() => setInputMode('text')}
                    data-testid="input-text"
                  >
                    Type text
                  </button>
                )}
                <button
                  className={inputMode === 'upload' ? 'active' : ''}
                  onClick={() => setInputMode('upload')}
                  data-testid="input-upload"
                >
                  Upload a file
                </button>
                <button
                  className={inputMode === 'asset' ? 'active' : ''}
                  onClick={() => setInputMode('asset')}
                  data-testid="input-asset"
                >
                  Use an asset
                </button>
              </div>
              {inputMode === 'text' ? (
                <label className="field">
                  <span>Text to send</span>
                  <textarea
                    rows={5}
                    value={typed}
                    maxLength={100_000}
                    onChange={(e) => setTyped(e.target.value)}
                    placeholder="Type what the pipeline should read (speak, translate...)."
                    disabled={running}
                    data-testid="convert-text"
                  />
                </label>
              ) : inputMode === 'upload' ? (
                file ? (
                  <div className="file-chip" data-testid="convert-file">
                    <span>
                      <b>{file.name}</b> <span className="muted">{formatBytes(file.size)}</span>
                    </span>
                    <button className="link-btn" onClick={() => setFile(null)} disabled={running}>
                      remove
                    </button>
                  </div>
                ) : (
                  <DropZone
                    testId="convert-upload"
                    accept={AUDIO_EXTENSIONS.map((e) => `.${e}`).join(',') + ',audio/*'}
                    onFiles={(fs) => {
                      const f = fs[0];
                      const problem = f.size > 100 * 1024 * 1024 ? assetUploadProblem(f) : null;
                      setFileProblem(problem);
                      if (!problem) setFile(f);
                    }}
                    label={
                      <span>
                        <b>Drop an audio file here</b> or click to browse
                      </span>
                    }
                  />
                )
              ) : (
                <AssetLibrary picked={asset?.id ?? null} onPick={setAsset} />
              )}
              {fileProblem && <p className="error-text">{fileProblem}</p>}
              {effective.error && <p className="error-text">{effective.error}</p>}
            </>
          )}
        </StepCard>

        <StepCard step={3} title="Run">
          <div className="row gap">
            {running ? (
              <button
                className="btn danger"
                onClick={() => cancelRef.current?.()}
                data-testid="convert-cancel"
              >
                Cancel
              </button>
            ) : (
              <button
                className="btn primary big"
                disabled={!can.runOneshot || !source || !inputReady || effective.error !== null}
                title={
                  !can.runOneshot
                    ? 'Your role cannot run pipelines'
                    : !inputReady
                      ? 'Choose an input first'
                      : 'Run the pipeline'
                }
                onClick={start}
                data-testid="convert-run"
              >
                ▶ Run
              </button>
            )}
            {run.phase === 'idle' && can.runOneshot && source && !inputReady && (
              <span className="muted small">Choose a file or an asset above to run.</span>
            )}
            {run.phase !== 'idle' && (
              <div className="progress" data-testid="convert-progress">
                {run.total > 0 && (
                  <div className="progress-line">
                    <span className="muted small">up</span>
                    <progress max={run.total} value={run.sent} />
                    <span className="mono small">
                      {formatBytes(run.sent)} / {formatBytes(run.total)}
                    </span>
                  </div>
                )}
                <div className="progress-line">
                  <span className="muted small">down</span>
                  <span className="mono small" data-testid="bytes-down">
                    {formatBytes(run.received)}
                  </span>
                  {run.elapsed > 0 && (
                    <span className="muted small">in {(run.elapsed / 1000).toFixed(1)} s</span>
                  )}
                  {running && <span className="spinner" aria-label="running" />}
                  {run.phase === 'done' && <span className="chip chip-ok">done</span>}
                </div>
              </div>
            )}
          </div>
          {run.phase === 'error' && (
            <div className="banner banner-error" role="alert" data-testid="convert-error">
              <b>The server refused or failed the run:</b> <span className="mono">{run.error}</span>
            </div>
          )}
        </StepCard>

        {run.feed && run.contentType && (
          <section className="card" data-testid="convert-result">
            <h2>
              <span className="step">4</span> Result <span className="chip">{run.contentType}</span>
            </h2>
            {kind === 'audio' && (
              <ResultPlayer key={run.startedAt} feed={run.feed} contentType={run.contentType} />
            )}
            {(kind === 'json' || kind === 'text') && (
              <TextResult key={run.startedAt} feed={run.feed} contentType={run.contentType} />
            )}
            {kind === 'binary' && (
              <p className="muted">Binary output ({formatBytes(run.received)}): download it to use it.</p>
            )}
            <div className="row gap top-gap">
              <button
                className="btn"
                disabled={run.phase !== 'done'}
                onClick={download}
                data-testid="result-download"
                title={run.phase !== 'done' ? 'Available when the stream ends' : 'Save the result'}
              >
                ⬇ Download
              </button>
            </div>
          </section>
        )}
      </div>
    </div>
  );
}
