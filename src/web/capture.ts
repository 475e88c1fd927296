/**
 * Fetching a URL on an organiser's behalf and keeping what came back as evidence: every hop's request and
 * response, byte for byte as exchanged, in a WARC/1.1 file.
 *
 * The server fetches from inside the operator's network, so each hop's host is resolved first and refused if any
 * of its addresses is not public (web/address-ranges.ts) unless the operator allowed it; the connection then goes to
 * exactly those checked addresses, so a DNS answer that changes in between cannot redirect it. Time, size and
 * redirects are bounded for the capture as a whole.
 *
 * Each response is recorded from the socket, so the WARC keeps it as transferred (chunk framing included, as the
 * WARC spec asks); `body` is its payload with the transfer coding removed and any content coding left as received.
 * The request asks for `Accept-Encoding: identity`, so that is usually the plain document.
 */
import { createHash } from 'node:crypto';
import { lookup as lookupAddresses } from 'node:dns/promises';
import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { isInList, parseAddressList, specialRangeOf } from './address-ranges.ts';
import { newWarcRecordId, serialiseWarcRecord, warcFields } from './warc.ts';

export interface CaptureLimits {
  /** The most bytes received over the whole capture (every hop's response as transferred); past it the capture is refused. */
  maxBytes: number;
  /** The whole capture, every lookup and redirect included. */
  timeoutMs: number;
  /** Redirects followed before refusing (5: six requests at most). */
  maxRedirects: number;
  /** Addresses or CIDR ranges allowed although not public (tests: ['127.0.0.1']); empty in production. */
  allowPrivate: readonly string[];
  userAgent: string;
}

export interface ResolvedAddress {
  address: string;
  family: number;
}

export interface CaptureOptions {
  now: () => Date;
  /** Every address a host name has; the system resolver (dns.lookup) unless a test brings its own. */
  lookup?: (hostname: string) => Promise<readonly ResolvedAddress[]>;
  /** Stops the capture early (refused as 'cancelled'). */
  signal?: AbortSignal;
  /** Certificate authorities trusted instead of Node's bundled ones (tests; an operator's own CA). */
  ca?: string | Buffer | (string | Buffer)[];
}

export interface CaptureRedirect {
  url: string;
  status: number;
  /** The Location header resolved against `url`: the next hop's URL. */
  location: string;
}

export interface Capture {
  requestedUrl: string;
  finalUrl: string;
  status: number;
  redirects: CaptureRedirect[];
  /** The final response's header fields in the order and case received. */
  responseHeaders: [string, string][];
  contentType: string | undefined;
  /** The final response's payload: transfer coding (chunked) removed, content coding (gzip…) left as received. */
  body: Buffer;
  /** The address the final response came from. */
  ipAddress: string;
  /** When the capture started, by the injected clock. */
  fetchedAt: Date;
  /** Uncompressed WARC/1.1: a warcinfo record, then a request and a response record for every hop. */
  warc: Buffer;
  warcSha256: string;
  payloadSha256: string;
}

export type CaptureRefusalReason =
  | 'invalid-url'
  | 'not-http'
  | 'private-address'
  | 'unreachable'
  | 'bad-certificate'
  | 'bad-response'
  | 'too-large'
  | 'timeout'
  | 'too-many-redirects'
  | 'cancelled';

export class CaptureRefused extends Error {
  override readonly name = 'CaptureRefused';

