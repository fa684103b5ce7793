// Resources a node holds alone in the whole process (`NodeDefinition.exclusiveClaims`: a MoQ gateway path),
// reserved per session and node on the main thread before a session or an edit reaches a worker. Checking and
// reserving is one synchronous step, so of two concurrent requests for one resource exactly one wins; the
// loser gets a 409 naming the resource and who holds it, instead of a node that fails at run time.
import { ConflictException } from '@nestjs/common';
import type { BatchOperation, NodeRegistry, PipelineSpec } from '@streamkit/pipeline';

/** Who holds a resource. */
export interface ClaimHolder {
  sessionId: string;
  sessionName: string;
  nodeId: string;
}

interface NodeClaim {
  nodeId: string;
  resource: string;
  param: string;
}

/** A reservation made for an edit: keep it when the edit applied, give it back when it failed. */
export interface ClaimReservation {
  commit(): void;
  rollback(): void;
}

type SessionRef = { id: string; name: string };

export class ExclusiveClaims {
  private readonly held = new Map<string, ClaimHolder>();

  constructor(private readonly registry: NodeRegistry) {}

  /** Reserves every claim of a new session's nodes, or throws a 409 and reserves nothing. */
  reserveSession(session: SessionRef, spec: PipelineSpec): ClaimReservation {
    const ops: BatchOperation[] = Object.entries(spec.nodes).map(([nodeId, node]) => ({
      type: 'add_node',
      node_id: nodeId,
      kind: node.kind,
      params: node.params,
    }));
    return this.reserve(session, ops);
  }

  /**
   * Reserves what the `add_node` operations of an edit claim, in order: a resource held by a node that the
   * same edit removed earlier may be taken again. Throws a 409 and reserves nothing when a resource is held
   * by another node. Claims come from `add_node` params only: a claim's param is never tunable.
   */
  reserve(session: SessionRef, operations: readonly BatchOperation[]): ClaimReservation {
    const removed = new Set<string>();
    const taken = new Map<string, ClaimHolder>();
    for (const op of operations) {
      if (op.type === 'remove_node') removed.add(op.node_id);
      if (op.type !== 'add_node') continue;
      for (const claim of this.claimsOf(op.node_id, op.kind, op.params)) {
        const pending = taken.get(claim.resource);
        const holder = pending ?? this.held.get(claim.resource);
        const freed = !pending && holder?.sessionId === session.id && removed.has(holder.nodeId);
        if (holder && !freed) throw conflict(claim, holder, session.id);
        taken.set(claim.resource, { sessionId: session.id, sessionName: session.name, nodeId: op.node_id });
      }
    }
    const previous = new Map([...taken.keys()].map((r) => [r, this.held.get(r)]));
    for (const [resource, holder] of taken) this.held.set(resource, holder);
    return {
      commit: () => {
        for (const [resource, holder] of this.held) {
          const gone = holder.sessionId === session.id && removed.has(holder.nodeId);
          if (gone && !taken.has(resource)) this.held.delete(resource);
        }
      },
      rollback: () => {
        for (const [resource, before] of previous) {
          if (this.held.get(resource) !== taken.get(resource)) continue;
          if (before) this.held.set(resource, before);
          else this.held.delete(resource);
        }
      },
    };
  }

  /** Gives back everything a session holds (it was destroyed, or never started). */
  release(sessionId: string): void {
    for (const [resource, holder] of this.held)
      if (holder.sessionId === sessionId) this.held.delete(resource);
  }

  /** The holder of a resource, if any (for tests and diagnostics). */
  holderOf(resource: string): ClaimHolder | undefined {
    return this.held.get(resource);
  }

  /** A node's claims; none when its kind declares none or its params are invalid (the engine refuses those). */
  private claimsOf(nodeId: string, kind: string, params: unknown): NodeClaim[] {
    const def = this.registry.get(kind);
    if (!def?.exclusiveClaims) return [];
    const checked = this.registry.checkParams(kind, params);
    if (checked.problems.length > 0) return [];
    return def.exclusiveClaims(checked.params).map((c) => ({ nodeId, ...c }));
  }
}

function conflict(claim: NodeClaim, holder: ClaimHolder, sessionId: string): ConflictException {
  const param = claim.param.replace(/^\//, '').split('/').join('.');
  const by =
    holder.sessionId === sessionId
      ? `node '${holder.nodeId}' of this same session`
      : `session '${holder.sessionName}' (id ${holder.sessionId}), node '${holder.nodeId}'`;
  return new ConflictException(
    `Node '${claim.nodeId}': ${claim.resource} is already in use by ${by}. ` +
      `Pick another ${param} for node '${claim.nodeId}'` +
      (holder.sessionId === sessionId ? '.' : `, or destroy session '${holder.sessionName}' first.`),
  );
}
