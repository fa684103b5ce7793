// `GET /api/v1/profile/cpu` and `/heap` (StreamKit's profiling routes): admin only, 501 when
// `[profiling].enabled` is false, 400 for out-of-range query parameters.
import { BadRequestException, Controller, Get, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ApiPlainTextErrors, binaryContent } from '../common/api-responses';
import type { FastifyReply } from 'fastify';
import { RequirePermission } from '../permissions';
import { ProfilingService, type CpuFormat } from './profiling.service';

export const CPU_DURATION_SECS = { min: 1, max: 300, default: 30 };
export const CPU_FREQUENCY_HZ = { min: 1, max: 10000, default: 99 };

function intParam(name: string, raw: string | undefined, range: typeof CPU_DURATION_SECS): number {
  if (raw === undefined || raw === '') return range.default;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < range.min || n > range.max) {
    throw new BadRequestException(
      `Invalid ${name} '${raw}': expected an integer from ${range.min} to ${range.max}`,
    );
  }
  return n;
}

@ApiTags('profiling')
@Controller('api/v1/profile')
@RequirePermission('access_all_sessions')
@ApiPlainTextErrors(403, 501)
export class ProfilingController {
  constructor(private readonly profiling: ProfilingService) {}

  @Get('cpu')
  @ApiQuery({ name: 'duration_secs', required: false, description: 'Seconds to sample, 1-300 (default 30)' })
  @ApiQuery({ name: 'frequency', required: false, description: 'Samples per second, 1-10000 (default 99)' })
  @ApiQuery({ name: 'format', required: false, enum: ['flamegraph', 'protobuf'] })
  @ApiProduces('image/svg+xml', 'application/octet-stream')
  @ApiOkResponse({
    description: 'A flame graph (SVG), or a gzipped pprof profile (`profile.pb.gz`) for `format=protobuf`',
    content: {
      'image/svg+xml': { schema: { type: 'string' } },
      ...binaryContent('application/octet-stream'),
    },
  })
  @ApiPlainTextErrors(400, 429)
  async cpu(
    @Query('duration_secs') duration: string | undefined,
    @Query('frequency') frequency: string | undefined,
    @Query('format') format: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const durationSecs = intParam('duration_secs', duration, CPU_DURATION_SECS);
    const hz = intParam('frequency', frequency, CPU_FREQUENCY_HZ);
    const fmt = (format || 'flamegraph') as CpuFormat;
    if (fmt !== 'flamegraph' && fmt !== 'protobuf') {
      throw new BadRequestException(`Invalid format '${format}': expected flamegraph or protobuf`);
    }
    const gone = new AbortController();
    const onClose = () => gone.abort();
    // The response's close (not the request's, which fires once the body is read) means the client left.
    reply.raw.once('close', onClose);
    try {
      const body = await this.profiling.cpu({
        durationSecs,
        frequency: hz,
        format: fmt,
        signal: gone.signal,
      });
      if (fmt === 'flamegraph') {
        await reply.header('content-type', 'image/svg+xml').send(body);
      } else {
        await reply
          .header('content-type', 'application/octet-stream')
          .header('content-disposition', 'attachment; filename="profile.pb.gz"')
          .send(body);
      }
    } finally {
      reply.raw.off('close', onClose);
    }
  }

  @Get('heap')
  @ApiProduces('application/octet-stream')
  @ApiOkResponse({
    description: 'A gzipped pprof heap profile (`heap.pb.gz`)',
    content: binaryContent('application/octet-stream'),
  })
  async heap(@Res() reply: FastifyReply): Promise<void> {
    const body = await this.profiling.heapProfile();
    await reply
      .header('content-type', 'application/octet-stream')
      .header('content-disposition', 'attachment; filename="heap.pb.gz"')
      .send(body);
  }
}
