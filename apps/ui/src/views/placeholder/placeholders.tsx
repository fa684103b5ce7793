// Monitor and Stream live in their own issue; until then their routes explain what will be there.
import { Link, useLocation } from 'react-router-dom';

export function MonitorView() {
  const state = useLocation().state as { sessionId?: string } | null;
  return (
    <div className="placeholder" data-testid="monitor-view">
      <h1>Monitor</h1>
      <p>Live sessions, their node states and stats, and live tuning will appear here.</p>
      {state?.sessionId && (
        <p className="muted">
          Session <code data-testid="created-session-id">{state.sessionId}</code> was created.
        </p>
      )}
      <Link to="/design">Back to Design</Link>
    </div>
  );
}

export function StreamView() {
  return (
    <div className="placeholder" data-testid="stream-view">
      <h1>Stream</h1>
      <p>Publishing your microphone to a dynamic session and playing its output over MoQ will appear here.</p>
      <Link to="/design">Back to Design</Link>
    </div>
  );
}
