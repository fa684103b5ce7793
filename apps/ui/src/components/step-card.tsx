// A numbered card of a step-by-step view (Convert, Stream).
import type { ReactNode } from 'react';

export function StepCard({ step, title, children }: { step: number; title: string; children: ReactNode }) {
  return (
    <section className="card">
      <h2>
        <span className="step">{step}</span> {title}
      </h2>
      {children}
    </section>
  );
}
