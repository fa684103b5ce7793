// Multipart uploads with progress and cancel. `fetch` reports no upload progress, so this one request type goes
// through XMLHttpRequest; errors are the client's `ApiError` (the server's plain-text message and status).
import { apiUrl } from '../lib/base';
import { ApiError } from './api-error';

export interface UploadProgress {
  /** Bytes of the request body sent so far. */
  loaded: number;
  /** The whole body, multipart framing included (0 while the browser does not know it). */
  total: number;
}

export interface UploadOptions {
  onProgress?: (progress: UploadProgress) => void;
  /** Aborting cancels the request; the promise rejects with an `AbortError` DOMException. */
  signal?: AbortSignal;
}

/** POSTs `form` to an API path; resolves with the JSON answer. */
export function uploadForm<T>(path: string, form: FormData, options: UploadOptions = {}): Promise<T> {
  const { onProgress, signal } = options;
  return new Promise<T>((resolve, reject) => {
    const aborted = () => new DOMException('The upload was cancelled', 'AbortError');
    if (signal?.aborted) return reject(aborted());
    const xhr = new XMLHttpRequest();
    const onAbort = () => xhr.abort();
    const done = () => signal?.removeEventListener('abort', onAbort);
    xhr.open('POST', apiUrl(path));
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.upload.onprogress = (e) =>
      onProgress?.({ loaded: e.loaded, total: e.lengthComputable ? e.total : 0 });
    // The whole body is sent (the last progress event may have come earlier); the server still answers.
    xhr.upload.onload = (e) => onProgress?.({ loaded: e.total || e.loaded, total: e.total || e.loaded });
    xhr.onload = () => {
      done();
      const text = xhr.responseText.trim();
      if (xhr.status < 200 || xhr.status >= 300) {
        reject(new ApiError(xhr.status, text || `${xhr.status} ${xhr.statusText || 'request failed'}`));
        return;
      }
      try {
        resolve(JSON.parse(text) as T);
      } catch {
        reject(new ApiError(xhr.status, `The server's answer is not JSON: ${text.slice(0, 200)}`));
      }
    };
    xhr.onerror = () => {
      done();
      reject(new ApiError(0, 'The upload failed: the server could not be reached or closed the connection'));
    };
    xhr.onabort = () => {
      done();
      reject(aborted());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    xhr.send(form);
  });
}

export function isAbort(e: unknown): boolean {
  return e instanceof DOMException && e.name === 'AbortError';
}
