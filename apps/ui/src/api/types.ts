// Wire shapes of the server's REST API (StreamKit-compatible, snake_case as sent by the server), taken from
// the types generated from its OpenAPI document (`generated/openapi.ts`, `npm run gen:api`): the server's
// response DTOs are the one definition. Only `JsonSchema` is the UI's own: `param_schema` is free-form JSON
// Schema on the wire, and this is the subset the parameter forms understand.
import type { InputPinSpec, OutputPinSpec, PinType } from '@streamkit/pipeline/core/pin-types';
import type { components } from './generated/openapi';

type Schemas = components['schemas'];

export type { InputPinSpec, OutputPinSpec, PinType };

export type PipelineMode = Schemas['SamplePipeline']['mode'];

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

/** One node kind of `GET /api/v1/schema/nodes`, its params schema read as `JsonSchema`. */
export type NodeDefinition = Omit<Schemas['NodeSchemaEntry'], 'param_schema'> & { param_schema: JsonSchema };

export type PacketTypeMeta = Schemas['PacketTypeMeta'];

/** `GET /api/v1/permissions`. */
export type PermissionsResponse = Schemas['PermissionsResponse'];

/** One boolean per capability flag. */
export type Permissions = PermissionsResponse['permissions'];

export type SamplePipeline = Schemas['SamplePipeline'];

/** Body of `POST /api/v1/samples/oneshot`. */
export type SavePipelineRequest = Schemas['SaveSampleDto'];

export type AudioAsset = Schemas['AudioAsset'];

/** One loaded plugin kind of `GET /api/v1/plugins`. */
export type PluginSummary = Schemas['PluginSummary'];

/** `POST /api/v1/sessions`. */
export type CreateSessionResponse = Schemas['CreatedSession'];

/** `GET /api/v1/config`. */
export type ClientConfig = Schemas['ClientConfig'];
