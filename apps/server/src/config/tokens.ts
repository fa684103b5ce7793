// Injection tokens for values built before Nest starts (from the loaded config).
/** The effective `Config` (read-only by convention): `@Inject(CONFIG) config: Config`. */
export const CONFIG = Symbol('CONFIG');
/** Environment variables read at request time (`SK_ROLE`): `@Inject(RUNTIME_ENV) env: RuntimeEnv`. */
export const RUNTIME_ENV = Symbol('RUNTIME_ENV');
export type RuntimeEnv = Record<string, string | undefined>;
