// Vitest setup: unmount rendered trees between tests and provide browser APIs happy-dom lacks.
import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';

afterEach(() => {
  cleanup();
  localStorage.clear();
});
