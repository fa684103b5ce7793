// The Stream view's active session: its name, aggregate state and peer state, and, when a node failed, the
// failure and its reason in place of "active" and "live" (a session with a failed node is not streaming
// what its pipeline says, whatever the relay connection shows).
import type { NodeStateView } from '../../api/sessions';
import { aggregateStatus } from '../monitor/use-live-session';
import type { ActiveSession } from './active-session';

export interface FailedNode {
  nodeId: string;
  reason: string;
}

/** The nodes whose state is Failed, in pipeline order, each with the reason the engine gave. */
export function failedNodes(states: Record<string, NodeStateView>): FailedNode[] {
  return Object.entries(states)
    .filter(([, s]) => s.status === 'Failed')
    .map(([nodeId, s]) => ({ nodeId, reason: s.reason || 'no reason given' }));
}

interface SessionCardProps {
  active: ActiveSession;
  states: Record<string, NodeStateView>;
  relayConnected: boolean;
  canDestroy: boolean;
  destroying: boolean;
  onMonitor: () => void;
  onDestroy: () => void;
}

export function SessionCard(props: SessionCardProps) {
  const { active, states, relayConnected } = props;
  const failed = failedNodes(states);
  const status = aggregateStatus(Object.values(states));
  const peerState = states[active.peer.nodeId];
  return (
    <div className="stream-session" data-testid="stream-session">
      <div className="row gap">
        {failed.length > 0 ? (
          <span className="chip chip-error" data-testid="stream-session-chip">
            Session failed
          </span>
        ) : (
          <span className="chip chip-ok" data-testid="stream-session-chip">
            Session active
          </span>
        )}
        {relayConnected && failed.length === 0 && (
          <span className="chip chip-live" data-testid="stream-live">
            live
          </span>
        )}
        <b>{active.name || 'Unnamed session'}</b>
        <span className="muted">{active.pipelineName}</span>
      </div>
      <p className="small mono muted">{active.id}</p>
      <p className="small" data-testid="stream-session-status">
        <span className={`state-dot state-${status.toLowerCase()}`} aria-hidden="true" /> {status}
        {peerState && (
          <>
            {' · '}peer <code>{active.peer.nodeId}</code>: {peerState.status}
            {peerState.reason ? ` (${peerState.reason})` : ''}
          </>
        )}
      </p>
      {failed.length > 0 && (
        <div className="banner banner-error" role="alert" data-testid="stream-session-failed">
          <div>
            <b>{failed.length === 1 ? 'A node of this session failed' : `${failed.length} nodes failed`}</b>,
            so it does not stream what its pipeline says. Destroy it, fix the pipeline and create it again.
            <ul className="stream-failures">
              {failed.map((f) => (
                <li key={f.nodeId}>
                  <code>{f.nodeId}</code>: {f.reason}
                </li>
              ))}
            </ul>
          </div>
        </div>
      )}
      <div className="row gap">
        <button className="btn" onClick={props.onMonitor} data-testid="stream-view-in-monitor">
          View in Monitor →
        </button>
        {props.canDestroy && (
          <button
            className="btn danger"
            onClick={props.onDestroy}
            disabled={props.destroying}
            data-testid="stream-destroy"
          >
            Destroy session
          </button>
        )}
      </div>
    </div>
  );
}
