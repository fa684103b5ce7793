// GET /api/v1/permissions: the caller's role name and its 15 capability flags (allow-lists stay private).
import { Controller, Get } from '@nestjs/common';
import { Caller, type PermissionsInfo } from './caller';

@Controller('api/v1/permissions')
export class PermissionsController {
  @Get()
  get(@Caller() caller: Caller): { role: string; permissions: PermissionsInfo } {
    return { role: caller.role, permissions: { ...caller.permissions } };
  }
}
