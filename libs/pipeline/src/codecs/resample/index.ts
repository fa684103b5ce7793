// Sample-rate conversion for the audio nodes.
export * from './resampler';
