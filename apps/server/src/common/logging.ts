// Process logging with pino: console and optional file, each as text (pino-pretty) or JSON, plus an
// adapter so Nest's own `Logger` (usable by every module) writes through the same pino instance.
import type { LoggerService } from '@nestjs/common';
import pino, { type Logger, type StreamEntry } from 'pino';
import pretty from 'pino-pretty';
import type { Config } from '../config';

/** The pino logger: `@Inject(LOGGER) log: Logger` (or use Nest's `new Logger(context)`, which ends up here). */
export const LOGGER = Symbol('LOGGER');

type LogConfig = Config['log'];

function textStream(destination: number | string, colorize: boolean) {
  return pretty({
    colorize,
    destination,
    sync: true,
    mkdir: typeof destination === 'string',
    append: true,
    translateTime: 'SYS:yyyy-mm-dd HH:MM:ss.l',
    // Request lines carry these as fields for JSON; in text the message already says them.
    ignore: 'pid,hostname,method,path,status,duration_ms,role',
    singleLine: true,
  });
}

/** Builds the process logger from `[log]`. Both outputs disabled falls back to console at info. */
export function createLogger(log: LogConfig): Logger {
  const streams: StreamEntry[] = [];
  if (log.console_enable) {
    streams.push({
      level: log.console_level,
      stream:
        log.console_format === 'json'
          ? pino.destination({ dest: 1, sync: true })
          : textStream(1, process.stdout.isTTY === true),
    });
  }
  if (log.file_enable) {
    streams.push({
      level: log.file_level,
      stream:
        log.file_format === 'json'
          ? pino.destination({ dest: log.file_path, mkdir: true, append: true, sync: true })
          : textStream(log.file_path, false),
    });
  }
  if (streams.length === 0) {
    const logger = pino({ level: 'info' }, textStream(1, process.stdout.isTTY === true));
    logger.warn('Both log.console_enable and log.file_enable are false; logging to the console at info');
    return logger;
  }
  const order = ['trace', 'debug', 'info', 'warn', 'error'];
  const lowest = streams.map((s) => String(s.level)).sort((a, b) => order.indexOf(a) - order.indexOf(b))[0];
  return pino({ level: lowest, base: undefined }, pino.multistream(streams));
}

/** A logger that writes nothing (tests). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/** Nest's framework chatter (module init, route mapping) is debug detail; everything else keeps its level. */
const CHATTY_CONTEXTS = new Set([
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestFactory',
  'NestApplication',
]);

export class NestPinoLogger implements LoggerService {
  constructor(private readonly pino: Logger) {}

  private write(
    level: 'debug' | 'info' | 'warn' | 'error' | 'trace',
    message: unknown,
    params: unknown[],
  ): void {
    const context =
      typeof params[params.length - 1] === 'string' ? (params[params.length - 1] as string) : undefined;
    const effective = level === 'info' && context && CHATTY_CONTEXTS.has(context) ? 'debug' : level;
    const text =
      message instanceof Error
        ? message.message
        : typeof message === 'string'
          ? message
          : JSON.stringify(message);
    const fields: Record<string, unknown> = context ? { context } : {};
    if (level === 'error' && typeof params[0] === 'string' && params.length > 1) fields.stack = params[0];
    if (message instanceof Error) fields.err = message;
    this.pino[effective](fields, text);
  }

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
}
