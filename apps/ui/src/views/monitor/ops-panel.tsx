// Editing a live session: add a node, connect or disconnect pins, and (while staging) the pending
// batch with validate / apply / discard. Outside staging each edit is applied at once as a one-step batch.
import { useState } from 'react';
import type { BatchOperation, LiveConnection, Problem } from '../../api/sessions';
import type { NodeDefinition } from '../../api/types';
import { initialParams } from '../../lib/schema-form';
import { connectionKey, countChanges, type StagedNode } from '../../lib/staging';

interface Props {
  defs: NodeDefinition[];
  nodes: StagedNode[];
  connections: LiveConnection[];
  staging: boolean;
  ops: BatchOperation[];
  problems: Problem[] | null;
  busy: boolean;
  canModify: boolean;
  onAddNode: (node: StagedNode) => void;
  onConnect: (c: LiveConnection) => void;
  onDisconnect: (c: LiveConnection) => void;
  onValidate: () => void;
  onApply: () => void;
  onDiscard: () => void;
}

function describe(op: BatchOperation): string {
  const c = op.connection;
  switch (op.action) {
    case 'ADD_NODE':
      return `+ node ${op.nodeId} (${op.kind}) ${JSON.stringify(op.params ?? {})}`;
    case 'REMOVE_NODE':
      return `− node ${op.nodeId}`;
    case 'TUNE_NODE':
      return `~ ${op.nodeId} ${JSON.stringify(op.params ?? {})}`;
    case 'CONNECT':
      return `+ ${c?.fromNode}.${c?.fromPin} → ${c?.toNode}.${c?.toPin}`;
    case 'DISCONNECT':
      return `− ${c?.fromNode}.${c?.fromPin} → ${c?.toNode}.${c?.toPin}`;
  }
}

