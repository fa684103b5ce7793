// The Plugins view: the plugins loaded on the server (each file with the node kinds it provides), upload of a
// WASM or native plugin with progress and cancel, and unloading, each offered only to a role the server would
// let do it. A loaded or unloaded kind reaches the Design palette at once (the node schemas are reloaded).
import { useCallback, useEffect, useMemo, useState } from 'react';
import { api } from '../../api/client';
import type { PluginSummary } from '../../api/types';
import { isAbort } from '../../api/upload';
import { ConfirmModal } from '../../components/modal';
import { StepCard } from '../../components/step-card';
import { useToast } from '../../components/toasts';
import { errorMessage } from '../../lib/format';
import { useAppData } from '../../state/app-data';
import { DropZone } from '../shared/assets';
import { UploadProgress, useUpload } from '../shared/upload-progress';
import { groupByFile, PLUGIN_EXTENSIONS, pluginUploadProblem } from './plugin-files';
import './plugins.css';

export function PluginsView() {
  const { can, reloadSchemas } = useAppData();
  const toast = useToast();
  const [plugins, setPlugins] = useState<PluginSummary[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const { uploading, run, cancel } = useUpload();
  const [pendingDelete, setPendingDelete] = useState<PluginSummary | null>(null);
  const [deleting, setDeleting] = useState(false);

  const refresh = useCallback(async () => {
    try {
      setPlugins(await api.plugins());
      setLoadError(null);
    } catch (e) {
      setLoadError(errorMessage(e));
    }
  }, []);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const files = useMemo(() => groupByFile(plugins ?? []), [plugins]);

  const upload = async (file: File) => {
    setActionError(null);
    const problem = pluginUploadProblem(file);
    if (problem) {
      setActionError(problem);
      return;
    }
    try {
      const loaded = await run(file, (options) => api.uploadPlugin(file, options));
      toast.success(`Loaded ${loaded.kind} from “${file.name}”`);
    } catch (e) {
      if (isAbort(e)) toast.info(`Upload of “${file.name}” cancelled`);
      else setActionError(`“${file.name}” could not be loaded: ${errorMessage(e)}`);
    }
    await Promise.all([refresh(), reloadSchemas()]);
  };

  const remove = async (plugin: PluginSummary) => {
    setDeleting(true);
    setActionError(null);
    try {
      await api.deletePlugin(plugin.kind);
      toast.success(`Unloaded ${plugin.kind}`);
    } catch (e) {
      setActionError(`${plugin.kind} could not be unloaded: ${errorMessage(e)}`);
    } finally {
      setDeleting(false);
      setPendingDelete(null);
    }
    await Promise.all([refresh(), reloadSchemas()]);
  };

  return (
    <div className="plugins" data-testid="plugins-view">
      <div className="plugins-inner">
        <header className="view-head">
          <h1>Plugins</h1>
          <p className="muted">
            Node kinds loaded from WebAssembly or native plugins. A loaded kind appears in the Design palette
            as <code>plugin::wasm::…</code> or <code>plugin::native::…</code>.
          </p>
        </header>
        {actionError && (
          <div className="banner banner-error" role="alert" data-testid="plugins-error">
            <span>{actionError}</span>
            <button className="icon-btn" onClick={() => setActionError(null)} aria-label="Dismiss">
              ×
            </button>
          </div>
        )}

        {can.uploadPlugin ? (
          <StepCard step={1} title="Upload">
            {uploading ? (
              <UploadProgress
                fileName={uploading.name}
                progress={uploading.progress}
                onCancel={cancel}
                testId="plugin-upload-progress"
              />
            ) : (
              <DropZone
                testId="plugin-upload"
                accept={PLUGIN_EXTENSIONS.map((e) => `.${e}`).join(',')}
                onFiles={(f) => void upload(f[0])}
                label={
                  <span>
                    <b>Upload a plugin</b>: drop a file or click
                    <span className="muted small"> ({PLUGIN_EXTENSIONS.map((e) => `.${e}`).join(', ')})</span>
                  </span>
                }
              />
            )}
            <p className="field-help">
              The server must allow it too (<code>[plugins].allow_http_management</code>); its refusal is
              shown here as it gives it.
            </p>
          </StepCard>
        ) : (
          <div className="banner banner-warn" data-testid="plugins-denied">
            Your role cannot upload plugins (it lacks <code>load_plugins</code>)
            {can.deletePlugin ? '.' : ' or unload them (delete_plugins).'}
          </div>
        )}

        <StepCard step={can.uploadPlugin ? 2 : 1} title="Loaded plugins">
          {loadError && (
            <p className="error-text" role="alert">
              The plugins could not be listed: {loadError}
            </p>
          )}
          {plugins === null && !loadError && <p className="muted small">Loading plugins…</p>}
          {plugins?.length === 0 && <p className="muted">No plugin is loaded.</p>}
          <ul className="plugin-list">
            {files.map((f) => (
              <li key={`${f.pluginType}/${f.fileName}`} className="plugin" data-testid="plugin-file">
                <div className="plugin-head">
                  <b className="mono">{f.fileName}</b>
                  <span className="chip">{f.pluginType}</span>
                  <span className="muted small">loaded {new Date(f.loadedAtMs).toLocaleString()}</span>
                </div>
                <ul className="plugin-kinds" aria-label={`Node kinds of ${f.fileName}`}>
                  {f.kinds.map((p) => (
                    <li key={p.kind} data-testid="plugin-kind" data-kind={p.kind}>
                      <code>{p.kind}</code>
                      <span className="muted small"> ({p.original_kind})</span>
                      {p.categories.map((c) => (
                        <span key={c} className="chip">
                          {c}
                        </span>
                      ))}
                      {can.deletePlugin && (
                        <button
                          className="btn small danger"
                          onClick={() => setPendingDelete(p)}
                          disabled={deleting}
                          data-testid="plugin-delete"
                          aria-label={`Unload ${p.kind}`}
                        >
                          Unload
                        </button>
                      )}
                    </li>
                  ))}
                </ul>
              </li>
            ))}
          </ul>
        </StepCard>
      </div>
      {pendingDelete && (
        <ConfirmModal
          title="Unload plugin?"
          message={
            <>
              Unload <code>{pendingDelete.kind}</code> and delete “{pendingDelete.file_name}” from the server?
              New nodes of this kind are refused; running ones keep going until their session ends.
            </>
          }
          confirmLabel="Unload"
          danger
          busy={deleting}
          onCancel={() => setPendingDelete(null)}
          onConfirm={() => void remove(pendingDelete)}
        />
      )}
    </div>
  );
}
