// Response shape of `GET /api/v1/config`: what the UI needs to boot.
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class ClientConfig {
  @ApiProperty()
  version!: string;

  @ApiPropertyOptional({ description: 'The path prefix the server is mounted under (`[server].base_path`)' })
  base_path?: string;

  /** `[server].moq_gateway_url`, or this server's own `/moq` gateway as the caller reached it. */
  @ApiProperty({
    description: 'The MoQ gateway browsers connect to (WebTransport, or its WebSocket fallback)',
  })
  moq_gateway_url!: string;

  @ApiProperty({ description: 'Whether `/api/v1/profile` is enabled' })
  profiling!: boolean;
}
