// Response shape of `/api/v1/assets/audio` (StreamKit's AudioAsset), the one definition the service returns
// and the OpenAPI document declares.
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class AudioAsset {
  @ApiProperty({ description: 'File name, e.g. `speech.opus`' })
  id!: string;

  @ApiProperty()
  name!: string;

  @ApiProperty({ description: 'Path as `core::file_reader` takes it, e.g. `samples/audio/user/speech.opus`' })
  path!: string;

  @ApiProperty({ description: 'Container, from the extension: opus, ogg, flac, mp3 or wav' })
  format!: string;

  @ApiProperty()
  size_bytes!: number;

  @ApiPropertyOptional({ description: 'The SPDX license text beside the file, when there is one' })
  license?: string;

  @ApiProperty({ description: 'Shipped with the server (read-only)' })
  is_system!: boolean;
}