export function OpsPanel(p: Props) {
  const dynamicKinds = p.defs.filter((d) => d.kind).map((d) => d.kind);
  const [kind, setKind] = useState(
    dynamicKinds.includes('audio::gain') ? 'audio::gain' : (dynamicKinds[0] ?? ''),
  );
  const [nodeId, setNodeId] = useState('');
  const [params, setParams] = useState('');
  const [addError, setAddError] = useState<string | null>(null);
  const ids = p.nodes.map((n) => n.id);
  const [from, setFrom] = useState('');
  const [fromPin, setFromPin] = useState('out');
  const [to, setTo] = useState('');
  const [toPin, setToPin] = useState('in');
  const counts = countChanges(p.ops);

  const add = () => {
    const id = nodeId.trim();
    if (!id) return setAddError('Give the node an id.');
    if (ids.includes(id)) return setAddError(`A node '${id}' already exists.`);
    let parsed: Record<string, unknown>;
    try {
      const def = p.defs.find((d) => d.kind === kind);
      const given: unknown = params.trim() ? JSON.parse(params) : {};
      if (typeof given !== 'object' || given === null || Array.isArray(given))
        return setAddError('Params must be a JSON object, e.g. {"gain": 0.5}.');
      parsed = { ...initialParams(def?.param_schema), ...(given as Record<string, unknown>) };
    } catch (e) {
      return setAddError(`Params are not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
    }
    setAddError(null);
    p.onAddNode({ id, kind, params: parsed });
    setNodeId('');
    setParams('');
  };

  const disabled = !p.canModify || p.busy;
  return (
    <div className="ops-panel" data-testid="ops-panel">
      <h3 className="ops-title">Add node</h3>
      <div className="ops-row">
        <select
          aria-label="Node kind"
          value={kind}
          onChange={(e) => setKind(e.target.value)}
          data-testid="add-node-kind"
        >
          {dynamicKinds.map((k) => (
            <option key={k} value={k}>
              {k}
            </option>
          ))}
        </select>
        <input
          className="input"
          placeholder="node id"
          aria-label="Node id"
          value={nodeId}
          onChange={(e) => setNodeId(e.target.value)}
          data-testid="add-node-id"
        />
      </div>
      <input
        className="input mono"
        placeholder='params (JSON), e.g. {"gain": 0.5}'
        aria-label="Node params as JSON"
        value={params}
        onChange={(e) => setParams(e.target.value)}
        data-testid="add-node-params"
      />
      {addError && <p className="error-text small">{addError}</p>}
      <button className="btn small" onClick={add} disabled={disabled} data-testid="add-node-btn">
        {p.staging ? 'Stage node' : 'Add node'}
      </button>

      <h3 className="ops-title">Connect</h3>
      <EndpointPicker
        side="From"
        ids={ids}
        node={from}
        pin={fromPin}
        onNode={setFrom}
        onPin={setFromPin}
        testId="connect-from"
      />
      <EndpointPicker
        side="To"
        ids={ids}
        node={to}
        pin={toPin}
        onNode={setTo}
        onPin={setToPin}
        testId="connect-to"
      />
      <button
        className="btn small"
        disabled={disabled || !from || !to}
        onClick={() => p.onConnect({ fromNode: from, fromPin, toNode: to, toPin, mode: 'RELIABLE' })}
        data-testid="connect-btn"
      >
        {p.staging ? 'Stage connection' : 'Connect'}
      </button>

      <h3 className="ops-title">Connections</h3>
      <ul className="ops-list">
        {p.connections.map((c) => (
          <li key={connectionKey(c)}>
            <span className="mono small">
              {c.fromNode}.{c.fromPin} → {c.toNode}.{c.toPin}
            </span>
            <button
              className="icon-btn"
              aria-label={`Disconnect ${connectionKey(c)}`}
              disabled={disabled}
              onClick={() => p.onDisconnect(c)}
            >
              ×
            </button>
          </li>
        ))}
      </ul>

      {p.staging && (
        <div className="staging-box" data-testid="staging-panel">
          <h3 className="ops-title">Staged changes</h3>
          <p className="small" data-testid="staging-count">
            {p.ops.length === 0 ? (
              'No changes'
            ) : (
              <>
                <span className="ok-text">+{counts.added}</span>{' '}
                <span className="error-text">−{counts.removed}</span>{' '}
                <span className="warn-text">~{counts.modified}</span>
              </>
            )}
          </p>
          <ol className="ops-list mono small" data-testid="staged-ops">
            {p.ops.map((op, i) => (
              <li key={i}>{describe(op)}</li>
            ))}
          </ol>
          {p.problems && p.problems.length > 0 && (
            <div className="banner banner-error" role="alert" data-testid="staging-error">
              <ul>
                {p.problems.map((pr, i) => (
                  <li key={i}>{pr.message}</li>
                ))}
              </ul>
            </div>
          )}
          {p.problems && p.problems.length === 0 && (
            <p className="ok-text small" data-testid="staging-valid">
              The server accepts these changes.
            </p>
          )}
          <div className="ops-row">
            <button
              className="btn small"
              onClick={p.onValidate}
              disabled={p.busy || p.ops.length === 0}
              data-testid="staging-validate"
            >
              Validate
            </button>
            <button
              className="btn primary small"
              onClick={p.onApply}
              disabled={disabled || p.ops.length === 0}
              data-testid="staging-apply"
            >
              Apply
            </button>
            <button
              className="btn danger small"
              onClick={p.onDiscard}
              disabled={p.busy}
              data-testid="staging-discard"
            >
              Discard
            </button>
          </div>
        </div>
      )}
    </div>
  );
}

/** One end of a connection: the node (from the live ids) and its pin. */
function EndpointPicker(p: {
  side: 'From' | 'To';
  ids: string[];
  node: string;
  pin: string;
  onNode: (id: string) => void;
  onPin: (pin: string) => void;
  testId: string;
}) {
  return (
    <div className="ops-row">
      <select
        aria-label={`${p.side} node`}
        value={p.node}
        onChange={(e) => p.onNode(e.target.value)}
        data-testid={p.testId}
      >
        <option value="">{p.side.toLowerCase()}…</option>
        {p.ids.map((id) => (
          <option key={id}>{id}</option>
        ))}
      </select>
      <input
        className="input"
        aria-label={`${p.side} pin`}
        value={p.pin}
        onChange={(e) => p.onPin(e.target.value)}
      />
    </div>
  );
}
