// Body of `POST /api/v1/samples/oneshot` (StreamKit's SavePipelineRequest).
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString } from 'class-validator';
import type { SaveSampleRequest } from './samples.service';

export class SaveSampleDto implements SaveSampleRequest {
  @ApiProperty({ description: 'File name without extension' })
  @IsString()
  name!: string;

  @ApiProperty({ description: 'Human-readable description' })
  @IsString()
  description!: string;

  @ApiProperty({ description: 'Pipeline YAML' })
  @IsString()
  yaml!: string;

  @ApiPropertyOptional({ description: 'Replace an existing user sample (default false)' })
  @IsOptional()
  @IsBoolean()
  overwrite?: boolean;

  @ApiPropertyOptional({ description: 'Store as a fragment, verbatim (default false)' })
  @IsOptional()
  @IsBoolean()
  is_fragment?: boolean;
}
