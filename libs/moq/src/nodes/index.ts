// The transport::moq::* node kinds, for the server to register with the engine (the peer needs
// `services.moq`, a MoqServer).
import type { AnyNodeDefinition } from '@streamkit/pipeline/core/node';
import { moqPublisherNode, moqSubscriberNode } from './client-nodes';
import { moqPeerNode } from './peer';

export { MOQ_SERVICE_KEY, moqPeerNode, moqServerFrom, PeerParams } from './peer';
export { moqPublisherNode, moqSubscriberNode, PublisherParams, SubscriberParams } from './client-nodes';
export { opusPacketDurationUs } from '@streamkit/pipeline/codecs/ogg/opus-toc';

export const moqNodeDefinitions: AnyNodeDefinition[] = [moqPeerNode, moqPublisherNode, moqSubscriberNode];
