/**
 * The one-line confirmation shown after a redirect ("Saved."), named in the query string as `?done=<name>`. Only the
 * names a page lists are ever shown, so a link cannot make a page say something of its own.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { pageContext } from './context.ts';

export function flashFrom(request: FastifyRequest, reply: FastifyReply, messages: Readonly<Record<string, string>>): string | undefined {
  const done = (request.query as Record<string, unknown> | undefined)?.['done'];
  const key = typeof done === 'string' && Object.hasOwn(messages, done) ? messages[done] : undefined;
  return key ? pageContext(request, reply).t(key) : undefined;
}
