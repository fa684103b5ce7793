// GraphQL input types. GraphQL has no input unions, so a batch operation is one input tagged by `action`
// whose fields are checked per action (`toBatchOperation`), naming the operation index on a problem.
import { BadRequestException } from '@nestjs/common';
import { Field, InputType, registerEnumType } from '@nestjs/graphql';
import type { BatchOperation } from '@streamkit/pipeline';
import { JSONValue } from './json.scalar';
import { ConnectionModeEnum } from './types';

export enum BatchAction {
  ADD_NODE = 'add_node',
  REMOVE_NODE = 'remove_node',
  CONNECT = 'connect',
  DISCONNECT = 'disconnect',
  TUNE_NODE = 'tune_node',
}
registerEnumType(BatchAction, { name: 'BatchAction' });

@InputType()
export class ConnectionInput {
  @Field()
  fromNode!: string;
  @Field()
  fromPin!: string;
  @Field()
  toNode!: string;
  @Field()
  toPin!: string;
  @Field(() => ConnectionModeEnum, { nullable: true, description: 'Default reliable; ignored by disconnect' })
  mode?: ConnectionModeEnum | null;
}

@InputType({ description: 'One batch step; which fields are required depends on `action`' })
export class BatchOperationInput {
  @Field(() => BatchAction)
  action!: BatchAction;
  @Field(() => String, { nullable: true, description: 'add_node, remove_node, tune_node' })
  nodeId?: string | null;
  @Field(() => String, { nullable: true, description: 'add_node' })
  kind?: string | null;
  @Field(() => JSONValue, {
    nullable: true,
    description: 'add_node (all params), tune_node (a partial update)',
  })
  params?: unknown;
  @Field(() => ConnectionInput, { nullable: true, description: 'connect, disconnect' })
  connection?: ConnectionInput | null;
}

@InputType()
export class SaveSampleInput {
  @Field()
  name!: string;
  @Field()
  description!: string;
  @Field()
  yaml!: string;
  @Field(() => Boolean, { nullable: true })
  overwrite?: boolean | null;
  @Field(() => Boolean, { nullable: true })
  isFragment?: boolean | null;
}

export function toConnection(c: ConnectionInput, withMode: boolean) {
  const base = { from_node: c.fromNode, from_pin: c.fromPin, to_node: c.toNode, to_pin: c.toPin };
  return withMode && c.mode ? { ...base, mode: c.mode } : base;
}

/** The params of add_node/tune_node must be a JSON object. */
export function paramsObject(value: unknown, where: string): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new BadRequestException(`${where}: params must be a JSON object`);
  }
  return value as Record<string, unknown>;
}

export function toBatchOperation(op: BatchOperationInput, index: number): BatchOperation {
  const where = `operations[${index}] (${op.action})`;
  const need = <T>(value: T | null | undefined, field: string): T => {
    if (value === undefined || value === null || value === '') {
      throw new BadRequestException(`${where}: '${field}' is required`);
    }
    return value;
  };
  switch (op.action) {
    case BatchAction.ADD_NODE: {
      const params = paramsObject(op.params, where);
      return {
        type: 'add_node',
        node_id: need(op.nodeId, 'nodeId'),
        kind: need(op.kind, 'kind'),
        ...(params ? { params } : {}),
      };
    }
    case BatchAction.REMOVE_NODE:
      return { type: 'remove_node', node_id: need(op.nodeId, 'nodeId') };
    case BatchAction.CONNECT:
      return { type: 'connect', ...toConnection(need(op.connection, 'connection'), true) };
    case BatchAction.DISCONNECT:
      return { type: 'disconnect', ...toConnection(need(op.connection, 'connection'), false) };
    case BatchAction.TUNE_NODE:
      return {
        type: 'tune_node',
        node_id: need(op.nodeId, 'nodeId'),
        params: need(paramsObject(op.params, where), 'params'),
      };
  }
}
