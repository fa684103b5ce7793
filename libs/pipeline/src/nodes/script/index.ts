// Node kinds of this family, registered by the engine's default registry, and the script API for the server.
import type { AnyNodeDefinition } from '../../core/node';
import { scriptNodeDefinition } from './script-node';

export const scriptNodeDefinitions: AnyNodeDefinition[] = [scriptNodeDefinition];

export { SCRIPT_SERVICES_KEY } from './services';
export type {
  FetchAllowRule,
  ScriptSecret,
  ScriptSecretType,
  ScriptServices,
  SecretHeaderMapping,
} from './services';
export { ScriptSandbox, ScriptFatalError, ScriptLoadError } from './sandbox';
export type { ScriptOutcome, ScriptSandboxOptions, ScriptFatalKind, ScriptLogLevel } from './sandbox';
export { fetchBlockReason, urlMatchesPattern, ScriptFetchClient } from './fetch-policy';
export { scriptNodeDefinition, SCRIPT_KIND, ScriptParamsSchema } from './script-node';
export type { ScriptParams } from './script-node';
