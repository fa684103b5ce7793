// The live session list: loaded once, then kept current by `sessionsChanged`; each item shows the
// aggregate node status (from its own nodeStates subscription) and can be deleted after confirmation.
import { useEffect, useState } from 'react';
import type { LiveClient } from '../../api/graphql';
import { NODE_STATES, type NodeStateEvent, type NodeStateView, type SessionInfo } from '../../api/sessions';
import { aggregateStatus } from './use-live-session';

interface ItemProps {
  client: LiveClient | null;
  session: SessionInfo;
  selected: boolean;
  canDelete: boolean;
  onSelect: () => void;
  onDelete: () => void;
}

function SessionItem({ client, session, selected, canDelete, onSelect, onDelete }: ItemProps) {
  const [states, setStates] = useState<Record<string, NodeStateView>>({});
  useEffect(() => {
    if (!client) return;
    return client.subscribe<NodeStateEvent>(
      NODE_STATES,
      { id: session.id },
      {
        next: (d) => setStates((s) => ({ ...s, [d.nodeStates.nodeId]: d.nodeStates.state })),
      },
    );
  }, [client, session.id]);
  const list = Object.values(states);
  const status = aggregateStatus(list);
  const issues = Object.entries(states)
    .filter(([, s]) => s.status !== 'Running')
    .slice(0, 3)
    .map(([id, s]) => `${id}: ${s.status}${s.reason ? ` (${s.reason})` : ''}`);
  const title = [
    `Status: ${status}`,
    ...issues,
    `Started: ${new Date(session.createdAt).toLocaleString()}`,
    `ID: ${session.id}`,
  ].join('\n');
  return (
    <li
      className={`session-item${selected ? ' selected' : ''}`}
      data-testid="session-item"
      data-session-id={session.id}
      data-status={status}
    >
      <button className="session-select" onClick={onSelect} title={title}>
        <span className={`state-dot state-${status.toLowerCase()}`} aria-hidden="true" />
        <span className="session-name">{session.name || session.id.slice(0, 8)}</span>
        <span className="muted small">{status}</span>
      </button>
      {canDelete && (
        <button
          className="icon-btn session-delete"
          aria-label={`Delete session ${session.name}`}
          title="Delete session"
          data-testid="session-delete-btn"
          onClick={onDelete}
        >
          <svg width="14" height="14" viewBox="0 0 16 16" aria-hidden="true">
            <path
              d="M3 4h10M6.5 4V2.5h3V4M4.5 4l.7 9.5h5.6l.7-9.5M7 6.5v5M9 6.5v5"
              stroke="currentColor"
              strokeWidth="1.4"
              fill="none"
              strokeLinecap="round"
            />
          </svg>
        </button>
      )}
    </li>
  );
}

interface ListProps {
  client: LiveClient | null;
  sessions: SessionInfo[] | null;
  error: string | null;
  selectedId: string | null;
  canDelete: boolean;
  onSelect: (id: string) => void;
  onDelete: (s: SessionInfo) => void;
}

export function SessionList({
  client,
  sessions,
  error,
  selectedId,
  canDelete,
  onSelect,
  onDelete,
}: ListProps) {
  const [filter, setFilter] = useState('');
  const shown = (sessions ?? []).filter(
    (s) => !filter || s.name.toLowerCase().includes(filter.toLowerCase()) || s.id.includes(filter),
  );
  return (
    <div className="session-list" data-testid="sessions-list">
      {sessions && sessions.length >= 5 && (
        <input
          className="input"
          placeholder="Search sessions"
          aria-label="Search sessions"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
        />
      )}
      {error && <p className="error-text">{error}</p>}
      {!sessions && !error && <p className="muted">Loading sessions…</p>}
      {sessions?.length === 0 && <p className="muted">No active sessions.</p>}
      <ul>
        {shown.map((s) => (
          <SessionItem
            key={s.id}
            client={client}
            session={s}
            selected={s.id === selectedId}
            canDelete={canDelete}
            onSelect={() => onSelect(s.id)}
            onDelete={() => onDelete(s)}
          />
        ))}
      </ul>
    </div>
  );
}
