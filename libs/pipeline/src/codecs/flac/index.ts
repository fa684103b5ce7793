// FLAC decoding for the audio nodes.
export * from './decoder';
