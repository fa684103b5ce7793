// Last line of defence: a render error shows what happened and a way out instead of a blank page.
import { Component, type ErrorInfo, type ReactNode } from 'react';

interface State {
  error: Error | null;
}

export class ErrorBoundary extends Component<{ children: ReactNode }, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: Error): State {
    return { error };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error('UI crashed', error, info.componentStack);
  }

  override render() {
    const { error } = this.state;
    if (!error) return this.props.children;
    return (
      <div className="crash" data-testid="error-boundary" role="alert">
        <h1>Something went wrong</h1>
        <p>The page hit an unexpected error. Your pipeline draft is saved in this browser.</p>
        <pre className="mono">{error.message}</pre>
        <details>
          <summary>Stack trace</summary>
          <pre className="mono small">{error.stack}</pre>
        </details>
        <div className="row gap">
          <button className="btn" onClick={() => this.setState({ error: null })}>
            Try again
          </button>
          <button className="btn primary" onClick={() => window.location.reload()}>
            Reload page
          </button>
        </div>
      </div>
    );
  }
}
