// Response shape of `GET /api/v1/moq/fingerprints`.
import { ApiProperty } from '@nestjs/swagger';

export class MoqFingerprints {
  @ApiProperty({
    type: [String],
    description: 'SHA-256 fingerprints (hex) of the WebTransport certificates, for `serverCertificateHashes`',
  })
  fingerprints!: string[];

  @ApiProperty({ description: 'Whether the HTTP/3 (WebTransport) listener is on' })
  http3!: boolean;
}
