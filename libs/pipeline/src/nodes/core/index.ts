// The engine's own node kinds (core::*, transport::http::fetcher and the synthetic oneshot I/O kinds).
import type { AnyNodeDefinition } from '../../core/node';
import { fileReaderNode, fileWriterNode } from './file-io';
import { httpFetcherNode } from './http-fetcher';
import { httpInputNode, httpOutputNode } from './http-io';
import { jsonSerializeNode } from './json-serialize';
import { pacerNode } from './pacer';
import { passthroughNode, sinkNode } from './passthrough';
import { telemetryOutNode, telemetryTapNode } from './telemetry-nodes';
import { textChunkerNode } from './text-chunker';

export { fileReaderNode, fileWriterNode } from './file-io';
export { httpFetcherNode } from './http-fetcher';
export { httpInputNode, httpOutputNode, HTTP_INPUT_KIND, HTTP_OUTPUT_KIND } from './http-io';
export { jsonSerializeNode, packetToTaggedJson } from './json-serialize';
export { pacerNode, packetDurationUs } from './pacer';
export { passthroughNode, sinkNode } from './passthrough';
export { telemetryOutNode, telemetryTapNode } from './telemetry-nodes';
export { textChunkerNode, extractChunks } from './text-chunker';

export const coreNodeDefinitions: AnyNodeDefinition[] = [
  passthroughNode,
  sinkNode,
  fileReaderNode,
  fileWriterNode,
  jsonSerializeNode,
  textChunkerNode,
  pacerNode,
  telemetryTapNode,
  telemetryOutNode,
  httpFetcherNode,
  httpInputNode,
  httpOutputNode,
];
