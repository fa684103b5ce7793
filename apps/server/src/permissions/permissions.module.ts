// Roles and permissions: the permissions route and the global guard behind `@RequirePermission`.
import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PermissionGuard } from './permission.guard';
import { PermissionsController } from './permissions.controller';

@Module({
  controllers: [PermissionsController],
  providers: [{ provide: APP_GUARD, useClass: PermissionGuard }],
})
export class PermissionsModule {}
