// Typed REST client. Errors carry the server's plain-text message and status so views can show
// exactly what the server said.
import { apiUrl } from '../lib/base';
import type {
  AudioAsset,
  ClientConfig,
  CreateSessionResponse,
  NodeDefinition,
  PacketTypeMeta,
  PermissionsResponse,
  PluginSummary,
  SamplePipeline,
  SavePipelineRequest,
} from './types';
import { ApiError } from './api-error';
import { uploadForm, type UploadOptions } from './upload';

export { ApiError };

async function failure(res: Response): Promise<ApiError> {
  const text = (await res.text().catch(() => '')).trim();
  return new ApiError(res.status, text || `${res.status} ${res.statusText || 'request failed'}`);
}

async function request<T>(path: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(apiUrl(path), {
    ...init,
    headers: { Accept: 'application/json', ...(init.headers ?? {}) },
  });
  if (!res.ok) throw await failure(res);
  if (res.status === 204) return undefined as T;
  const type = res.headers.get('content-type') ?? '';
  return (type.includes('json') ? await res.json() : await res.text()) as T;
}

const json = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify(body),
});

export const api = {
  permissions: () => request<PermissionsResponse>('api/v1/permissions'),
  config: () => request<ClientConfig>('api/v1/config'),
  nodeSchemas: () => request<NodeDefinition[]>('api/v1/schema/nodes'),
  packetTypes: () => request<PacketTypeMeta[]>('api/v1/schema/packets'),
  samples: (mode: 'oneshot' | 'dynamic') => request<SamplePipeline[]>(`api/v1/samples/${mode}`),
  saveSample: (body: SavePipelineRequest) => request<SamplePipeline>('api/v1/samples/oneshot', json(body)),
  deleteSample: (id: string) =>
    request<void>(`api/v1/samples/oneshot/${encodeURIComponent(id)}`, { method: 'DELETE' }),
  assets: () => request<AudioAsset[]>('api/v1/assets/audio'),
  uploadAsset: (file: File, options?: UploadOptions) => {
    const form = new FormData();
    form.append('file', file, file.name);
    return uploadForm<AudioAsset>('api/v1/assets/audio', form, options);
  },
  deleteAsset: (id: string) =>
    request<void>(`api/v1/assets/audio/${encodeURIComponent(id)}`, { method: 'DELETE' }),
  /** URL that streams an asset's bytes (for the preview player). */
  assetFileUrl: (id: string) => apiUrl(`api/v1/assets/audio/${encodeURIComponent(id)}`),
  plugins: () => request<PluginSummary[]>('api/v1/plugins'),
  uploadPlugin: (file: File, options?: UploadOptions) => {
    const form = new FormData();
    form.append('plugin', file, file.name);
    return uploadForm<PluginSummary>('api/v1/plugins', form, options);
  },
  deletePlugin: (kind: string) =>
    request<PluginSummary>(`api/v1/plugins/${encodeURIComponent(kind)}`, { method: 'DELETE' }),
  createSession: (yaml: string, name?: string) =>
    request<CreateSessionResponse>('api/v1/sessions', json({ name: name || null, yaml })),
};
