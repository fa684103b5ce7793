// DSP kernels shared by the audio nodes: sample conversion, gain, mixing, meters and re-chunking.
export * from './pcm';
export * from './gain';
export * from './mix';
export * from './meter';
export * from './rechunker';
export * from './pcm-chunk';
export * from './planar-framer';
