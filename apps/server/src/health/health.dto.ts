// Response shape of `GET /healthz` and `/health`.
import { ApiProperty } from '@nestjs/swagger';

export class HealthStatus {
  @ApiProperty({ enum: ['ok'] })
  status!: 'ok';

  @ApiProperty({ description: 'The server version' })
  version!: string;
}
