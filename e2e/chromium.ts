// Debian's Chromium and the flags every spec runs it with; specs that need more (a fake microphone) add to
// these rather than repeat them.
export const CHROMIUM = '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // The Convert player starts while the response streams, outside the click's activation window.
  '--autoplay-policy=no-user-gesture-required',
];

/** Flags that make a WAV file the microphone, granted without a prompt. */
export function fakeMicrophoneArgs(wavPath: string): string[] {
  return [
    '--use-fake-device-for-media-stream',
    '--use-fake-ui-for-media-stream',
    `--use-file-for-fake-audio-capture=${wavPath}`,
  ];
}
