const t = require('./dist/libs/pipeline/src/testing/index.js');
const p = require('./dist/libs/pipeline/src/index.js');
const ref = require('./dist/libs/pipeline/src/codecs/dsp/reference-tools.js');
const fs = require('fs');
const yaml = fs.readFileSync('samples/pipelines/oneshot/mixing.yml', 'utf8').replaceAll('speed: 1.0', 'speed: 200.0');
process.on('beforeExit', () => { console.log('beforeExit: hang', globalThis.__turn()); });
t.runOneshotGraph(p.createDefaultRegistry(), yaml, { input: fs.readFileSync(ref.fixturePath('speech_en_48k_stereo.opus.ogg')), services: t.permissiveServices(ref.repoRoot()) }).then((r) => console.log('done', r.output.length), (e) => console.log('err', e.message));
