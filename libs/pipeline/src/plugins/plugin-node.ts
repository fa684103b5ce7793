// Turns a loaded plugin into an engine node kind: pins and params from its metadata, one plugin instance per
// node, every declared input read, outputs sent after each call in the order the plugin emitted them.
import type { TObject } from '../core/typebox';
import type { NodeContext, NodeDefinition, NodeInstance, Receiver, Sender } from '../core/node';
import { whenReadable } from '../core/helpers';
import { EOS } from '../core/packets';
import type { LoadedPluginModule, PluginInstance, PluginOutput } from './types';

type PluginParams = Record<string, unknown>;

class PluginNode implements NodeInstance<PluginParams> {
  private instance: PluginInstance | undefined;
  private readonly out: PluginOutput[] = [];

  constructor(
    private readonly plugin: LoadedPluginModule,
    private params: PluginParams,
    private readonly ctx: NodeContext,
  ) {}

  async run(): Promise<void> {
    const { ctx, plugin } = this;
    const telemetryOn = ctx.mode === 'dynamic';
    const instance = plugin.createInstance(this.params, {
      limits: ctx.limits,
      refused: () => void ctx.stats.errored++,
      log: (level, message) => ctx.log[level](message, { target: 'plugin' }),
      telemetry: (type, data) => {
        if (!telemetryOn) return false;
        ctx.telemetry(type, data);
        return true;
      },
    });
    this.instance = instance;
    try {
      const senders = plugin.metadata.outputs.map((p) => ctx.output(p.name));
      const present = new Set(ctx.inputPins());
      const inputs: { index: number; rx: Receiver }[] = [];
      plugin.metadata.inputs.forEach((p, index) => {
        if (present.has(p.name)) inputs.push({ index, rx: ctx.input(p.name) });
      });
      ctx.setState('Running');
      if (!(await this.pump(inputs, senders))) return;
      this.out.length = 0;
      instance.flush(this.out);
      await this.send(senders);
    } finally {
      this.instance = undefined;
      instance.destroy();
    }
  }

  /** Reads every input until all ended; false when downstream closed. A plugin error fails the node. */
  private async pump(inputs: { index: number; rx: Receiver }[], senders: Sender[]): Promise<boolean> {
    const instance = this.instance as PluginInstance;
    if (inputs.length === 1) {
      const { index, rx } = inputs[0];
      for (;;) {
        let p = rx.tryRecv();
        if (p === undefined) p = await rx.recv();
        if (p === EOS) return true;
        this.out.length = 0;
        instance.process(index, p, this.out);
        if (!(await this.send(senders))) return false;
      }
    }
    // Several inputs: drain whatever is queued on each open pin in turn, then wait until one is readable.
    const open = [...inputs];
    while (open.length > 0) {
      let progressed = false;
      for (let i = open.length - 1; i >= 0; i--) {
        const p = open[i].rx.tryRecv();
        if (p === undefined) continue;
        progressed = true;
        if (p === EOS) {
          open.splice(i, 1);
          continue;
        }
        this.out.length = 0;
        instance.process(open[i].index, p, this.out);
        if (!(await this.send(senders))) return false;
      }
      if (!progressed && open.length > 0) await whenReadable(open.map((i) => i.rx));
    }
    return true;
  }

  private async send(senders: Sender[]): Promise<boolean> {
    for (const { pin, packet } of this.out) {
      const w = senders[pin].send(packet);
      if (w !== undefined && !(await w)) return false;
    }
    return true;
  }

  tune(params: PluginParams): void {
    // Before run() created the instance, the new params simply become the creation params.
    this.params = params;
    try {
      this.instance?.updateParams(params);
    } catch (err) {
      this.ctx.log.warn(`params not applied: ${(err as Error).message}`);
    }
  }
}

/** The node definition registered for a plugin under `kind` (`plugin::<type>::<name>`). */
export function pluginNodeDefinition(kind: string, plugin: LoadedPluginModule): NodeDefinition<PluginParams> {
  const meta = plugin.metadata;
  return {
    kind,
    categories: meta.categories,
    description: meta.description,
    // Plugin schemas are plain JSON Schema; the registry only needs an object schema at runtime.
    params: meta.params as unknown as TObject,
    pins: () => ({
      inputs: meta.inputs.map((p) => ({
        name: p.name,
        accepts_types: p.accepts_types,
        cardinality: 'One' as const,
      })),
      outputs: meta.outputs.map((p) => ({
        name: p.name,
        produces_type: p.produces_type,
        cardinality: 'Broadcast' as const,
      })),
    }),
    create: (params, ctx) => new PluginNode(plugin, params, ctx),
  };
}
