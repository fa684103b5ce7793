// Executes control requests through the services REST and GraphQL use (SessionsService for sessions and
// their commands, the node registry for node kinds, the caller for permissions): the same checks, the same
// errors (their text becomes the `error` response's message).
import { Inject, Injectable } from '@nestjs/common';
import type { BatchOperation, NodeRegistry } from '@streamkit/pipeline';
import { describeError } from '../common/plain-text-exception.filter';
import { NODE_REGISTRY } from '../engine/engine.module';
import type { Caller } from '../permissions';
import { SessionsService } from '../sessions/sessions.service';
import type {
  ControlRequest,
  ControlResponse,
  NodeControlMessage,
  WireBatchOperation,
} from './control-protocol';

/** A request whose refusal is an `error` response with this text. */
class ControlRefusal extends Error {}

function toOperation(op: WireBatchOperation): BatchOperation {
  switch (op.action) {
    case 'addnode':
      return { type: 'add_node', node_id: op.node_id, kind: op.kind, ...paramsOf(op.params) };
    case 'removenode':
      return { type: 'remove_node', node_id: op.node_id };
    case 'connect': {
      const { action: _a, ...c } = op;
      return { type: 'connect', ...c };
    }
    case 'disconnect': {
      const { action: _a, ...c } = op;
      return { type: 'disconnect', ...c };
    }
  }
}

function paramsOf(params: unknown): { params?: unknown } {
  return params === undefined ? {} : { params };
}

function paramsObject(value: unknown, nodeId: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ControlRefusal(`node '${nodeId}': UpdateParams must be a JSON object of params`);
  }
  return value as Record<string, unknown>;
}

@Injectable()
export class ControlCommands {
  constructor(
    private readonly sessions: SessionsService,
    @Inject(NODE_REGISTRY) private readonly registry: NodeRegistry,
  ) {}

  /**
   * The response to a request; `undefined` for a `tunenodeasync` that succeeded (it has no response; a
   * failed one is answered with its error, where StreamKit only logs it).
   */
  async execute(caller: Caller, request: ControlRequest): Promise<ControlResponse | undefined> {
    try {
      return await this.run(caller, request);
    } catch (err) {
      const message = err instanceof ControlRefusal ? err.message : describeError(err).message;
      return { action: 'error', message };
    }
  }

  private async run(caller: Caller, r: ControlRequest): Promise<ControlResponse | undefined> {
    switch (r.action) {
      case 'createsession': {
        const created = await this.sessions.create(caller, { name: r.name });
        return { action: 'sessioncreated', ...created };
      }
      case 'destroysession': {
        const destroyed = await this.sessions.destroy(caller, r.session_id);
        return { action: 'sessiondestroyed', session_id: destroyed.session_id };
      }
      case 'listsessions':
        return { action: 'sessionslisted', sessions: this.sessions.list(caller) };
      case 'listnodes':
        caller.require('list_nodes');
        return { action: 'nodeslisted', nodes: this.registry.schemaNodes((kind) => caller.canUseNode(kind)) };
      case 'getpipeline':
        return { action: 'pipeline', pipeline: await this.sessions.pipeline(caller, r.session_id) };
      case 'addnode':
        await this.sessions.execute(caller, r.session_id, {
          type: 'add_node',
          node_id: r.node_id,
          kind: r.kind,
          ...paramsOf(r.params),
        });
        return { action: 'success' };
      case 'removenode':
        await this.sessions.execute(caller, r.session_id, { type: 'remove_node', node_id: r.node_id });
        return { action: 'success' };
      case 'connect':
      case 'disconnect': {
        const { action, session_id, ...c } = r;
        await this.sessions.execute(caller, session_id, { type: action, ...c });
        return { action: 'success' };
      }
      case 'tunenode':
      case 'tunenodeasync': {
        await this.tune(caller, r.session_id, r.node_id, r.message);
        return r.action === 'tunenode' ? { action: 'success' } : undefined;
      }
      case 'validatebatch': {
        const result = await this.sessions.execute(caller, r.session_id, {
          type: 'validate_batch',
          operations: r.operations.map(toOperation),
        });
        return {
          action: 'validationresult',
          // Unknown params (StreamKit ignores them) are warnings: the batch stays valid.
          errors: [
            ...result.problems.map(validationEntry('error')),
            ...result.warnings.map(validationEntry('warning')),
          ],
        };
      }
      case 'applybatch':
        await this.sessions.execute(caller, r.session_id, {
          type: 'apply_batch',
          operations: r.operations.map(toOperation),
        });
        return { action: 'batchapplied', success: true, errors: [] };
      case 'getpermissions':
        return { action: 'permissions', role: caller.role, permissions: { ...caller.permissions } };
    }
  }

  /** `UpdateParams` is a tune (merged into the current params, as REST and GraphQL tune). */
  private async tune(
    caller: Caller,
    sessionId: string,
    nodeId: string,
    message: NodeControlMessage,
  ): Promise<void> {
    if (typeof message === 'object') {
      await this.sessions.execute(caller, sessionId, {
        type: 'tune_node',
        node_id: nodeId,
        params: paramsObject(message.UpdateParams, nodeId),
      });
      return;
    }
    caller.require('tune_nodes');
    const view = await this.sessions.pipeline(caller, sessionId);
    if (!Object.hasOwn(view.nodes, nodeId)) {
      throw new ControlRefusal(`Node '${nodeId}' not found in session '${sessionId}'`);
    }
    // Nodes here start as soon as they are added: `Start` has nothing left to do.
    if (message === 'Start') return;
    throw new ControlRefusal(
      `Node control message 'Shutdown' is not supported: remove node '${nodeId}' to stop it (removenode)`,
    );
  }
}

/** A batch problem in StreamKit's `ValidationError` shape. */
function validationEntry(error_type: 'error' | 'warning') {
  return (p: { message: string; nodeId?: string }) => ({
    error_type,
    message: p.message,
    ...(p.nodeId !== undefined ? { node_id: p.nodeId } : {}),
  });
}
