// Body of `POST /api/v1/sessions`: `{name?, yaml}` (unknown fields are ignored, as in StreamKit).
import { IsOptional, IsString } from 'class-validator';

export class CreateSessionDto {
  @IsOptional()
  @IsString()
  name?: string | null;

  @IsString()
  yaml!: string;
}
