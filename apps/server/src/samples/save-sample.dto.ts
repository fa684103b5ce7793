// Body of `POST /api/v1/samples/oneshot` (StreamKit's SavePipelineRequest).
import { IsBoolean, IsOptional, IsString } from 'class-validator';
import type { SaveSampleRequest } from './samples.service';

export class SaveSampleDto implements SaveSampleRequest {
  @IsString()
  name!: string;

  @IsString()
  description!: string;

  @IsString()
  yaml!: string;

  @IsOptional()
  @IsBoolean()
  overwrite?: boolean;

  @IsOptional()
  @IsBoolean()
  is_fragment?: boolean;
}
