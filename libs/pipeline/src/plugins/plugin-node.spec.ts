// The plugin node adapter with an in-memory plugin: several inputs read to the end, outputs per pin in
// emission order, flush at end of input, destroy always, a process error fails the node, tune reaches the plugin.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Packet } from '../core/packets';
import { collectNodeOutputs } from '../testing';
import { pluginNodeDefinition } from './plugin-node';
import type { LoadedPluginModule, PluginInstance, PluginOutput } from './types';

function textPlugin(events: string[]): LoadedPluginModule {
  return {
    type: 'wasm',
    metadata: {
      kind: 'tagger',
      description: 'tags text by input pin',
      categories: ['test'],
      params: { type: 'object', properties: { prefix: { type: 'string', default: '', tunable: true } } },
      inputs: [
        { name: 'a', accepts_types: ['Text'] },
        { name: 'b', accepts_types: ['Text'] },
      ],
      outputs: [
        { name: 'out', produces_type: 'Text' },
        { name: 'count', produces_type: 'Text' },
      ],
    },
    createInstance(params): PluginInstance {
      let prefix = String(params.prefix);
      let seen = 0;
      events.push('create');
      return {
        process(pin: number, packet: Packet, out: PluginOutput[]) {
          if (packet.kind !== 'text') throw new Error('text only');
          if (packet.text === 'boom') throw new Error('plugin process failed: boom');
          seen++;
          out.push({
            pin: 0,
            packet: { kind: 'text', text: `${prefix}${pin === 0 ? 'a' : 'b'}:${packet.text}` },
          });
        },
        updateParams(next) {
          prefix = String(next.prefix);
        },
        flush(out: PluginOutput[]) {
          out.push({ pin: 1, packet: { kind: 'text', text: `seen ${seen}` } });
        },
        destroy() {
          events.push('destroy');
        },
      };
    },
  };
}

const text = (t: string): Packet => ({ kind: 'text', text: t });

test('reads every input to its end, emits per pin, flushes and destroys', async () => {
  const events: string[] = [];
  const def = pluginNodeDefinition('plugin::wasm::tagger', textPlugin(events));
  assert.deepEqual(
    def.pins({}).inputs.map((p) => `${p.name}:${JSON.stringify(p.cardinality)}`),
    ['a:"One"', 'b:"One"'],
  );
  const res = await collectNodeOutputs(
    def,
    { prefix: '>' },
    { a: [text('1'), text('2')], b: [text('x'), text('y'), text('z')] },
  );
  const out = res.outputs.out.map((p) => (p.kind === 'text' ? p.text : ''));
  assert.deepEqual(
    out.filter((t) => t.startsWith('>a:')),
    ['>a:1', '>a:2'],
  );
  assert.deepEqual(
    out.filter((t) => t.startsWith('>b:')),
    ['>b:x', '>b:y', '>b:z'],
  );
  assert.deepEqual(
    res.outputs.count.map((p) => (p.kind === 'text' ? p.text : '')),
    ['seen 5'],
  );
  assert.deepEqual(events, ['create', 'destroy']);
  assert.deepEqual(res.states.at(-1), { Stopped: { reason: 'input_closed' } });
});

test('a process error fails the node with the plugin message; the instance is still destroyed', async () => {
  const events: string[] = [];
  const def = pluginNodeDefinition('plugin::wasm::tagger', textPlugin(events));
  const res = await collectNodeOutputs(def, {}, { a: [text('ok'), text('boom'), text('never')], b: [] });
  assert.deepEqual(res.states.at(-1), { Failed: { reason: 'plugin process failed: boom' } });
  assert.deepEqual(events, ['create', 'destroy']);
});

test('tune passes the merged params to the plugin', async () => {
  const def = pluginNodeDefinition('plugin::wasm::tagger', textPlugin([]));
  const res = await collectNodeOutputs(
    def,
    { prefix: 'old ' },
    { a: [text('1')], b: [] },
    {
      onStart: ({ instance }) => instance.tune?.({ prefix: 'new ' }, { prefix: 'new ' }),
    },
  );
  assert.deepEqual(
    res.outputs.out.map((p) => (p.kind === 'text' ? p.text : '')),
    ['new a:1'],
  );
});
