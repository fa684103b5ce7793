// Wire shapes of the server's REST API (StreamKit-compatible, snake_case as sent by the server).
import type { InputPinSpec, OutputPinSpec, PinType } from '@streamkit/pipeline/core/pin-types';
import type { PermissionFlag } from '@streamkit/pipeline/security/permission-flags';

export type { InputPinSpec, OutputPinSpec, PinType };

export type PipelineMode = 'oneshot' | 'dynamic';

/** A JSON Schema object as found in `param_schema` (draft 2020-12 subset the UI understands). */
export interface JsonSchema {
  type?: string | string[];
  title?: string;
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  multipleOf?: number;
  minLength?: number;
  maxLength?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  definitions?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  /** StreamKit extension: the param may be changed while the node runs. */
  tunable?: boolean;
  format?: string;
}

export interface NodeDefinition {
  kind: string;
  description?: string;
  param_schema: JsonSchema;
  inputs: InputPinSpec[];
  outputs: OutputPinSpec[];
  categories: string[];
  bidirectional: boolean;
}

export interface PacketTypeMeta {
  id: string;
  label: string;
  color: string;
  display_template?: string;
  compatibility:
    | { kind: 'any' }
    | { kind: 'exact' }
    | { kind: 'structfieldwildcard'; fields: { name: string; wildcard_value?: unknown }[] };
}

/** One boolean per capability flag (`GET /api/v1/permissions`). */
export type Permissions = Record<PermissionFlag, boolean>;

export interface PermissionsResponse {
  role: string;
  permissions: Permissions;
}

export interface SamplePipeline {
  id: string;
  name: string;
  description: string;
  yaml: string;
  is_system: boolean;
  mode: PipelineMode;
  is_fragment: boolean;
}

export interface SavePipelineRequest {
  name: string;
  description: string;
  yaml: string;
  overwrite?: boolean;
  is_fragment: boolean;
}

export interface AudioAsset {
  id: string;
  name: string;
  path: string;
  format: string;
  size_bytes: number;
  license?: string;
  is_system: boolean;
}

export interface CreateSessionResponse {
  session_id: string;
  name: string;
  created_at: string;
  /** Unknown params the server ignored (absent when none; refused instead under `[engine].strict_params`). */
  warnings?: { node_id: string | null; param: string | null; message: string }[];
}

/** GET /api/v1/config. */
export interface ClientConfig {
  version: string;
  base_path?: string;
  /** The MoQ gateway browsers connect to (WebTransport, or its WebSocket fallback). */
  moq_gateway_url: string;
  profiling: boolean;
}
