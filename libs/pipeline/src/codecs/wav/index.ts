// WAV (RIFF/RF64 WAVE) streaming reader and writer.
export * from './reader';
export * from './writer';
