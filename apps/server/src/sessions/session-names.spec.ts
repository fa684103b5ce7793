import assert from 'node:assert/strict';
import { it } from 'node:test';
import { sessionNameFor } from './session-names';

it('derives StreamKit-identical names from session ids', () => {
  assert.equal(sessionNameFor('00000000-0000-0000-0000-000000000000'), 'ancient-eagle-18f2');
  assert.equal(sessionNameFor('123e4567-e89b-12d3-a456-426614174000'), 'calm-dolphin-8d2b');
});
