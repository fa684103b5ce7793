// The bounds of a YAML document and their config keys, apart from the parser so that what only needs the
// numbers (the engine's limits, workers) does not load the yaml library. Browser-safe.

export interface YamlLimits {
  /** Size of the document in UTF-8 bytes. */
  maxYamlBytes: number;
  /** Nesting of collections: block indentation levels plus flow brackets. */
  maxYamlDepth: number;
  /** Scalars, collections and aliases; an alias counts the nodes it stands for again at every use. */
  maxYamlNodes: number;
  /** Alias uses (`*name`). */
  maxYamlAliases: number;
}

export const DEFAULT_YAML_LIMITS: Readonly<YamlLimits> = Object.freeze({
  maxYamlBytes: 1024 * 1024,
  maxYamlDepth: 64,
  maxYamlNodes: 10_000,
  maxYamlAliases: 100,
});

/** The `[engine.limits]` key of each limit, named in refusals so the operator knows what to raise. */
export const YAML_LIMIT_KEYS: Readonly<Record<keyof YamlLimits, string>> = Object.freeze({
  maxYamlBytes: 'max_yaml_bytes',
  maxYamlDepth: 'max_yaml_depth',
  maxYamlNodes: 'max_yaml_nodes',
  maxYamlAliases: 'max_yaml_aliases',
});
