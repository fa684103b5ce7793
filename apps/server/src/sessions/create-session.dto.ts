// Body of `POST /api/v1/sessions`: `{name?, yaml}` (unknown fields are ignored, as in StreamKit).
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';

export class CreateSessionDto {
  @ApiPropertyOptional({
    description: 'Unique session name; generated when absent',
    type: String,
    nullable: true,
  })
  @IsOptional()
  @IsString()
  name?: string | null;

  @ApiProperty({ description: 'Pipeline YAML (`steps` or `nodes`/`needs` form)' })
  @IsString()
  yaml!: string;
}
