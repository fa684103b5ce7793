// GraphQL fan-out that executes and serializes each session event once per subscription document, however
// many subscribers share it. graphql-js executes a subscription's document once per subscriber and event, and
// mercurius JSON-encodes each result per subscriber; for 100 subscribers of one session that was 100
// executions and 100 encodings of the same data. Event values the hub marks as shared (`markShared`) are
// executed once per (document, variables) and the result encoded once; each subscriber's message is that text
// with its own subscription id. Only marked values take this path: their types resolve from the value alone
// (no resolver reads the caller), so one result is right for every subscriber of the same document.
import { print, type DocumentNode, type ExecutionArgs, type ExecutionResult } from 'graphql';

const shared = new WeakSet<object>();
const results = new WeakMap<object, Map<string, ExecutionResult>>();
const sharedResults = new WeakSet<object>();
const encoded = new WeakMap<object, string>();
const documentKeys = new WeakMap<DocumentNode, string>();
let installed = false;

/** Marks an event value as identical for every subscriber (see the file comment); returns it. */
export function markShared<T extends object>(value: T): T {
  shared.add(value);
  return value;
}

function keyOf(args: ExecutionArgs): string {
  let doc = documentKeys.get(args.document);
  if (doc === undefined) {
    doc = print(args.document);
    documentKeys.set(args.document, doc);
  }
  return `${doc}\u0000${args.operationName ?? ''}\u0000${JSON.stringify(args.variableValues ?? null)}`;
}

/** The JSON text of a shared result, encoded on first use. */
function encodedOf(result: object): string | undefined {
  if (!sharedResults.has(result)) return undefined;
  let json = encoded.get(result);
  if (json === undefined) {
    json = JSON.stringify(result);
    encoded.set(result, json);
  }
  return json;
}

interface Connection {
  socket: { send(data: string, cb: (err?: Error) => void): void };
  handleConnectionClose(): void;
  sendMessage(type: string, id: string | undefined, payload: unknown): Promise<void>;
}

/** Installs the shared path into graphql-js's `execute` and mercurius' subscription sender (idempotent). */
export function installSharedExecution(): void {
  if (installed) return;
  installed = true;
  // The module objects graphql-js's subscribe and mercurius call through at run time.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const execution = require('graphql/execution/execute.js') as {
    execute(args: ExecutionArgs): ExecutionResult | Promise<ExecutionResult>;
  };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const SubscriptionConnection = require('mercurius/lib/subscription-connection.js') as {
    prototype: Connection;
  };
  const execute = execution.execute;
  execution.execute = (args: ExecutionArgs) => {
    const root = args.rootValue;
    if (typeof root !== 'object' || root === null || !shared.has(root)) return execute(args);
    let byDocument = results.get(root);
    if (!byDocument) results.set(root, (byDocument = new Map()));
    const key = keyOf(args);
    const cached = byDocument.get(key);
    if (cached) return cached;
    const result = execute(args);
    if (result instanceof Promise || (result.errors?.length ?? 0) > 0) return result;
    sharedResults.add(result);
    byDocument.set(key, result);
    return result;
  };
  const sendMessage = SubscriptionConnection.prototype.sendMessage;
  SubscriptionConnection.prototype.sendMessage = async function (
    this: Connection,
    type: string,
    id: string | undefined,
    payload: unknown,
  ): Promise<void> {
    const json =
      typeof id === 'string' && typeof payload === 'object' && payload !== null
        ? encodedOf(payload)
        : undefined;
    if (json === undefined) return sendMessage.call(this, type, id, payload);
    // Exactly what mercurius sends (`JSON.stringify({ type, id, payload })`), with the payload encoded once.
    const message = `{"type":${JSON.stringify(type)},"id":${JSON.stringify(id)},"payload":${json}}`;
    try {
      await new Promise<void>((resolve, reject) => {
        this.socket.send(message, (err) => (err ? reject(err) : resolve()));
      });
    } catch {
      this.handleConnectionClose();
    }
  };
}
