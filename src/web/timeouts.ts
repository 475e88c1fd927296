/**
 * How long a client may take. Node's HTTP server enforces three limits for us: the request line and headers within
 * `headersMs` (slow-loris), the whole request with its body within `requestMs`, and `idleMs` without a byte moving.
 * Two kinds of request are meant to outlast them: a live stream (hours, quiet between counts) and an intake upload
 * (a person on Tor may take many minutes over 100 MiB, and waits, paused, for a free slot). Their routes call
 * `exemptFromTimeouts` once their headers are in.
 */
import { STATUS_CODES } from 'node:http';
import { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import type { ServerTimeouts } from '../config.ts';

/** Sockets carrying an exempt request, until its response is done. */
const exempt = new WeakSet<Socket>();

/** The Fastify options that set the limits, and the handler that lets exempt requests through Node's checks. */
export function timeoutOptions(timeouts: ServerTimeouts): Pick<
  FastifyServerOptions,
  'connectionTimeout' | 'keepAliveTimeout' | 'requestTimeout' | 'clientErrorHandler'
> & {
  http: { headersTimeout: number; requestTimeout: number; connectionsCheckingInterval: number };
} {
  return {
    connectionTimeout: timeouts.idleMs,
    keepAliveTimeout: timeouts.keepAliveMs,
    requestTimeout: timeouts.requestMs,
    http: {
      headersTimeout: timeouts.headersMs,
      requestTimeout: timeouts.requestMs,
      // Node looks for late requests every 30 s by default; once a second a slow sender is gone soon after its limit.
      connectionsCheckingInterval: Math.min(1000, timeouts.headersMs / 4),
    },
    clientErrorHandler: answerClientError,
  };
}

/**
 * Lifts the idle and whole-request limits for this request (its headers arrived in time). Later requests on the same
 * connection are limited again.
 */
export function exemptFromTimeouts(request: FastifyRequest, reply: FastifyReply): void {
  const socket = request.raw.socket;
  // Only a real connection has limits to lift (app.inject's stand-in has none).
  if (!(socket instanceof Socket)) return;
  socket.setTimeout(0);
  exempt.add(socket);
  reply.raw.once('close', () => exempt.delete(socket));
}

/**
 * Node reports a request past its time (and a malformed one) here rather than closing it itself. An exempt request
 * is let be; anything else gets a bare status line, on a connection that has sent nothing yet (mid-response it would
 * garble what the client reads), and is closed.
 */
function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT' && exempt.has(socket)) return;
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const status = error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
  if (socket.writable && socket.bytesWritten === 0) {
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
  }
  socket.destroy(error);
}
