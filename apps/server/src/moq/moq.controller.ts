// MoQ discovery routes: certificate fingerprints for WebTransport's `serverCertificateHashes`.
import { Controller, Get, Header, HttpException } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import { ApiPlainTextErrors, PLAIN_TEXT } from '../common/api-responses';
import { MoqFingerprints } from './moq.dto';
import { MoqService } from './moq.service';

@ApiTags('moq')
@Controller()
export class MoqController {
  constructor(private readonly moq: MoqService) {}

  @Get('api/v1/moq/fingerprints')
  @ApiOkResponse({ type: MoqFingerprints })
  fingerprints(): MoqFingerprints {
    return { fingerprints: this.moq.fingerprints(), http3: this.moq.http3Enabled.enabled };
  }

  @Get('certificate.sha256')
  @Header('content-type', 'text/plain; charset=utf-8')
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: "The first certificate's SHA-256 fingerprint (hex)", content: PLAIN_TEXT })
  @ApiPlainTextErrors(503)
  certificate(): string {
    const [first] = this.moq.fingerprints();
    if (!first) {
      throw new HttpException(
        `No WebTransport certificate: HTTP/3 is off (${this.moq.http3Enabled.reason ?? 'unknown'}); use the WebSocket path`,
        503,
      );
    }
    return first;
  }
}
