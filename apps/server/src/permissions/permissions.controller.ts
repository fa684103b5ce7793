// GET /api/v1/permissions: the caller's role name and its 15 capability flags (allow-lists stay private).
import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Caller } from './caller';
import { PermissionsResponse } from './permissions.dto';

@ApiTags('permissions')
@Controller('api/v1/permissions')
export class PermissionsController {
  @Get()
  @ApiOkResponse({ type: PermissionsResponse })
  get(@Caller() caller: Caller): PermissionsResponse {
    return { role: caller.role, permissions: { ...caller.permissions } };
  }
}
