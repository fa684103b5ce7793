// Every edit the Monitor makes to a session. Outside staging each edit is applied at once (params by
// live tuning, structure as a one-step batch); while staging, edits change a local copy that is
// validated and applied as one atomic batch against the snapshot it started from.
import { useEffect, useMemo, useState } from 'react';
import {
  sessionsApi,
  type BatchOperation,
  type LiveConnection,
  type LivePipeline,
  type Problem,
} from '../../api/sessions';
import { useToast } from '../../components/toasts';
import { errorMessage } from '../../lib/format';
import { baseIdForKind, uniqueNodeId } from '../../lib/graph';
import type { DefinitionLookup } from '../../lib/pins';
import { initialParams, setAt } from '../../lib/schema-form';
import {
  connectionKey,
  diffToBatch,
  stageFrom,
  type StagedNode,
  type StagedPipeline,
} from '../../lib/staging';
import { tuneUpdate } from './live-model';
import { useLiveTuning } from './use-live-tuning';

const endpoints = (c: LiveConnection) => ({
  fromNode: c.fromNode,
  fromPin: c.fromPin,
  toNode: c.toNode,
  toPin: c.toPin,
});

export function useMonitorEdits(
  sessionId: string | null,
  pipeline: LivePipeline | null,
  lookup: DefinitionLookup,
  onTuned: (nodeId: string, params: Record<string, unknown>) => void,
) {
  const toast = useToast();
  const tuning = useLiveTuning(sessionId, onTuned);
  const [staging, setStaging] = useState<{ base: StagedPipeline; staged: StagedPipeline } | null>(null);
  const [problems, setProblems] = useState<Problem[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [toRemove, setToRemove] = useState<string | null>(null);

  useEffect(() => {
    setStaging(null);
    setProblems(null);
  }, [sessionId]);

  const ops = useMemo(() => (staging ? diffToBatch(staging.base, staging.staged) : []), [staging]);
  const editStaged = (f: (s: StagedPipeline) => StagedPipeline) => {
    setProblems(null);
    setStaging((s) => (s ? { ...s, staged: f(s.staged) } : s));
  };

  const { overrides } = tuning;
  const nodes: StagedNode[] = useMemo(
    () =>
      staging
        ? staging.staged.nodes
        : (pipeline?.nodes ?? []).map((n) => ({
            id: n.id,
            kind: n.kind,
            params: { ...n.params, ...overrides[n.id] },
          })),
    [staging, pipeline, overrides],
  );
  const connections = staging ? staging.staged.connections : (pipeline?.connections ?? []);
  const newIds = useMemo(() => {
    const base = new Set(staging?.base.nodes.map((n) => n.id));
    return new Set(staging ? staging.staged.nodes.filter((n) => !base.has(n.id)).map((n) => n.id) : []);
  }, [staging]);

  const runBatch = async (batch: BatchOperation[], done: string): Promise<boolean> => {
    if (!sessionId) return false;
    setBusy(true);
    try {
      await sessionsApi.applyBatch(sessionId, batch);
      toast.success(done);
      return true;
    } catch (e) {
      const m = errorMessage(e);
      setProblems([{ message: m, nodeId: null, path: null, pin: null }]);
      toast.error(`The server refused the change: ${m}`);
      return false;
    } finally {
      setBusy(false);
    }
  };

  /** Stages a node of `kind` with its required params and a free id; returns the id (null outside staging). */
  const stageKind = (kind: string): string | null => {
    if (!staging) return null;
    const id = uniqueNodeId(
      baseIdForKind(kind),
      staging.staged.nodes.map((n) => n.id),
    );
    const params = initialParams(lookup(kind)?.param_schema);
    editStaged((s) => ({ ...s, nodes: [...s.nodes, { id, kind, params }] }));
    return id;
  };

  const connect = (c: LiveConnection) => {
    if (staging)
      editStaged((s) => ({
        ...s,
        connections: [...s.connections.filter((x) => connectionKey(x) !== connectionKey(c)), c],
      }));
    else
      void runBatch(
        [{ action: 'CONNECT', connection: { ...endpoints(c), mode: c.mode } }],
        `Connected ${connectionKey(c)}.`,
      );
  };
  const disconnect = (c: LiveConnection) => {
    if (staging)
      editStaged((s) => ({
        ...s,
        connections: s.connections.filter((x) => connectionKey(x) !== connectionKey(c)),
      }));
    else
      void runBatch(
        [{ action: 'DISCONNECT', connection: endpoints(c) }],
        `Disconnected ${connectionKey(c)}.`,
      );
  };
  const remove = (nodeId: string) => {
    if (staging)
      editStaged((s) => ({
        nodes: s.nodes.filter((n) => n.id !== nodeId),
        connections: s.connections.filter((c) => c.fromNode !== nodeId && c.toNode !== nodeId),
      }));
    else setToRemove(nodeId);
  };
  const confirmRemove = () => {
    if (!toRemove) return;
    void runBatch([{ action: 'REMOVE_NODE', nodeId: toRemove }], `Removed ${toRemove}.`).then(() =>
      setToRemove(null),
    );
  };

  /** A form edit at `path` of a node's params (the inspector); a slider edit is the one-key case. */
  const editParam = (nodeId: string, path: string[], value: unknown) => {
    const node = nodes.find((n) => n.id === nodeId);
    if (!node) return;
    if (staging && newIds.has(nodeId)) {
      editStaged((s) => ({
        ...s,
        nodes: s.nodes.map((n) => (n.id === nodeId ? { ...n, params: setAt(n.params, path, value) } : n)),
      }));
      return;
    }
    const update = tuneUpdate(node.params, lookup(node.kind), path, value);
    if (!update) return;
    if (staging)
      editStaged((s) => ({
        ...s,
        nodes: s.nodes.map((n) =>
          n.id === nodeId ? { ...n, params: { ...n.params, [update.key]: update.value } } : n,
        ),
      }));
    else tuning.tune(nodeId, update.key, update.value);
  };
  const editSlider = (nodeId: string, key: string, value: number) => editParam(nodeId, [key], value);

  const enterStaging = () => {
    if (!pipeline) return;
    setStaging({ base: stageFrom(pipeline), staged: stageFrom(pipeline) });
    setProblems(null);
  };
  const discard = () => {
    setStaging(null);
    setProblems(null);
  };
  const validate = async () => {
    if (!sessionId) return;
    setBusy(true);
    try {
      setProblems((await sessionsApi.validateBatch(sessionId, ops)).problems);
    } catch (e) {
      setProblems([{ message: errorMessage(e), nodeId: null, path: null, pin: null }]);
    } finally {
      setBusy(false);
    }
  };
  const apply = async () => {
    if (await runBatch(ops, `Applied ${ops.length} change${ops.length === 1 ? '' : 's'}.`)) discard();
  };

  return {
    staging: staging !== null,
    nodes,
    connections,
    newIds,
    ops,
    problems,
    busy,
    toRemove,
    tuneError: tuning.tuneError,
    dismissTuneError: tuning.dismissTuneError,
    stageKind,
    connect,
    disconnect,
    remove,
    confirmRemove,
    cancelRemove: () => setToRemove(null),
    editParam,
    editSlider,
    enterStaging,
    discard,
    validate: () => void validate(),
    apply: () => void apply(),
  };
}
