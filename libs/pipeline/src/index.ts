// Public surface of the pipeline engine (framework-free).
export * from './core/packets';
export * from './core/pin-types';
export * from './core/node';
