// Opus encoding and decoding (libopus through @evan/opus) for the audio nodes.
export * from './opus-native';
export * from './encoder';
export * from './decoder';
