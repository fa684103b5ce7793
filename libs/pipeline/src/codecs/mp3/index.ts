// MP3 decoding for the audio nodes.
export * from './decoder';
export * from './frame-header';
