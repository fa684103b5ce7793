// Editing a live session's wiring: connect or disconnect pins, and (while staging) the pending batch with
// validate / apply / discard. Nodes are added from the palette and edited in the inspector.
import { useState } from 'react';
import type { BatchOperation, LiveConnection, Problem } from '../../api/sessions';
import { connectionKey, countChanges, type StagedNode } from '../../lib/staging';

interface Props {
  nodes: StagedNode[];
  connections: LiveConnection[];
  staging: boolean;
  ops: BatchOperation[];
  problems: Problem[] | null;
  busy: boolean;
  canModify: boolean;
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
  const ids = p.nodes.map((n) => n.id);
  const [from, setFrom] = useState('');
  const [fromPin, setFromPin] = useState('out');
  const [to, setTo] = useState('');
  const [toPin, setToPin] = useState('in');
  const counts = countChanges(p.ops);

  const disabled = !p.canModify || p.busy;
  return (
    <div className="ops-panel" data-testid="ops-panel">
      {p.canModify && (
        <p className="muted small" data-testid="add-node-hint">
          {p.staging
            ? 'Drag a kind from the Nodes palette onto the canvas to stage a node, and from pin to pin to connect; select an edge and press Delete to disconnect; click a node to edit its parameters.'
            : 'Enter staging to add nodes from the palette; click a node to tune its live parameters.'}
        </p>
      )}
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
