const p = require('./dist/libs/pipeline/src/index.js');
const t = require('./dist/libs/pipeline/src/testing/index.js');
const ref = require('./dist/libs/pipeline/src/codecs/dsp/reference-tools.js');
const fs = require('fs');
const yaml = fs.readFileSync('samples/pipelines/oneshot/mixing.yml', 'utf8').replaceAll('speed: 1.0', 'speed: 200.0');
const states = {};
let run;
process.on('beforeExit', () => { console.log('hang', JSON.stringify(states)); console.log(JSON.stringify(run && run.stats())); process.exit(1); });
(async () => {
  run = await p.runOneshot(yaml, { registry: p.createDefaultRegistry(), input: fs.readFileSync(ref.fixturePath('speech_en_48k_stereo.opus.ogg')), services: t.permissiveServices(ref.repoRoot()), onState: (id, s) => states[id] = s });
  let n = 0; for await (const c of run.output) n += c.length;
  await run.done; console.log('done', n);
})().catch((e) => console.log('err', e.message));
