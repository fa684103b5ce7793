// `containers::webm::muxer` output plays in Chromium's Media Source: the page runs a oneshot transcode to WebM
// (live and file modes), appends the streamed response to a SourceBuffer and checks playback advances.
import { expect, test } from './helpers';

const pipeline = (mode: 'live' | 'file') => `mode: oneshot
steps:
  - kind: streamkit::http_input
  - kind: containers::ogg::demuxer
  - kind: audio::opus::decoder
  - kind: audio::opus::encoder
  - kind: containers::webm::muxer
    params: { streaming_mode: ${mode} }
  - kind: streamkit::http_output
`;

for (const mode of ['live', 'file'] as const) {
  test(`WebM (${mode} mode) plays through Media Source`, async ({ page }) => {
    await page.goto('/design');
    const result = await page.evaluate(async (yaml) => {
      const media = await (await fetch('api/v1/assets/audio/speech_en_48k_stereo.opus.ogg')).blob();
      const form = new FormData();
      form.append('config', yaml);
      form.append('media', media, 'speech.ogg');
      const res = await fetch('api/v1/process', { method: 'POST', body: form });
      const type = res.headers.get('content-type') ?? '';
      const source = new MediaSource();
      const audio = document.createElement('audio');
      audio.src = URL.createObjectURL(source);
      document.body.append(audio);
      await new Promise((ok) => source.addEventListener('sourceopen', ok, { once: true }));
      const buffer = source.addSourceBuffer(type);
      const reader = res.body!.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buffer.appendBuffer(value);
        await new Promise((ok) => buffer.addEventListener('updateend', ok, { once: true }));
      }
      source.endOfStream();
      audio.muted = true;
      await audio.play();
      await new Promise((ok) => setTimeout(ok, 1200));
      return { type, currentTime: audio.currentTime, buffered: audio.buffered.end(0), error: audio.error };
    }, pipeline(mode));
    expect(result.type).toBe('audio/webm; codecs="opus"');
    expect(result.error).toBeNull();
    expect(result.buffered).toBeGreaterThan(15);
    expect(result.currentTime).toBeGreaterThan(0.5);
  });
}
