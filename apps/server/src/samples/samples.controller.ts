// `/api/v1/samples`: list, fetch, save and delete sample pipelines and fragments.
import { ApiTags } from '@nestjs/swagger';
import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { Caller } from '../permissions';
import { BODY_VALIDATION } from '../common/validation';
import { SaveSampleDto } from './save-sample.dto';
import { SamplePipeline, SamplesService } from './samples.service';

@ApiTags('samples')
@Controller('api/v1/samples')
export class SamplesController {
  constructor(private readonly samples: SamplesService) {}

  @Get('oneshot')
  listOneshot(@Caller() caller: Caller): Promise<SamplePipeline[]> {
    return this.samples.list(caller, 'oneshot');
  }

  @Get('dynamic')
  listDynamic(@Caller() caller: Caller): Promise<SamplePipeline[]> {
    return this.samples.list(caller, 'dynamic');
  }

  @Get('oneshot/:id')
  get(@Caller() caller: Caller, @Param('id') id: string): Promise<SamplePipeline> {
    return this.samples.get(caller, id);
  }

  @Post('oneshot')
  save(@Caller() caller: Caller, @Body(BODY_VALIDATION) body: SaveSampleDto): Promise<SamplePipeline> {
    return this.samples.save(caller, body);
  }

  @Delete('oneshot/:id')
  @HttpCode(204)
  async delete(@Caller() caller: Caller, @Param('id') id: string): Promise<void> {
    await this.samples.delete(caller, id);
  }
}
