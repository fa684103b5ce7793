// Public surface of the MoQ relay and WebTransport glue (framework-free).
export {};
