// `/api/v1/samples`: list, fetch, save and delete sample pipelines and fragments.
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { Caller } from '../permissions';
import { ApiPlainTextErrors } from '../common/api-responses';
import { BODY_VALIDATION } from '../common/validation';
import { SaveSampleDto } from './save-sample.dto';
import { SamplePipeline } from './samples.dto';
import { SamplesService } from './samples.service';

@ApiTags('samples')
@Controller('api/v1/samples')
export class SamplesController {
  constructor(private readonly samples: SamplesService) {}

  @Get('oneshot')
  @ApiOkResponse({ type: [SamplePipeline] })
  @ApiPlainTextErrors(403)
  listOneshot(@Caller() caller: Caller): Promise<SamplePipeline[]> {
    return this.samples.list(caller, 'oneshot');
  }

  @Get('dynamic')
  @ApiOkResponse({ type: [SamplePipeline] })
  @ApiPlainTextErrors(403)
  listDynamic(@Caller() caller: Caller): Promise<SamplePipeline[]> {
    return this.samples.list(caller, 'dynamic');
  }

  @Get('oneshot/:id')
  @ApiOkResponse({ type: SamplePipeline })
  @ApiPlainTextErrors(400, 403, 404, 413)
  get(@Caller() caller: Caller, @Param('id') id: string): Promise<SamplePipeline> {
    return this.samples.get(caller, id);
  }

  @Post('oneshot')
  @ApiCreatedResponse({ type: SamplePipeline, description: 'The saved sample' })
  @ApiPlainTextErrors(400, 403, 409, 413)
  save(@Caller() caller: Caller, @Body(BODY_VALIDATION) body: SaveSampleDto): Promise<SamplePipeline> {
    return this.samples.save(caller, body);
  }

  @Delete('oneshot/:id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Deleted (no body)' })
  @ApiPlainTextErrors(400, 403, 404)
  async delete(@Caller() caller: Caller, @Param('id') id: string): Promise<void> {
    await this.samples.delete(caller, id);
  }
}
