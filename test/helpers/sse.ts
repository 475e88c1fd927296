/**
 * A Server-Sent Events client for tests: a real HTTP connection (inject cannot stream), frames parsed as a browser
 * would, each event kept with the time it arrived.
 */
import http from 'node:http';
import https from 'node:https';

export interface SseEvent {
  event: string;
  data: string;
  at: number;
}

export interface SseStream {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly events: SseEvent[];
  /** Comment lines (": ping"), without the colon. */
  readonly comments: string[];
  readonly retry: number | undefined;
  readonly ended: boolean;
  /** The body of a refusal (a status other than 200). */
  readonly body: string;
  /** Resolves with the first event, at or after index `from`, that `match` accepts. */
  waitFor(match: (event: SseEvent) => boolean, options?: { from?: number; timeoutMs?: number }): Promise<SseEvent>;
  /** Resolves when the server ends the stream. */
  waitForEnd(timeoutMs?: number): Promise<void>;
  close(): void;
}

/** `ca`: for an https address, the certificate to trust (a proxy's self-signed one). */
export function openSse(url: string, options: { headers?: Record<string, string>; localAddress?: string; ca?: string } = {}): Promise<SseStream> {
  return new Promise((resolve, reject) => {
    const request = (url.startsWith('https:') ? https : http).get(
      url,
      {
        headers: { accept: 'text/event-stream', ...options.headers },
        ...(options.localAddress ? { localAddress: options.localAddress } : {}),
        ...(options.ca ? { ca: options.ca } : {}),
      },
      (response) => {
        const events: SseEvent[] = [];
        const comments: string[] = [];
        const waiters = new Set<() => void>();
        let retry: number | undefined;
        let ended = false;
        let body = '';
        let buffer = '';
        let event = '';
        let data: string[] = [];
        const wake = () => {
          for (const waiter of [...waiters]) waiter();
        };
        /** Re-checks `outcome` whenever the stream moves, until it settles (a value or an error) or the time is up. */
        const waitUntil = <T>(outcome: () => { value: T } | Error | undefined, timeoutMs: number, timedOut: () => string): Promise<T> =>
          new Promise((done, fail) => {
            const check = () => {
              const result = outcome();
              if (!result) return;
              cleanup();
              if (result instanceof Error) fail(result);
              else done(result.value);
            };
            const timer = setTimeout(() => {
              cleanup();
              fail(new Error(timedOut()));
            }, timeoutMs);
            const cleanup = () => {
              clearTimeout(timer);
              waiters.delete(check);
            };
            waiters.add(check);
            check();
          });
        const line = (text: string) => {
          if (text === '') {
            if (data.length > 0) events.push({ event: event || 'message', data: data.join('\n'), at: Date.now() });
            event = '';
            data = [];
            return;
          }
          if (text.startsWith(':')) {
            comments.push(text.slice(1).trim());
            return;
          }
          const colon = text.indexOf(':');
          const field = colon < 0 ? text : text.slice(0, colon);
          const value = colon < 0 ? '' : text.slice(colon + 1).replace(/^ /, '');
          if (field === 'event') event = value;
          else if (field === 'data') data.push(value);
          else if (field === 'retry' && /^\d+$/.test(value)) retry = Number(value);
        };
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          if (response.statusCode !== 200) {
            body += chunk;
            return;
          }
          buffer += chunk;
          let at: number;
          while ((at = buffer.search(/\r\n|\r|\n/)) >= 0) {
            const newline = buffer.startsWith('\r\n', at) ? 2 : 1;
            line(buffer.slice(0, at));
            buffer = buffer.slice(at + newline);
          }
          wake();
        });
        const finish = () => {
          ended = true;
          wake();
        };
        response.on('end', finish);
        response.on('close', finish);
        response.on('error', finish);

        const stream: SseStream = {
          status: response.statusCode ?? 0,
          headers: response.headers,
          events,
          comments,
          get retry() {
            return retry;
          },
          get ended() {
            return ended;
          },
          get body() {
            return body;
          },
          waitFor(match, { from = 0, timeoutMs = 5000 } = {}) {
            return waitUntil(
              () => {
                const found = events.slice(from).find(match);
                if (found) return { value: found };
                return ended ? new Error(`the stream ended before the event came (${events.length} events)`) : undefined;
              },
              timeoutMs,
              () => `no matching event within ${timeoutMs} ms; got ${JSON.stringify(events.map((e) => e.data))}`,
            );
          },
          waitForEnd(timeoutMs = 5000) {
            return waitUntil(
              () => (ended ? { value: undefined } : undefined),
              timeoutMs,
              () => `the stream did not end within ${timeoutMs} ms`,
            );
          },
          close() {
            request.destroy();
          },
        };
        resolve(stream);
      },
    );
    request.on('error', reject);
  });
}

/** The `data` of a `count` event, parsed. */
export interface CountEventData {
  slug: string;
  petitionId: number | null;
  signatures: number;
  goal: number;
  updatedAt: string;
}

export function countsOf(stream: SseStream, from = 0): CountEventData[] {
  return stream.events
    .slice(from)
    .filter((e) => e.event === 'count')
    .map((e) => JSON.parse(e.data) as CountEventData);
}
