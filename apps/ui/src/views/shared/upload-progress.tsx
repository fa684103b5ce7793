// One upload in flight: its file, a progress bar (percent of the request body sent) and a Cancel button
// that aborts the request. Used by the asset library and the Plugins view.
import { useCallback, useEffect, useRef, useState } from 'react';
import { flushSync } from 'react-dom';
import { formatBytes } from '../../lib/format';
import type { UploadOptions, UploadProgress as Progress } from '../../api/upload';
import './upload-progress.css';

export interface UploadState {
  name: string;
  progress: Progress | null;
}

/**
 * One upload at a time: `run` sends a file with progress and an abort signal, `cancel` aborts it, and leaving
 * the view aborts it too.
 */
export function useUpload() {
  const [uploading, setUploading] = useState<UploadState | null>(null);
  const controller = useRef<AbortController | null>(null);
  useEffect(() => () => controller.current?.abort(), []);

  const run = useCallback(async <T,>(file: File, send: (options: UploadOptions) => Promise<T>) => {
    const c = new AbortController();
    controller.current = c;
    setUploading({ name: file.name, progress: null });
    try {
      return await send({
        signal: c.signal,
        onProgress: (progress) => {
          const update = () => setUploading({ name: file.name, progress });
          // All sent: show 100 % now, before the server's answer (often right behind) removes the bar.
          if (progress.total > 0 && progress.loaded >= progress.total) flushSync(update);
          else update();
        },
      });
    } finally {
      controller.current = null;
      setUploading(null);
    }
  }, []);

  const cancel = useCallback(() => controller.current?.abort(), []);
  return { uploading, run, cancel };
}

/** Percent of the body sent (0 while the total is unknown). */
export function uploadPercent(p: Progress | null): number {
  return p && p.total > 0 ? Math.min(100, Math.round((p.loaded / p.total) * 100)) : 0;
}

interface UploadProgressProps {
  fileName: string;
  progress: Progress | null;
  onCancel: () => void;
  testId: string;
}

export function UploadProgress({ fileName, progress, onCancel, testId }: UploadProgressProps) {
  const percent = uploadPercent(progress);
  const sent = progress && progress.total > 0 && progress.loaded >= progress.total;
  return (
    <div className="upload-progress" data-testid={testId}>
      <div className="upload-progress-head">
        <span className="upload-progress-name" title={fileName}>
          {sent ? 'Processing' : 'Uploading'} “{fileName}”
        </span>
        <span className="muted small mono">
          {progress && progress.total > 0
            ? `${formatBytes(progress.loaded)} of ${formatBytes(progress.total)} · ${percent} %`
            : 'starting…'}
        </span>
      </div>
      <div className="upload-progress-line">
        <div
          className="upload-bar"
          role="progressbar"
          aria-label={`Upload of ${fileName}`}
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={percent}
          data-testid={`${testId}-bar`}
        >
          <div className="upload-bar-fill" style={{ width: `${percent}%` }} />
        </div>
        <button className="btn small" onClick={onCancel} data-testid={`${testId}-cancel`}>
          Cancel
        </button>
      </div>
    </div>
  );
}
