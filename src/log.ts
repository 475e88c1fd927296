/**
 * Logging with an allowlist: only the fields named here ever reach the log, whatever a caller passes.
 * Logs must never carry IP addresses, email addresses, names, bodies, query strings, tokens or codenames,
 * because a seized server's logs are the first thing read.
 */
import pino, { type Logger } from 'pino';
import type { LogLevel } from './config.ts';

const ALLOWED_FIELDS = new Set([
  'level',
  'time',
  'msg',
  'reqId',
  'method',
  'route',
  'status',
  'ms',
  'err',
  'event',
  'count',
  'dialect',
  'migration',
  'job',
  'port',
  'role',
  'version',
  'durationMs',
]);

export type { Logger };

export function createLogger(options: { level: LogLevel; destination?: pino.DestinationStream }): Logger {
  return pino(
    {
      level: options.level,
      base: undefined,
      messageKey: 'msg',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        log: keepAllowedFields,
      },
      serializers: { err: serializeError },
    },
    options.destination,
  );
}

function keepAllowedFields(object: Record<string, unknown>): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(object)) {
    if (ALLOWED_FIELDS.has(key)) kept[key] = value;
  }
  return kept;
}

/** Errors keep their type, code and call stack; their message is scrubbed of anything that looks like data. */
export function serializeError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { type: typeof error };
  // The stack begins with "Name: message", and a message can span lines that look like frames ("\n    at <data>"):
  // only what follows the message is read for frames.
  const stack = error.stack ?? '';
  const header = String(error);
  const afterMessage = stack.startsWith(header) ? stack.slice(header.length) : stack.split('\n').slice(header.split('\n').length).join('\n');
  const frames = afterMessage
    .split('\n')
    .filter((line) => line.trimStart().startsWith('at '))
    .slice(0, 12);
  return {
    type: error.name,
    code: (error as { code?: unknown }).code,
    message: scrubMessage(error.message),
    stack: frames.map((f) => f.trim()).join('\n'),
  };
}

/** Removes quoted fragments, email addresses, IP addresses, URLs and long tokens from a message. */
export function scrubMessage(message: string): string {
  return message
    .slice(0, 500)
    .replace(/"[^"]*"|'[^']*'|`[^`]*`|«[^»]*»/g, '"…"')
    .replace(/\([^()]*=[^()]*\)/g, '(…)')
    .replace(/[^\s@]+@[^\s@]+/g, '[email]')
    .replace(/\b[a-z][a-z0-9+.-]*:\/\/\S+/gi, '[url]')
    .replace(/\b\d{1,3}(\.\d{1,3}){3}\b/g, '[ip]')
    .replace(/\b[0-9a-f]{0,4}(:[0-9a-f]{0,4}){2,7}\b/gi, '[ip]')
    .replace(/[A-Za-z0-9_\-+/=]{24,}/g, '[token]');
}
