// Runs a oneshot pipeline through `POST /api/v1/process` with byte progress both ways and the response
// delivered chunk by chunk while it streams. XMLHttpRequest is used because fetch cannot report upload
// progress; the `x-user-defined` charset makes the partial response readable as raw bytes.
import { ApiError } from '../api/client';
import { apiUrl } from './base';

export interface ProcessHandlers {
  onUpload?: (sent: number, total: number) => void;
  /** Called once, when the response headers of a successful response arrive. */
  onStart?: (contentType: string) => void;
  onChunk?: (bytes: Uint8Array, received: number) => void;
}

export interface ProcessRun {
  /** Resolves with the full response body when the stream ends; rejects with ApiError on failure. */
  done: Promise<{ contentType: string; bytes: Uint8Array }>;
  cancel: () => void;
}

export function buildProcessForm(yaml: string, media: File | null): FormData {
  const form = new FormData();
  // The server requires `config` before `media`.
  form.append('config', yaml);
  if (media) form.append('media', media, media.name);
  return form;
}

export function runProcess(yaml: string, media: File | null, h: ProcessHandlers = {}): ProcessRun {
  const xhr = new XMLHttpRequest();
  let offset = 0;
  let started = false;
  const parts: Uint8Array[] = [];

  const drain = () => {
    const text = xhr.responseText;
    if (text.length <= offset) return;
    const chunk = new Uint8Array(text.length - offset);
    for (let i = 0; i < chunk.length; i++) chunk[i] = text.charCodeAt(offset + i) & 0xff;
    offset = text.length;
    parts.push(chunk);
    if (xhr.status < 400) h.onChunk?.(chunk, offset);
  };

  const joined = () => {
    const out = new Uint8Array(offset);
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  };

  const done = new Promise<{ contentType: string; bytes: Uint8Array }>((resolve, reject) => {
    xhr.open('POST', apiUrl('api/v1/process'));
    xhr.overrideMimeType('text/plain; charset=x-user-defined');
    xhr.upload.onprogress = (e) => h.onUpload?.(e.loaded, e.lengthComputable ? e.total : 0);
    xhr.onreadystatechange = () => {
      if (
        xhr.readyState >= XMLHttpRequest.HEADERS_RECEIVED &&
        !started &&
        xhr.status > 0 &&
        xhr.status < 400
      ) {
        started = true;
        h.onStart?.(xhr.getResponseHeader('content-type') ?? 'application/octet-stream');
      }
      if (xhr.readyState === XMLHttpRequest.LOADING) drain();
    };
    xhr.onprogress = drain;
    xhr.onload = () => {
      drain();
      const contentType = xhr.getResponseHeader('content-type') ?? 'application/octet-stream';
      if (xhr.status >= 400) {
        const message = new TextDecoder().decode(joined()).trim();
        reject(new ApiError(xhr.status, message || `Request failed with status ${xhr.status}`));
      } else resolve({ contentType, bytes: joined() });
    };
    xhr.onerror = () =>
      reject(
        new ApiError(0, 'Network error: the server could not be reached or closed the connection mid-stream'),
      );
    xhr.onabort = () => reject(new ApiError(0, 'Cancelled'));
    xhr.send(buildProcessForm(yaml, media));
  });
  return { done, cancel: () => xhr.abort() };
}

/** File extension for a response content type (`audio/ogg` -> `ogg`). */
export function extensionFor(contentType: string): string {
  const t = contentType.split(';')[0].trim().toLowerCase();
  const map: Record<string, string> = {
    'audio/ogg': 'ogg',
    'audio/opus': 'opus',
    'audio/webm': 'webm',
    'video/webm': 'webm',
    'audio/wav': 'wav',
    'audio/x-wav': 'wav',
    'audio/wave': 'wav',
    'audio/flac': 'flac',
    'audio/mpeg': 'mp3',
    'audio/mp4': 'm4a',
    'application/json': 'json',
    'application/x-ndjson': 'ndjson',
    'text/plain': 'txt',
  };
  if (map[t]) return map[t];
  if (t.startsWith('audio/') || t === 'application/octet-stream') return 'ogg';
  return 'bin';
}

export type ResultKind = 'audio' | 'json' | 'text' | 'binary';

export function resultKind(contentType: string): ResultKind {
  const t = contentType.toLowerCase();
  if (t.startsWith('audio/') || t.startsWith('video/webm')) return 'audio';
  if (t.includes('json')) return 'json';
  if (t.startsWith('text/')) return 'text';
  return 'binary';
}

/** Guesses a content type from the first bytes, for servers answering `application/octet-stream`. */
export function sniffContentType(head: Uint8Array): string | null {
  const ascii = (from: number, len: number) => String.fromCharCode(...head.subarray(from, from + len));
  if (head.length >= 4 && ascii(0, 4) === 'OggS') return 'audio/ogg';
  if (head.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 4) === 'WAVE') return 'audio/wav';
  if (head.length >= 4 && ascii(0, 4) === 'fLaC') return 'audio/flac';
  if (head.length >= 4 && head[0] === 0x1a && head[1] === 0x45 && head[2] === 0xdf && head[3] === 0xa3)
    return 'audio/webm';
  if (head.length >= 3 && (ascii(0, 3) === 'ID3' || (head[0] === 0xff && (head[1] & 0xe0) === 0xe0)))
    return 'audio/mpeg';
  const first = head.find((b) => b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09);
  if (first === 0x7b || first === 0x5b) return 'application/json';
  return null;
}
