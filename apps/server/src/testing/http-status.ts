// Test helper for service specs: the HTTP status a service call ends with (200 when it resolves).
import assert from 'node:assert/strict';
import { HttpException } from '@nestjs/common';

export async function statusOf(call: Promise<unknown>): Promise<number> {
  try {
    await call;
    return 200;
  } catch (err) {
    assert.ok(err instanceof HttpException, String(err));
    return err.getStatus();
  }
}
