// One upload in flight: its file, a progress bar (percent of the request body sent) and a Cancel button
// that aborts the request. Used by the asset library and the Plugins view.
import { formatBytes } from '../../lib/format';
import type { UploadProgress as Progress } from '../../api/upload';
import './upload-progress.css';

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
