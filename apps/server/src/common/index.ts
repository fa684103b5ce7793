// Public surface of the cross-cutting server pieces other modules use.
export { TooManyRequestsException } from './errors';
export { LOGGER, NestPinoLogger, createLogger, silentLogger } from './logging';
export { NODE_SERVICES, buildNodeServices, type NodeServicesOptions } from './node-services';
export { ORIGIN_DENIED_MESSAGE, OriginPolicy, WS_ORIGIN_DENIED_MESSAGE } from './origin-policy';
export { PlainTextExceptionFilter, describeError } from './plain-text-exception.filter';