  constructor(
    readonly reason: CaptureRefusalReason,
    message: string,
    /** The URL being fetched when the capture was refused (a redirect's target, perhaps). */
    readonly url?: string,
  ) {
    super(message);
  }
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
const WARC_SPEC = 'https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/';

export async function captureUrl(url: string, limits: CaptureLimits, options: CaptureOptions): Promise<Capture> {
  assertLimits(limits);
  const allowed = parseAddressList(limits.allowPrivate);
  const requested = parseTarget(url);
  const fetchedAt = options.now();
  const { signal, dispose } = captureSignal(limits.timeoutMs, options.signal);
  try {
    const hops: Exchange[] = [];
    let target = requested;
    let budget = limits.maxBytes;
    for (;;) {
      const addresses = await untilAborted(resolvePermitted(target, allowed, options.lookup ?? lookupAll), signal);
      const hop = await exchange(target, addresses, { budget, signal, userAgent: limits.userAgent, ca: options.ca, date: options.now() });
      hops.push(hop);
      budget -= hop.received;
      if (hop.location === undefined) break;
      const next = parseTarget(hop.location, target);
      if (hops.length > limits.maxRedirects) throw new CaptureRefused('too-many-redirects', `More than ${limits.maxRedirects} redirects`, next.href);
      target = next;
    }
    return assembleCapture(requested, fetchedAt, hops, limits.userAgent);
  } finally {
    dispose();
  }
}

function assertLimits(limits: CaptureLimits): void {
  // setTimeout turns a delay past 2^31 - 1 ms into 1 ms.
  const isWhole = (value: number, min: number, max: number) => Number.isInteger(value) && value >= min && value <= max;
  if (!isWhole(limits.maxBytes, 1, Number.MAX_SAFE_INTEGER)) throw new TypeError('maxBytes must be a whole number above 0');
  if (!isWhole(limits.timeoutMs, 1, 2 ** 31 - 1)) throw new TypeError('timeoutMs must be a whole number from 1 to 2147483647');
  if (!isWhole(limits.maxRedirects, 0, 100)) throw new TypeError('maxRedirects must be a whole number from 0 to 100');
  if (!/^[\x20-\x7e]+$/.test(limits.userAgent)) throw new TypeError('The user agent must be printable ASCII');
}

/** One request and its response, as exchanged. */
interface Exchange {
  url: URL;
  date: Date;
  ipAddress: string;
  request: Buffer;
  /** Status line, header fields and body exactly as received. */
  response: Buffer;
  /** Bytes read from the connection (the response, and anything a server sent after it). */
  received: number;
  status: number;
  headers: [string, string][];
  contentType: string | undefined;
  body: Buffer;
  /** The next hop's URL text (unresolved) when this is a redirect. */
  location: string | undefined;
}

interface ExchangeContext {
  budget: number;
  signal: AbortSignal;
  userAgent: string;
  ca: CaptureOptions['ca'];
  date: Date;
}

function parseTarget(text: string, base?: URL): URL {
  let url: URL;
  try {
    url = new URL(text, base);
  } catch {
    throw new CaptureRefused('invalid-url', 'Not a valid URL', text);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new CaptureRefused('not-http', `Only http and https URLs (not ${url.protocol})`, url.href);
  if (url.username !== '' || url.password !== '') throw new CaptureRefused('invalid-url', 'A URL with a user name or password', url.href);
  return url;
}

/** The host's addresses, every one of them public or allowed; a name with one bad address is refused whole. */
async function resolvePermitted(url: URL, allowed: ReturnType<typeof parseAddressList>, lookup: NonNullable<CaptureOptions['lookup']>) {
  const host = hostOf(url);
  const family = isIP(host);
  let addresses: readonly ResolvedAddress[];
  if (family !== 0) {
    addresses = [{ address: host, family }];
  } else {
    try {
      addresses = await lookup(host);
    } catch (error) {
      throw new CaptureRefused('unreachable', `${host} could not be resolved (${errorCode(error)})`, url.href);
    }
  }
  if (addresses.length === 0) throw new CaptureRefused('unreachable', `${host} has no address`, url.href);
  for (const { address } of addresses) {
    const range = specialRangeOf(address);
    if (range !== undefined && !isInList(allowed, address)) {
      throw new CaptureRefused('private-address', `${host} is at ${address}, which is not a public address (${range})`, url.href);
    }
  }
  return addresses;
}

async function lookupAll(hostname: string): Promise<readonly ResolvedAddress[]> {
  return lookupAddresses(hostname, { all: true, verbatim: true });
}

function hostOf(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}

/** Hands the connection only the addresses already checked, so it never asks DNS again. */
function pinnedLookup(addresses: readonly ResolvedAddress[]): LookupFunction {
  return (_hostname, options, callback) => {
    const wanted = options.family === 4 || options.family === 'IPv4' ? 4 : options.family === 6 || options.family === 'IPv6' ? 6 : 0;
    const usable = addresses.filter(({ family }) => wanted === 0 || family === wanted);
    const first = usable[0];
    if (first === undefined) {
      callback(Object.assign(new Error('No checked address of that family'), { code: 'ENOTFOUND' }), '', 0);
    } else if (options.all) {
      callback(
        null,
        usable.map(({ address, family }) => ({ address, family })),
      );
    } else {
      callback(null, first.address, first.family);
    }
  };
}

function exchange(url: URL, addresses: readonly ResolvedAddress[], context: ExchangeContext): Promise<Exchange> {
  const host = hostOf(url);
  const isHttps = url.protocol === 'https:';
  const path = `${url.pathname}${url.search}`;
  // Sent exactly as listed (Node adds nothing when Host and Connection are given), so the record is what went out.
  const headers = { Host: url.host, 'User-Agent': context.userAgent, Accept: ACCEPT, 'Accept-Encoding': 'identity', Connection: 'close' };
  const request = Buffer.from(
    `GET ${path} HTTP/1.1\r\n${Object.entries(headers)
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('')}\r\n`,
    'latin1',
  );
  const checked = parseAddressList(addresses.map(({ address }) => address));

  return new Promise<Exchange>((resolve, reject) => {
    const options = {
      host,
      port: url.port === '' ? (isHttps ? 443 : 80) : Number(url.port),
      path,
      method: 'GET',
      headers,
      agent: false,
      lookup: pinnedLookup(addresses),
      // The certificate is checked against the name asked for, whatever address the name was pinned to.
      ...(isHttps ? { servername: isIP(host) === 0 ? host : undefined, ca: context.ca, rejectUnauthorized: true } : {}),
    } satisfies https.RequestOptions;
    const req = isHttps ? https.request(options) : http.request(options);
    const wire: Buffer[] = [];
    let received = 0;
    let interimResponses = 0;
    let response: IncomingMessage | undefined;
    let settled = false;

    const finish = (outcome: () => Exchange) => {
      if (settled) return;
      settled = true;
      context.signal.removeEventListener('abort', onAbort);
      try {
        resolve(outcome());
      } catch (error) {
        reject(error);
      } finally {
        req.destroy();
      }
    };
    const fail = (error: unknown) =>
      finish(() => {
        throw refusalFor(error, url, response !== undefined);
      });
    const onAbort = () => fail(context.signal.reason);
    if (context.signal.aborted) return onAbort();
    context.signal.addEventListener('abort', onAbort, { once: true });

    req.on('socket', (socket) => {
      socket.on('data', (chunk: Buffer) => {
        if (settled) return;
        received += chunk.length;
        if (received > context.budget) return fail(new CaptureRefused('too-large', `The response is larger than allowed (${context.budget} bytes left)`));
        wire.push(chunk);
      });
    });
    req.on('information', () => interimResponses++);
    req.on('error', fail);
    req.on('response', (res) => {
      response = res;
      const ipAddress = res.socket.remoteAddress ?? '';
      if (!isInList(checked, ipAddress)) return fail(new CaptureRefused('private-address', `Connected to ${ipAddress}, which was not checked`));
      const declared = Number(res.headers['content-length']);
      if (declared > context.budget) return fail(new CaptureRefused('too-large', `The response declares ${declared} bytes (${context.budget} allowed)`));
      // Node's own reading of the body, to check the one taken from the recorded bytes against.
      const parsedBody = createHash('sha256');
      res.on('data', (chunk: Buffer) => parsedBody.update(chunk));
      res.on('error', fail);
      res.on('close', () => {
        if (!res.complete) fail(new CaptureRefused('bad-response', 'The connection closed before the response ended'));
      });
      res.on('end', () =>
        finish(() => {
          const recorded = Buffer.concat(wire);
          const { message, body } = readResponseMessage(recorded, interimResponses, res.statusCode ?? 0, res.headers);
          if (!createHash('sha256').update(body).digest().equals(parsedBody.digest())) {
            throw new CaptureRefused('bad-response', 'The response could not be read back from the bytes received');
          }
          const status = res.statusCode ?? 0;
          return {
            url,
            date: context.date,
            ipAddress,
            request,
            response: message,
            received,
            status,
            headers: pairsOf(res.rawHeaders),
            contentType: res.headers['content-type'],
            body,
            location: REDIRECT_STATUSES.has(status) ? res.headers.location : undefined,
          };
        }),
      );
    });
    req.end();
  });
}

/**
 * The final response's message within the bytes received (after any 1xx interim responses, before anything a
 * server sent past its end) and its payload, framed as Node's parser framed it.
 */
function readResponseMessage(recorded: Buffer, interimResponses: number, status: number, headers: IncomingHttpHeaders): { message: Buffer; body: Buffer } {
  let start = 0;
  for (let i = 0; i < interimResponses; i++) start = headerEndOf(recorded, start);
  const bodyStart = headerEndOf(recorded, start);
  const { body, end } = payloadOf(recorded, bodyStart, status, headers);
  return { message: recorded.subarray(start, end), body };
}

function payloadOf(recorded: Buffer, bodyStart: number, status: number, headers: IncomingHttpHeaders): { body: Buffer; end: number } {
  if (status === 204 || status === 304) return { body: Buffer.alloc(0), end: bodyStart };
  const transferCoding = headers['transfer-encoding'];
  if (transferCoding !== undefined) {
    return /(?:^|,)\s*chunked\s*$/i.test(transferCoding) ? dechunk(recorded, bodyStart) : { body: recorded.subarray(bodyStart), end: recorded.length };
  }
  const declared = headers['content-length'];
  if (declared === undefined) return { body: recorded.subarray(bodyStart), end: recorded.length };
  const end = bodyStart + Number(declared);
  if (end > recorded.length) throw new CaptureRefused('bad-response', 'The response ended early');
  return { body: recorded.subarray(bodyStart, end), end };
}

/** Where the header section starting at `from` ends (after its blank line; bare LF line ends allowed). */
function headerEndOf(bytes: Buffer, from: number): number {
  for (let i = bytes.indexOf(0x0a, from); i !== -1; i = bytes.indexOf(0x0a, i + 1)) {
    if (bytes[i + 1] === 0x0a) return i + 2;
    if (bytes[i + 1] === 0x0d && bytes[i + 2] === 0x0a) return i + 3;
  }
  throw new CaptureRefused('bad-response', 'The response has no end of headers');
}

/** The chunked body starting at `from`, joined, and where its last chunk and trailer section end. */
function dechunk(bytes: Buffer, from: number): { body: Buffer; end: number } {
  const chunks: Buffer[] = [];
  let at = from;
  const readLine = (): string => {
    const lineEnd = bytes.indexOf(0x0a, at);
    if (lineEnd === -1) throw new CaptureRefused('bad-response', 'The chunked body ended early');
    const line = bytes.toString('latin1', at, lineEnd).replace(/\r$/, '');
    at = lineEnd + 1;
    return line;
  };
  for (;;) {
    const sizeText = readLine().split(';')[0]!.trim();
    if (!/^[0-9a-f]+$/i.test(sizeText)) throw new CaptureRefused('bad-response', 'A chunk size is not a number');
    const size = Number.parseInt(sizeText, 16);
    if (size === 0) break;
    if (at + size > bytes.length) throw new CaptureRefused('bad-response', 'The chunked body ended early');
    chunks.push(bytes.subarray(at, at + size));
    at += size;
    if (readLine() !== '') throw new CaptureRefused('bad-response', 'A chunk is longer than its size');
  }
  while (readLine() !== '') {
    // trailer fields, kept in the record, not in the payload
  }
  return { body: Buffer.concat(chunks), end: at };
}

function assembleCapture(requested: URL, fetchedAt: Date, hops: Exchange[], userAgent: string): Capture {
  const final = hops.at(-1)!;
  const warc = writeWarc(hops, fetchedAt, userAgent);
  return {
    requestedUrl: requested.href,
    finalUrl: targetUriOf(final.url),
    status: final.status,
    redirects: hops.slice(0, -1).map((hop) => ({ url: targetUriOf(hop.url), status: hop.status, location: new URL(hop.location!, hop.url).href })),
    responseHeaders: final.headers,
    contentType: final.contentType,
    body: final.body,
    ipAddress: final.ipAddress,
    fetchedAt,
    warc,
    warcSha256: createHash('sha256').update(warc).digest('hex'),
    payloadSha256: createHash('sha256').update(final.body).digest('hex'),
  };
}

function writeWarc(hops: Exchange[], fetchedAt: Date, userAgent: string): Buffer {
  const warcinfoId = newWarcRecordId();
  const records = [
    serialiseWarcRecord({
      type: 'warcinfo',
      id: warcinfoId,
      date: fetchedAt,
      contentType: 'application/warc-fields',
      block: warcFields({ software: 'Outcry', format: 'WARC File Format 1.1', conformsTo: WARC_SPEC, 'http-header-user-agent': userAgent }),
    }),
  ];
  for (const hop of hops) {
    const requestId = newWarcRecordId();
    const responseId = newWarcRecordId();
    const shared = { date: hop.date, targetUri: targetUriOf(hop.url), ipAddress: hop.ipAddress, warcinfoId };
    records.push(
      serialiseWarcRecord({
        ...shared,
        type: 'request',
        id: requestId,
        concurrentTo: responseId,
        contentType: 'application/http;msgtype=request',
        block: hop.request,
      }),
      serialiseWarcRecord({
        ...shared,
        type: 'response',
        id: responseId,
        concurrentTo: requestId,
        contentType: 'application/http;msgtype=response',
        block: hop.response,
        payload: hop.body,
      }),
    );
  }
  return Buffer.concat(records);
}

/** The URL as requested: a fragment never leaves the client. */
function targetUriOf(url: URL): string {
  const copy = new URL(url);
  copy.hash = '';
  return copy.href;
}

function pairsOf(raw: string[]): [string, string][] {
  const pairs: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) pairs.push([raw[i]!, raw[i + 1]!]);
  return pairs;
}

/** One deadline for the whole capture, and the caller's cancellation, as one signal whose reason is the refusal. */
function captureSignal(timeoutMs: number, outer: AbortSignal | undefined): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new CaptureRefused('timeout', `No complete answer within ${timeoutMs} ms`)), timeoutMs);
  const cancel = () => controller.abort(new CaptureRefused('cancelled', 'The capture was cancelled'));
  if (outer?.aborted) cancel();
  outer?.addEventListener('abort', cancel, { once: true });
  return {
    signal: controller.signal,
    dispose: () => {
      clearTimeout(timer);
      outer?.removeEventListener('abort', cancel);
    },
  };
}

function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function refusalFor(error: unknown, url: URL, responseStarted: boolean): CaptureRefused {
  if (error instanceof CaptureRefused) return error.url === undefined ? new CaptureRefused(error.reason, error.message, url.href) : error;
  const code = errorCode(error);
  if (/CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)/.test(code)) {
    return new CaptureRefused('bad-certificate', `${url.host} did not show a valid certificate (${code})`, url.href);
  }
  if (responseStarted || code.startsWith('HPE_')) return new CaptureRefused('bad-response', `${url.host} sent a broken response (${code})`, url.href);
  return new CaptureRefused('unreachable', `${url.host} could not be reached (${code})`, url.href);
}

function errorCode(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : error instanceof Error ? error.message : String(error);
}
