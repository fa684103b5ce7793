// Paths and pipelines several server specs share.
import { createServer } from 'node:net';
import { join } from 'node:path';

/** The repository root (specs run from dist/apps/server/src/...). */
export const REPO = join(__dirname, '../../../../..');
export const SPEECH = join(REPO, 'samples/audio/system/speech_en_48k_stereo.opus.ogg');
export const MUSIC = join(REPO, 'samples/audio/system/music_60s_stereo.opus.ogg');

/** A oneshot run paced in real time: lasts as long as its upload (16 s of SPEECH) unless it is stopped. */
export const PACED_ONESHOT = [
  'mode: oneshot',
  'steps:',
  '  - kind: streamkit::http_input',
  '  - kind: containers::ogg::demuxer',
  '  - kind: core::pacer',
  '  - kind: containers::ogg::muxer',
  '  - kind: streamkit::http_output',
].join('\n');

/** A TCP port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => ok(port));
    });
  });
}
