// The audio asset library: list, preview, upload (drag and drop or browse), delete; used by the
// Design view (drag an asset onto the canvas to get a file reader) and by Convert (pick an input).
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { api } from '../../api/client';
import type { AudioAsset } from '../../api/types';
import { isAbort } from '../../api/upload';
import { ConfirmModal } from '../../components/modal';
import { useToast } from '../../components/toasts';
import { useAppData } from '../../state/app-data';
import { errorMessage, formatBytes } from '../../lib/format';
import { UploadProgress, useUpload } from './upload-progress';

export const AUDIO_EXTENSIONS = ['opus', 'ogg', 'flac', 'mp3', 'wav'];
export const MAX_ASSET_BYTES = 100 * 1024 * 1024;

/** Client-side check mirroring the server's rules, so a bad file is refused before it is sent. */
export function assetUploadProblem(file: { name: string; size: number }): string | null {
  const ext = file.name.split('.').pop()?.toLowerCase() ?? '';
  if (!AUDIO_EXTENSIONS.includes(ext))
    return `“${file.name}” is not a supported audio file (${AUDIO_EXTENSIONS.join(', ')})`;
  if (file.size > MAX_ASSET_BYTES) return `“${file.name}” is larger than 100 MB`;
  return null;
}

export function useAssets() {
  const [assets, setAssets] = useState<AudioAsset[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const refresh = useCallback(async () => {
    try {
      setAssets(await api.assets());
      setError(null);
    } catch (e) {
      setError(errorMessage(e));
    }
  }, []);
  useEffect(() => {
    void refresh();
  }, [refresh]);
  return { assets, error, refresh };
}

interface DropZoneProps {
  onFiles: (files: File[]) => void;
  accept: string;
  label: ReactNode;
  testId: string;
  busy?: boolean;
}

export function DropZone({ onFiles, accept, label, testId, busy }: DropZoneProps) {
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  return (
    <div
      className={`dropzone${over ? ' over' : ''}${busy ? ' busy' : ''}`}
      data-testid={testId}
      role="button"
      tabIndex={0}
      onClick={() => input.current?.click()}
      onKeyDown={(e) => (e.key === 'Enter' || e.key === ' ') && input.current?.click()}
      onDragOver={(e) => {
        if (!e.dataTransfer.types.includes('Files')) return;
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        e.preventDefault();
        setOver(false);
        if (e.dataTransfer.files.length) onFiles([...e.dataTransfer.files]);
      }}
    >
      {label}
      <input
        ref={input}
        type="file"
        accept={accept}
        hidden
        data-testid={`${testId}-input`}
        onChange={(e) => {
          if (e.target.files?.length) onFiles([...e.target.files]);
          e.target.value = '';
        }}
      />
    </div>
  );
}

interface AssetListProps {
  /** Drag payload type for the canvas; absent in pick mode. */
  dragType?: string;
  /** Pick mode (Convert): the chosen asset id and a setter. */
  picked?: string | null;
  onPick?: (a: AudioAsset) => void;
  onUse?: (a: AudioAsset) => void;
}

export function AssetLibrary({ dragType, picked, onPick, onUse }: AssetListProps) {
  const { can } = useAppData();
  const toast = useToast();
  const { assets, error, refresh } = useAssets();
  const [query, setQuery] = useState('');
  const [playing, setPlaying] = useState<string | null>(null);
  const [pendingDelete, setPendingDelete] = useState<AudioAsset | null>(null);
  const [busy, setBusy] = useState(false);
  // Leaving the view cancels an upload in flight (the server keeps nothing of it).
  const { uploading, run, cancel } = useUpload();

  const upload = async (files: File[]) => {
    setBusy(true);
    for (const f of files) {
      const problem = assetUploadProblem(f);
      if (problem) {
        toast.error(problem);
        continue;
      }
      try {
        const a = await run(f, (options) => api.uploadAsset(f, options));
        toast.success(`Uploaded “${a.name}”`);
        onPick?.(a);
      } catch (e) {
        if (isAbort(e)) {
          toast.info(`Upload of “${f.name}” cancelled: nothing was kept on the server`);
          break;
        }
        toast.error(`Upload of “${f.name}” failed: ${errorMessage(e)}`);
      }
    }
    setBusy(false);
    await refresh();
  };

  const remove = async (a: AudioAsset) => {
    setBusy(true);
    try {
      await api.deleteAsset(a.id);
      toast.success(`Deleted “${a.name}”`);
      setPendingDelete(null);
      await refresh();
    } catch (e) {
      toast.error(`Delete failed: ${errorMessage(e)}`);
    } finally {
      setBusy(false);
    }
  };

  const q = query.trim().toLowerCase();
  const shown = (assets ?? []).filter((a) => !q || a.name.toLowerCase().includes(q) || a.format.includes(q));
  return (
    <div className="assets" data-testid="assets-pane">
      <input
        type="search"
        className="search"
        placeholder="Search assets"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        aria-label="Search assets"
      />
      {can.uploadAsset && (
        <DropZone
          testId="asset-upload"
          accept={AUDIO_EXTENSIONS.map((e) => `.${e}`).join(',')}
          busy={busy}
          onFiles={(f) => void upload(f)}
          label={
            <span>
              {busy ? (
                'Uploading…'
              ) : (
                <>
                  <b>Upload audio</b>: drop a file or click
                </>
              )}
              <span className="muted small"> ({AUDIO_EXTENSIONS.join(', ')}, ≤ 100 MB)</span>
            </span>
          }
        />
      )}
      {uploading && (
        <UploadProgress
          fileName={uploading.name}
          progress={uploading.progress}
          onCancel={cancel}
          testId="asset-upload-progress"
        />
      )}
      {error && <p className="error-text">Assets could not be loaded: {error}</p>}
      {assets === null && !error && <p className="muted small">Loading assets…</p>}
      {assets !== null && shown.length === 0 && (
        <p className="muted small">{q ? `No asset matches “${query}”.` : 'No assets yet.'}</p>
      )}
      <ul className="asset-list">
        {shown.map((a) => (
          <li
            key={a.id}
            className={`asset${picked === a.id ? ' picked' : ''}`}
            data-testid="asset-item"
            data-asset-id={a.id}
            draggable={Boolean(dragType)}
            onDragStart={(e) => {
              if (!dragType) return;
              e.dataTransfer.setData(dragType, a.path);
              e.dataTransfer.effectAllowed = 'copy';
            }}
          >
            <div className="asset-main">
              {onPick ? (
                <label className="asset-pick">
                  <input
                    type="radio"
                    name="asset"
                    checked={picked === a.id}
                    onChange={() => onPick(a)}
                    data-testid="asset-pick"
                  />
                  <span className="asset-name">{a.name}</span>
                </label>
              ) : (
                <span className="asset-name" title={a.path}>
                  {a.name}
                </span>
              )}
              <span className="asset-meta">
                <span className="chip">{a.format}</span> {formatBytes(a.size_bytes)}{' '}
                {a.is_system && <span className="chip">system</span>}
              </span>
            </div>
            <div className="asset-actions">
              <button
                className="icon-btn"
                aria-label={playing === a.id ? `Stop ${a.name}` : `Play ${a.name}`}
                data-testid="asset-play"
                onClick={() => setPlaying(playing === a.id ? null : a.id)}
              >
                {playing === a.id ? '■' : '▶'}
              </button>
              {onUse && (
                <button
                  className="icon-btn"
                  aria-label={`Add a file reader for ${a.name}`}
                  title="Add a file reader for this asset"
                  onClick={() => onUse(a)}
                >
                  +
                </button>
              )}
              {!a.is_system && can.deleteAsset && (
                <button
                  className="icon-btn danger"
                  aria-label={`Delete ${a.name}`}
                  data-testid="asset-delete"
                  onClick={() => setPendingDelete(a)}
                >
                  ×
                </button>
              )}
            </div>
            {playing === a.id && (
              <audio
                className="asset-audio"
                src={api.assetFileUrl(a.id)}
                controls
                autoPlay
                onEnded={() => setPlaying(null)}
                onError={() => {
                  toast.error(`“${a.name}” cannot be previewed (the server did not return its audio)`);
                  setPlaying(null);
                }}
              />
            )}
          </li>
        ))}
      </ul>
      {pendingDelete && (
        <ConfirmModal
          title="Delete asset"
          message={<>Delete “{pendingDelete.name}” from the server? Pipelines reading it will fail.</>}
          confirmLabel="Delete"
          danger
          busy={busy}
          onCancel={() => setPendingDelete(null)}
          onConfirm={() => void remove(pendingDelete)}
        />
      )}
    </div>
  );
}
