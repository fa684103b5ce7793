// The Design canvas's problems, computed by the engine's checks (lib/validate.ts). Apart from design.tsx,
// whose provider sits in the app's first chunk: the compiler and Ajv load with the Design view only.
import { useEffect, useMemo, useState } from 'react';
import { schemaParamChecker, type SchemaParamChecker } from '@streamkit/pipeline/definition/schema-catalog';
import { validateGraph, type Issue } from '../lib/validate';
import { useAppData } from './app-data';
import { useDesign } from './design';

let loadedChecker: SchemaParamChecker | null = null;

/**
 * The engine's param check (Ajv), loaded on first use so that it stays out of the Design view's first
 * chunk; null until loaded (params are then not checked yet).
 */
function useParamChecker(): SchemaParamChecker | null {
  // Functions in state are wrapped: useState would call a bare one as an initializer.
  const [checker, setChecker] = useState<SchemaParamChecker | null>(() => loadedChecker);
  useEffect(() => {
    if (checker) return;
    let live = true;
    void import('ajv').then((ajv) => {
      loadedChecker ??= schemaParamChecker(ajv.default);
      if (live) setChecker(() => loadedChecker);
    });
    return () => {
      live = false;
    };
  }, [checker]);
  return checker;
}

/**
 * The current canvas's problems and warnings, as the server reports them (the engine's checks over the
 * kinds of `/api/v1/schema/nodes`), plus the server's own warnings on the pipeline it last accepted.
 */
export function useDesignIssues(): Issue[] {
  const { state, graph } = useDesign();
  const { lookup } = useAppData();
  const checker = useParamChecker();
  return useMemo(() => {
    const issues = validateGraph(graph, lookup, checker ?? undefined);
    const seen = new Set(issues.map((i) => i.message));
    const ids = new Set(graph.nodes.map((n) => n.id));
    for (const w of state.serverWarnings) {
      if (seen.has(w.message)) continue;
      const issue: Issue = { severity: 'warning', message: `Server: ${w.message}` };
      if (w.node_id && ids.has(w.node_id)) issue.nodeId = w.node_id;
      issues.push(issue);
    }
    return issues;
  }, [graph, lookup, checker, state.serverWarnings]);
}
