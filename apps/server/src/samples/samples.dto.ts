// Response shape of `/api/v1/samples` (StreamKit's SamplePipeline), the one definition the service returns and
// the OpenAPI document declares.
import { ApiProperty } from '@nestjs/swagger';

export type PipelineMode = 'oneshot' | 'dynamic';

export class SamplePipeline {
  @ApiProperty({ description: 'Path relative to the samples folder, without extension, e.g. `user/mix`' })
  id!: string;

  @ApiProperty()
  name!: string;

  @ApiProperty()
  description!: string;

  @ApiProperty({ description: 'Pipeline YAML (a fragment verbatim)' })
  yaml!: string;

  @ApiProperty({ description: 'Shipped with the server (read-only)' })
  is_system!: boolean;

  @ApiProperty({ enum: ['oneshot', 'dynamic'] })
  mode!: PipelineMode;

  @ApiProperty()
  is_fragment!: boolean;
}
