// Response shape of `GET /api/v1/permissions`: the caller's role and its capability flags (allow-lists stay
// private). The flags are the engine's PERMISSION_FLAGS, so the schema lists exactly those.
import { ApiProperty } from '@nestjs/swagger';
import { PERMISSION_FLAGS, PERMISSION_FLAG_DOCS, type PermissionFlag } from '@streamkit/pipeline/security';

/** One boolean per capability flag, in StreamKit's order. */
export type PermissionsInfo = Record<PermissionFlag, boolean>;

export class PermissionsResponse {
  @ApiProperty({ description: 'The resolved role name (the session owner of what it creates)' })
  role!: string;

  @ApiProperty({
    type: 'object',
    selfRequired: true,
    required: [...PERMISSION_FLAGS],
    properties: Object.fromEntries(
      PERMISSION_FLAGS.map((f) => [f, { type: 'boolean', description: PERMISSION_FLAG_DOCS[f] }]),
    ),
    additionalProperties: false,
  })
  permissions!: PermissionsInfo;
}
