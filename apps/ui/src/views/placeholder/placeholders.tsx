// Stream lives in its own issue; until then its route explains what will be there.
import { Link } from 'react-router-dom';

export function StreamView() {
  return (
    <div className="placeholder" data-testid="stream-view">
      <h1>Stream</h1>
      <p>Publishing your microphone to a dynamic session and playing its output over MoQ will appear here.</p>
      <Link to="/design">Back to Design</Link>
    </div>
  );
}
