// Response shapes of `/api/v1/schema`: node kinds with their params and pins, and the packet-type table.
// The engine owns these types; each DTO is checked to have exactly the engine's shape.
import {
  ApiExtraModels,
  ApiProperty,
  ApiPropertyOptional,
  ApiSchema,
  getSchemaPath,
  type SchemaObject,
} from '@nestjs/swagger';
import type {
  InputPinSpec,
  NodeSchemaEntry,
  OutputPinSpec,
  PacketCompatibility,
  PacketTypeMeta,
  PinCardinality,
  PinType,
} from '@streamkit/pipeline';
import { sameShape } from '../common/api-responses';

/** StreamKit's externally tagged pin type: a name, or `{RawAudio: {...}}` / `{Custom: {type_id}}`. */
export const PIN_TYPE_SCHEMA: SchemaObject = {
  oneOf: [
    { type: 'string', enum: ['Any', 'Passthrough', 'Binary', 'Text', 'OpusAudio', 'Transcription'] },
    {
      type: 'object',
      required: ['RawAudio'],
      properties: {
        RawAudio: {
          type: 'object',
          required: ['sample_rate', 'channels', 'sample_format'],
          properties: {
            sample_rate: { type: 'integer', description: '0 = any rate' },
            channels: { type: 'integer', description: '0 = any channel count' },
            sample_format: { type: 'string', enum: ['F32', 'S16Le'] },
          },
        },
      },
    },
    {
      type: 'object',
      required: ['Custom'],
      properties: {
        Custom: { type: 'object', required: ['type_id'], properties: { type_id: { type: 'string' } } },
      },
    },
  ],
};

/** `One`, `Broadcast` or `{Dynamic: {prefix}}`. */
export const PIN_CARDINALITY_SCHEMA: SchemaObject = {
  oneOf: [
    { type: 'string', enum: ['One', 'Broadcast'] },
    {
      type: 'object',
      required: ['Dynamic'],
      properties: {
        Dynamic: { type: 'object', required: ['prefix'], properties: { prefix: { type: 'string' } } },
      },
    },
  ],
};

@ApiSchema({ name: 'InputPinSpec' })
export class InputPinSpecDto {
  @ApiProperty()
  name!: string;

  @ApiProperty({ type: 'array', items: PIN_TYPE_SCHEMA })
  accepts_types!: PinType[];

  @ApiProperty({ oneOf: PIN_CARDINALITY_SCHEMA.oneOf })
  cardinality!: PinCardinality;
}
sameShape<InputPinSpecDto, InputPinSpec>(true);

@ApiSchema({ name: 'OutputPinSpec' })
export class OutputPinSpecDto {
  @ApiProperty()
  name!: string;

  @ApiProperty({ oneOf: PIN_TYPE_SCHEMA.oneOf })
  produces_type!: PinType;

  @ApiProperty({ oneOf: PIN_CARDINALITY_SCHEMA.oneOf })
  cardinality!: PinCardinality;
}
sameShape<OutputPinSpecDto, OutputPinSpec>(true);

/** One entry of `GET /api/v1/schema/nodes`. */
@ApiSchema({ name: 'NodeSchemaEntry' })
export class NodeSchemaEntryDto {
  @ApiProperty({ description: 'Node kind, e.g. `audio::gain`' })
  kind!: string;

  @ApiPropertyOptional()
  description?: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'JSON Schema of the params (an object schema; `tunable` marks params changeable live)',
  })
  param_schema!: Record<string, unknown>;

  @ApiProperty({ type: [InputPinSpecDto] })
  inputs!: InputPinSpec[];

  @ApiProperty({ type: [OutputPinSpecDto] })
  outputs!: OutputPinSpec[];

  @ApiProperty({ type: [String] })
  categories!: string[];

  @ApiProperty()
  bidirectional!: boolean;

  @ApiPropertyOptional({ description: 'Only usable in oneshot pipelines' })
  oneshot_only?: boolean;
}
sameShape<NodeSchemaEntryDto, NodeSchemaEntry>(true);

@ApiSchema({ name: 'PacketFieldWildcard' })
class PacketFieldWildcardDto {
  @ApiProperty()
  name!: string;

  @ApiPropertyOptional({ description: 'The field value that matches any value' })
  wildcard_value?: number;
}

@ApiSchema({ name: 'PacketCompatibilityAny' })
class AnyCompatibilityDto {
  @ApiProperty({ enum: ['any'] })
  kind!: 'any';
}

@ApiSchema({ name: 'PacketCompatibilityExact' })
class ExactCompatibilityDto {
  @ApiProperty({ enum: ['exact'] })
  kind!: 'exact';
}

@ApiSchema({ name: 'PacketCompatibilityStructFieldWildcard' })
class StructFieldWildcardCompatibilityDto {
  @ApiProperty({ enum: ['structfieldwildcard'] })
  kind!: 'structfieldwildcard';

  @ApiProperty({ type: [PacketFieldWildcardDto] })
  fields!: PacketFieldWildcardDto[];
}

/** One entry of `GET /api/v1/schema/packets`. */
@ApiExtraModels(AnyCompatibilityDto, ExactCompatibilityDto, StructFieldWildcardCompatibilityDto)
@ApiSchema({ name: 'PacketTypeMeta' })
export class PacketTypeMetaDto {
  @ApiProperty()
  id!: string;

  @ApiProperty()
  label!: string;

  @ApiProperty({ description: 'CSS color of the pin and its edges' })
  color!: string;

  @ApiPropertyOptional({ description: 'Label with `{field|wildcard}` placeholders' })
  display_template?: string;

  @ApiProperty({
    oneOf: [
      { $ref: getSchemaPath(AnyCompatibilityDto) },
      { $ref: getSchemaPath(ExactCompatibilityDto) },
      { $ref: getSchemaPath(StructFieldWildcardCompatibilityDto) },
    ],
  })
  compatibility!: PacketCompatibility;
}
sameShape<PacketTypeMetaDto, PacketTypeMeta>(true);
