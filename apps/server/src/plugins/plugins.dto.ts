// Response shape of `/api/v1/plugins` (StreamKit's plugin summary). The plugin manager owns the type; the DTO
// is checked to have exactly its shape.
import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import type { PluginSummary } from '@streamkit/pipeline/plugins';
import { sameShape } from '../common/api-responses';

@ApiSchema({ name: 'PluginSummary' })
export class PluginSummaryDto {
  @ApiProperty({ description: 'Registered kind, e.g. `plugin::wasm::gain`' })
  kind!: string;

  @ApiProperty({ description: 'The kind the plugin declared, e.g. `gain`' })
  original_kind!: string;

  @ApiProperty()
  file_name!: string;

  @ApiProperty({ type: [String] })
  categories!: string[];

  @ApiProperty({ description: 'When it was loaded, in ms since the epoch' })
  loaded_at_ms!: number;

  @ApiProperty({ enum: ['native', 'wasm'] })
  plugin_type!: PluginSummary['plugin_type'];
}
sameShape<PluginSummaryDto, PluginSummary>(true);
