/**
 * Captures against real HTTP(S) servers on 127.0.0.1 (the one address these tests allow). Every other address a
 * test names is refused before any connection is tried, which is what the tests check; names resolve through an
 * injected lookup, so no DNS is asked.
 */
import { createHash } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import net, { type AddressInfo, isIP } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { WARCParser, WARCRecord, WARCSerializer } from 'warcio';
import { isInList, parseAddressList, specialRangeOf } from './address-ranges.ts';
import { type Capture, type CaptureLimits, CaptureRefused, type CaptureRefusalReason, captureUrl, type ResolvedAddress } from './capture.ts';
import { base32, warcDigest } from './warc.ts';

const NOW = new Date('2026-03-04T05:06:07.000Z');
const LIMITS: CaptureLimits = { maxBytes: 1 << 20, timeoutMs: 10_000, maxRedirects: 5, allowPrivate: ['127.0.0.1'], userAgent: 'OutcryTest/1.0' };
const OPTIONS = { now: () => NOW };

// A self-signed certificate for news.example, valid 2000–2100 (openssl req -newkey ec, then openssl ca -selfsign).
const NEWS_EXAMPLE_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgaBh1V/Z6wa5m2xho
g2tG79fk8IyGe3jwrLZmQy1oy5ihRANCAARYo7n9abfuhSMMh/SO1hEvxIq/1a3i
SB8HeBS2eu4khNBbGCtyoPB6C1skBdT2BrXODK5DzTiGEG9pkv9pv360
-----END PRIVATE KEY-----
`;
const NEWS_EXAMPLE_CERT = `-----BEGIN CERTIFICATE-----
MIIBZzCCAQ2gAwIBAgIBATAKBggqhkjOPQQDAjAXMRUwEwYDVQQDDAxuZXdzLmV4
YW1wbGUwIBcNMDAwMTAxMDAwMDAwWhgPMjEwMDAxMDEwMDAwMDBaMBcxFTATBgNV
BAMMDG5ld3MuZXhhbXBsZTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABFijuf1p
t+6FIwyH9I7WES/Eir/VreJIHwd4FLZ67iSE0FsYK3Kg8HoLWyQF1PYGtc4MrkPN
OIYQb2mS/2m/frSjSDBGMBcGA1UdEQQQMA6CDG5ld3MuZXhhbXBsZTAMBgNVHRMB
Af8EAjAAMB0GA1UdDgQWBBQDPBei2FEzxR9u72sh59vNriIz0jAKBggqhkjOPQQD
AgNIADBFAiBakhHS7Z0suO2TqhKcfK7qeJBu0i20w9WfEB1XDx26pwIhAMEkXmAV
+x+h0iOtXHI9N+A6jZaa/x0XyPS2XbU+owss
-----END CERTIFICATE-----
`;

interface TestServer {
  origin: string;
  port: number;
  requests: IncomingMessage[];
  connections: number;
  close(): Promise<void>;
}

const servers: TestServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function startServer(handler: (req: IncomingMessage, res: ServerResponse) => void, options: { tls?: boolean } = {}): Promise<TestServer> {
  const server = options.tls ? https.createServer({ key: NEWS_EXAMPLE_KEY, cert: NEWS_EXAMPLE_CERT }) : http.createServer();
  const requests: IncomingMessage[] = [];
  const state: TestServer = {
    origin: '',
    port: 0,
    requests,
    connections: 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  server.on('connection', () => state.connections++);
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    requests.push(req);
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.port = (server.address() as AddressInfo).port;
  state.origin = `${options.tls ? 'https' : 'http'}://127.0.0.1:${state.port}`;
  servers.push(state);
  return state;
}

function lookupFrom(table: Record<string, string[]>) {
  const calls: string[] = [];
  const lookup = async (hostname: string): Promise<ResolvedAddress[]> => {
    calls.push(hostname);
    const addresses = table[hostname];
    if (addresses === undefined) throw Object.assign(new Error(`${hostname} not in the test's table`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: isIP(address) }));
  };
  return Object.assign(lookup, { calls });
}

async function refusalOf(capture: Promise<Capture>, reason: CaptureRefusalReason): Promise<CaptureRefused> {
  const error = await capture.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CaptureRefused);
  expect((error as CaptureRefused).reason, (error as Error).message).toBe(reason);
  return error as CaptureRefused;
}

function sha256Hex(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function pairs(raw: string[]): [string, string][] {
  return raw.flatMap((value, i) => (i % 2 === 0 ? [[value, raw[i + 1]!] as [string, string]] : []));
}

/** A strict reading of the WARC's framing: every byte belongs to a record, each block exactly Content-Length long. */
function splitWarc(warc: Buffer): { fields: Map<string, string>; block: Buffer }[] {
  const records: { fields: Map<string, string>; block: Buffer }[] = [];
  let at = 0;
  while (at < warc.length) {
    const headEnd = warc.indexOf('\r\n\r\n', at);
    expect(headEnd).toBeGreaterThan(at);
    const [version, ...lines] = warc.toString('utf8', at, headEnd).split('\r\n');
    expect(version).toBe('WARC/1.1');
    const fields = new Map(lines.map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)] as const));
    const length = Number(fields.get('Content-Length'));
    const block = warc.subarray(headEnd + 4, headEnd + 4 + length);
    expect(block.length).toBe(length);
    expect(warc.toString('latin1', headEnd + 4 + length, headEnd + 8 + length)).toBe('\r\n\r\n');
    records.push({ fields, block });
    at = headEnd + 8 + length;
  }
  return records;
}

interface ParsedRecord {
  type: string;
  fields: Map<string, string>;
  block: Buffer;
  statusline: string | undefined;
  httpHeaders: [string, string][];
  /** What warcio reads as the payload, transfer coding removed. */
  content: Buffer;
}

/** The WARC as warcio reads it, beside the strict framing; both must agree on the records. */
async function readWarc(warc: Buffer): Promise<ParsedRecord[]> {
  const strict = splitWarc(warc);
  const parsed: ParsedRecord[] = [];
  for await (const record of new WARCParser([warc], { keepHeadersCase: true })) {
    const { fields, block } = strict[parsed.length]!;
    expect(record.warcHeaders.headers.get('WARC-Record-ID')).toBe(fields.get('WARC-Record-ID'));
    expect(fields.get('WARC-Block-Digest')).toBe(warcDigest(block));
    parsed.push({
      type: record.warcType,
      fields,
      block,
      statusline: record.httpHeaders?.statusline,
      httpHeaders: record.httpHeaders ? [...record.httpHeaders.headers] : [],
      content: Buffer.from(await record.readFully(true)),
    });
  }
  expect(parsed).toHaveLength(strict.length);
  return parsed;
}

describe('captureUrl', () => {
  it('captures a page with its headers as received and a WARC whose digests check out', async () => {
    const body = '<!doctype html><title>Detained</title><p>Reported at 09:00.</p>';
    const server = await startServer((_req, res) => {
      res.writeHead(200, [
        'Content-Type',
        'text/html; charset=utf-8',
        'X-Mixed-CASE',
        'kept',
        'Set-Cookie',
        'a=1',
        'Set-Cookie',
        'b=2',
        'Content-Length',
        String(body.length),
      ]);
      res.end(body);
    });

    const capture = await captureUrl(`${server.origin}/article?id=7#comments`, LIMITS, OPTIONS);

    expect(capture).toMatchObject({
      requestedUrl: `${server.origin}/article?id=7#comments`,
      finalUrl: `${server.origin}/article?id=7`,
      status: 200,
      redirects: [],
      contentType: 'text/html; charset=utf-8',
      ipAddress: '127.0.0.1',
      fetchedAt: NOW,
      payloadSha256: sha256Hex(body),
    });
    expect(capture.body.toString()).toBe(body);
    expect(capture.responseHeaders.slice(0, 5)).toEqual([
      ['Content-Type', 'text/html; charset=utf-8'],
      ['X-Mixed-CASE', 'kept'],
      ['Set-Cookie', 'a=1'],
      ['Set-Cookie', 'b=2'],
      ['Content-Length', String(body.length)],
    ]);
    expect(capture.warcSha256).toBe(sha256Hex(capture.warc));

    const [info, request, response] = await readWarc(capture.warc);
    expect([info?.type, request?.type, response?.type]).toEqual(['warcinfo', 'request', 'response']);
    expect(info!.fields.get('Content-Type')).toBe('application/warc-fields');
    expect(info!.block.toString()).toContain('http-header-user-agent: OutcryTest/1.0\r\n');
    for (const record of [request!, response!]) {
      expect(record.fields.get('WARC-Date')).toBe(NOW.toISOString());
      expect(record.fields.get('WARC-Target-URI')).toBe(`${server.origin}/article?id=7`);
      expect(record.fields.get('WARC-IP-Address')).toBe('127.0.0.1');
      expect(record.fields.get('WARC-Warcinfo-ID')).toBe(info!.fields.get('WARC-Record-ID'));
      expect(record.fields.get('WARC-Record-ID')).toMatch(/^<urn:uuid:[0-9a-f-]{36}>$/);
    }
    expect(request!.fields.get('WARC-Concurrent-To')).toBe(response!.fields.get('WARC-Record-ID'));
    expect(response!.fields.get('WARC-Concurrent-To')).toBe(request!.fields.get('WARC-Record-ID'));
    expect(request!.fields.get('Content-Type')).toBe('application/http;msgtype=request');
    expect(response!.fields.get('Content-Type')).toBe('application/http;msgtype=response');

    // The request record is what the server received; the response record is what it sent.
    const received = server.requests[0]!;
    expect(request!.statusline).toBe('GET /article?id=7 HTTP/1.1');
    expect(request!.httpHeaders).toEqual(pairs(received.rawHeaders));
    expect(received.url).toBe('/article?id=7');
    expect(response!.statusline).toBe('HTTP/1.1 200 OK');
    expect(response!.httpHeaders).toEqual(capture.responseHeaders);
    expect(response!.block.toString()).toMatch(/^HTTP\/1\.1 200 OK\r\nContent-Type: text\/html; charset=utf-8\r\nX-Mixed-CASE: kept\r\n/);
    expect(response!.block.subarray(-body.length).toString()).toBe(body);
    expect(response!.content.toString()).toBe(body);
    expect(response!.fields.get('WARC-Payload-Digest')).toBe(`sha256:${base32(createHash('sha256').update(body).digest())}`);
  });

  it('keeps a chunked response as transferred, its payload digest over the joined chunks', async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.write('first ');
      setImmediate(() => res.end('second'));
    });

    const capture = await captureUrl(`${server.origin}/`, LIMITS, OPTIONS);

    expect(capture.body.toString()).toBe('first second');
    expect(capture.responseHeaders).toContainEqual(['Transfer-Encoding', 'chunked']);
    const response = (await readWarc(capture.warc))[2]!;
    expect(response.block.toString()).toMatch(/\r\n\r\n6\r\nfirst \r\n.*0\r\n\r\n$/s);
    expect(response.content.toString()).toBe('first second');
    expect(response.fields.get('WARC-Payload-Digest')).toBe(warcDigest(Buffer.from('first second')));
  });

  it('keeps a response ended by the connection closing, and chunk extensions and trailers, as sent', async () => {
    const replies: Record<string, string> = {
      '/http10': 'HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end',
      '/trailers': 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;source=wire\r\nabc\r\n0\r\nX-Checksum: 1\r\n\r\n',
    };
    const server = net.createServer((socket) => {
      socket.once('data', (request) => socket.end(replies[request.toString('latin1').split(' ')[1]!] ?? ''));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      for (const [path, body] of [
        ['/http10', 'until the end'],
        ['/trailers', 'abc'],
      ] as const) {
        const capture = await captureUrl(`http://127.0.0.1:${port}${path}`, LIMITS, OPTIONS);
        expect(capture.body.toString()).toBe(body);
        const response = (await readWarc(capture.warc))[2]!;
        expect(response.block.toString()).toBe(replies[path]);
        expect(response.fields.get('WARC-Payload-Digest')).toBe(warcDigest(Buffer.from(body)));
      }
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('records a response after a 103 Early Hints as the final response alone', async () => {
    const server = await startServer((_req, res) => {
      res.writeEarlyHints({ link: '</style.css>; rel=preload; as=style' });
      res.end('after hints');
    });

    const capture = await captureUrl(`${server.origin}/`, LIMITS, OPTIONS);

    expect(capture.status).toBe(200);
    const response = (await readWarc(capture.warc))[2]!;
    expect(response.block.toString()).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(response.content.toString()).toBe('after hints');
  });

  it('follows a chain of redirects and records every hop', async () => {
    const server = await startServer((req, res) => {
      const next: Record<string, [number, string]> = {
        '/start': [302, 'next'],
        '/next': [301, `${server.origin}/moved?x=1`],
        '/moved?x=1': [307, `//127.0.0.1:${server.port}/final`],
      };
      const hop = next[req.url!];
      if (hop) res.writeHead(hop[0], { Location: hop[1] }).end('moved');
      else res.end('the article');
    });

    const capture = await captureUrl(`${server.origin}/start`, LIMITS, OPTIONS);

    expect(capture.status).toBe(200);
    expect(capture.body.toString()).toBe('the article');
    expect(capture.finalUrl).toBe(`${server.origin}/final`);
    expect(capture.redirects).toEqual([
      { url: `${server.origin}/start`, status: 302, location: `${server.origin}/next` },
      { url: `${server.origin}/next`, status: 301, location: `${server.origin}/moved?x=1` },
      { url: `${server.origin}/moved?x=1`, status: 307, location: `${server.origin}/final` },
    ]);
    const records = await readWarc(capture.warc);
    expect(records.map((r) => `${r.type} ${r.fields.get('WARC-Target-URI') ?? ''}`)).toEqual([
      'warcinfo ',
      `request ${server.origin}/start`,
      `response ${server.origin}/start`,
      `request ${server.origin}/next`,
      `response ${server.origin}/next`,
      `request ${server.origin}/moved?x=1`,
      `response ${server.origin}/moved?x=1`,
      `request ${server.origin}/final`,
      `response ${server.origin}/final`,
    ]);
    expect(records.filter((r) => r.type === 'response').map((r) => r.statusline)).toEqual([
      'HTTP/1.1 302 Found',
      'HTTP/1.1 301 Moved Permanently',
      'HTTP/1.1 307 Temporary Redirect',
      'HTTP/1.1 200 OK',
    ]);
    expect(records[2]!.httpHeaders).toContainEqual(['Location', 'next']);
  });

  it('refuses more redirects than allowed', async () => {
    const server = await startServer((req, res) => {
      const n = Number(req.url!.slice('/loop/'.length));
      res.writeHead(302, { Location: `/loop/${n + 1}` }).end();
    });

    const refused = await refusalOf(captureUrl(`${server.origin}/loop/0`, { ...LIMITS, maxRedirects: 2 }, OPTIONS), 'too-many-redirects');

    expect(server.requests.map((r) => r.url)).toEqual(['/loop/0', '/loop/1', '/loop/2']);
    expect(refused.url).toBe(`${server.origin}/loop/3`);
  });

  it('refuses a redirect to an address that is not public, before connecting to it', async () => {
    let location = '';
    const server = await startServer((_req, res) => res.writeHead(302, { Location: location }).end());

    for (const target of [
      `http://[::1]:${server.port}/`,
      'http://10.0.0.1/',
      'http://169.254.169.254/latest/meta-data/',
      'http://[::ffff:169.254.169.254]/',
      'http://[fd00::1]/',
      `http://0.0.0.0:${server.port}/`,
      `http://0x7f000002:${server.port}/`,
      `http://127.0.0.1.nip.invalid:${server.port}/`,
    ]) {
      location = target;
      const lookup = lookupFrom({ [`127.0.0.1.nip.invalid`]: ['127.0.0.2'] });
      const refused = await refusalOf(captureUrl(`${server.origin}/`, LIMITS, { ...OPTIONS, lookup }), 'private-address');
      expect(refused.url).toBe(new URL(target).href);
    }
    expect(server.requests).toHaveLength(8);
  });

  it('refuses loopback when it is not allowed, without connecting', async () => {
    const server = await startServer((_req, res) => res.end('never'));

    await refusalOf(captureUrl(`${server.origin}/`, { ...LIMITS, allowPrivate: [] }, OPTIONS), 'private-address');
    await refusalOf(captureUrl(`http://127.0.0.2:${server.port}/`, LIMITS, OPTIONS), 'private-address');

    expect(server.connections).toBe(0);
  });

  it('refuses a name when any one of its addresses is not allowed', async () => {
    const server = await startServer((_req, res) => res.end('local'));
    const lookup = lookupFrom({ localhost: ['127.0.0.1', '::1'] });

    await refusalOf(captureUrl(`http://localhost:${server.port}/`, LIMITS, { ...OPTIONS, lookup }), 'private-address');
    expect(server.connections).toBe(0);

    const capture = await captureUrl(`http://localhost:${server.port}/`, { ...LIMITS, allowPrivate: ['127.0.0.0/8', '::1'] }, { ...OPTIONS, lookup });
    expect(capture.body.toString()).toBe('local');
  });

  it('refuses a name that resolves to a private address, asked directly or through a redirect', async () => {
    const lookup = lookupFrom({
      'evil.example': ['10.0.0.1'],
      // Allowed first, so a check of the first address alone would reach the test server, not the second.
      'metadata.example': ['127.0.0.1', '169.254.169.254'],
      'mapped.example': ['::ffff:10.0.0.1'],
      'ula.example': ['fd12:3456::1'],
    });
    let location = '';
    const server = await startServer((_req, res) => res.writeHead(301, { Location: location }).end());

    for (const host of ['evil.example', 'metadata.example', 'mapped.example', 'ula.example']) {
      location = `http://${host}:${server.port}/page`;
      await refusalOf(captureUrl(location, LIMITS, { ...OPTIONS, lookup }), 'private-address');
      const refused = await refusalOf(captureUrl(`${server.origin}/`, LIMITS, { ...OPTIONS, lookup }), 'private-address');
      expect(refused.message).toContain(host);
    }
    expect(server.requests).toHaveLength(4);
  });

  it('connects to the address it checked, whatever a later DNS answer says', async () => {
    const server = await startServer((_req, res) => res.end('pinned'));
    let answers = 0;
    const calls: string[] = [];
    // Rebinding: the first answer passes the check, any later one points elsewhere (nothing listens on 127.0.0.2).
    const lookup = async (hostname: string): Promise<ResolvedAddress[]> => {
      calls.push(hostname);
      return [{ address: answers++ === 0 ? '127.0.0.1' : '127.0.0.2', family: 4 }];
    };

    const capture = await captureUrl(`http://news.example:${server.port}/`, { ...LIMITS, allowPrivate: ['127.0.0.0/8'] }, { ...OPTIONS, lookup });

    expect(capture.body.toString()).toBe('pinned');
    expect(capture.ipAddress).toBe('127.0.0.1');
    expect(calls).toEqual(['news.example']);
    expect(server.requests[0]!.headers.host).toBe(`news.example:${server.port}`);
  });

  it('refuses URLs and redirects that are not plain http or https', async () => {
    let location = '';
    const server = await startServer((_req, res) => res.writeHead(302, { Location: location }).end());

    for (const target of ['ftp://example.org/file', 'file:///etc/passwd', 'javascript:alert(1)', 'data:text/html,hi', 'gopher://127.0.0.1/']) {
      await refusalOf(captureUrl(target, LIMITS, OPTIONS), 'not-http');
      location = target;
      await refusalOf(captureUrl(`${server.origin}/`, LIMITS, OPTIONS), 'not-http');
    }
    location = `http://user:secret@127.0.0.1:${server.port}/`;
    await refusalOf(captureUrl(`${server.origin}/`, LIMITS, OPTIONS), 'invalid-url');
    await refusalOf(captureUrl(location, LIMITS, OPTIONS), 'invalid-url');
    await refusalOf(captureUrl('not a url', LIMITS, OPTIONS), 'invalid-url');
    expect(server.requests).toHaveLength(6);
  });

  it('refuses a response that declares more than maxBytes without reading its body', async () => {
    // Headers only: a capture that waited for the body would run into the timeout instead.
    const server = await startServer((_req, res) => res.writeHead(200, { 'Content-Length': String(10 << 20) }).flushHeaders());

    const refused = await refusalOf(captureUrl(`${server.origin}/`, { ...LIMITS, maxBytes: 64 << 10 }, OPTIONS), 'too-large');

    expect(refused.url).toBe(`${server.origin}/`);
  });

  it('refuses a body that grows past maxBytes without a Content-Length, and drops the connection', async () => {
    let finished: Promise<boolean> = Promise.resolve(true);
    const server = await startServer((_req, res) => {
      finished = new Promise((resolve) => res.on('close', () => resolve(res.writableFinished)));
      res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
      const chunk = Buffer.alloc(16 << 10, 0x61);
      let sent = 0;
      const pump = () => {
        while (sent < 100 << 20) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    });

    await refusalOf(captureUrl(`${server.origin}/`, { ...LIMITS, maxBytes: 64 << 10 }, OPTIONS), 'too-large');

    expect(await finished).toBe(false);
  });

  it('counts every hop against maxBytes', async () => {
    const server = await startServer((req, res) => {
      if (req.url === '/') res.writeHead(302, { Location: '/next' }).end('x'.repeat(3000));
      else res.end('y'.repeat(3000));
    });

    await refusalOf(captureUrl(`${server.origin}/`, { ...LIMITS, maxBytes: 5000 }, OPTIONS), 'too-large');
    const capture = await captureUrl(`${server.origin}/`, { ...LIMITS, maxBytes: 7000 }, OPTIONS);
    expect(capture.body.length).toBe(3000);
  });

  it('refuses a body that trickles in past the timeout', async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      let writes = 0;
      const timer = setInterval(() => (++writes > 1000 ? res.end() : res.write('.')), 20);
      res.on('close', () => clearInterval(timer));
    });

    await refusalOf(captureUrl(`${server.origin}/`, { ...LIMITS, timeoutMs: 300 }, OPTIONS), 'timeout');
  });

  it('refuses a server that never answers, and a name that never resolves, via the timeout', async () => {
    const server = await startServer(() => {});
    await refusalOf(captureUrl(`${server.origin}/`, { ...LIMITS, timeoutMs: 200 }, OPTIONS), 'timeout');

    const lookup = () => new Promise<ResolvedAddress[]>(() => {});
    await refusalOf(captureUrl('http://slow-dns.example/', { ...LIMITS, timeoutMs: 200 }, { ...OPTIONS, lookup }), 'timeout');
  });

  it('refuses a response cut short, and a capture the caller cancelled', async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(200, { 'Content-Length': '100' });
      res.write('only ten b', () => res.destroy());
    });
    await refusalOf(captureUrl(`${server.origin}/`, LIMITS, OPTIONS), 'bad-response');

    await refusalOf(captureUrl(`${server.origin}/`, LIMITS, { ...OPTIONS, signal: AbortSignal.abort() }), 'cancelled');
  });

  it('refuses limits it cannot keep before fetching anything', async () => {
    for (const limits of [
      { timeoutMs: 2 ** 31 },
      { timeoutMs: 0 },
      { maxBytes: 0 },
      { maxRedirects: -1 },
      { userAgent: 'a\r\nX-Injected: 1' },
      { allowPrivate: ['127.0.0.1/40'] },
    ]) {
      await expect(captureUrl('http://127.0.0.1:1/', { ...LIMITS, ...limits }, OPTIONS)).rejects.toThrow(TypeError);
    }
  });

  it('refuses an unreachable host', async () => {
    const server = await startServer(() => {});
    const port = server.port;
    await server.close();
    servers.splice(servers.indexOf(server), 1);

    await refusalOf(captureUrl(`http://127.0.0.1:${port}/`, LIMITS, OPTIONS), 'unreachable');
    await refusalOf(captureUrl('http://unknown.example/', LIMITS, { ...OPTIONS, lookup: lookupFrom({}) }), 'unreachable');
  });

  it('fetches https from the pinned address, checking the certificate against the host name', async () => {
    const server = await startServer((req, res) => res.end(`hello ${(req.socket as TLSSocket).servername}`), { tls: true });
    const lookup = lookupFrom({ 'news.example': ['127.0.0.1'], 'other.example': ['127.0.0.1'] });

    const capture = await captureUrl(`https://news.example:${server.port}/story`, LIMITS, { ...OPTIONS, lookup, ca: NEWS_EXAMPLE_CERT });

    expect(capture.body.toString()).toBe('hello news.example');
    expect(capture.ipAddress).toBe('127.0.0.1');
    expect((await readWarc(capture.warc))[2]!.fields.get('WARC-Target-URI')).toBe(`https://news.example:${server.port}/story`);

    await refusalOf(captureUrl(`https://other.example:${server.port}/`, LIMITS, { ...OPTIONS, lookup, ca: NEWS_EXAMPLE_CERT }), 'bad-certificate');
    await refusalOf(captureUrl(`https://news.example:${server.port}/`, LIMITS, { ...OPTIONS, lookup }), 'bad-certificate');
  });
});

describe('specialRangeOf', () => {
  it('names every address that is not public unicast, in each of its forms', () => {
    const table: [string, string | undefined][] = [
      ['8.8.8.8', undefined],
      ['93.184.216.34', undefined],
      ['172.32.0.1', undefined],
      ['100.128.0.1', undefined],
      ['192.169.0.1', undefined],
      ['0.0.0.0', 'this network'],
      ['0.1.2.3', 'this network'],
      ['10.255.255.255', 'private'],
      ['172.16.0.1', 'private'],
      ['172.31.255.255', 'private'],
      ['192.168.1.1', 'private'],
      ['100.64.0.1', 'shared address space (CGNAT)'],
      ['100.127.255.255', 'shared address space (CGNAT)'],
      ['127.0.0.1', 'loopback'],
      ['127.255.255.254', 'loopback'],
      ['169.254.169.254', 'link-local'],
      ['192.0.0.170', 'IETF protocol assignments'],
      ['192.0.2.1', 'documentation'],
      ['198.51.100.7', 'documentation'],
      ['203.0.113.9', 'documentation'],
      ['198.18.0.1', 'benchmarking'],
      ['224.0.0.1', 'multicast'],
      ['239.255.255.250', 'multicast'],
      ['240.0.0.1', 'reserved (and broadcast)'],
      ['255.255.255.255', 'reserved (and broadcast)'],
      ['2606:4700:4700::1111', undefined],
      ['2a00:1450:4001:82a::200e', undefined],
      ['::', 'unspecified'],
      ['::1', 'loopback'],
      ['0:0:0:0:0:0:0:1', 'loopback'],
      ['fe80::1', 'link-local'],
      ['fe80::1%eth0', 'link-local'],
      ['febf::1', 'link-local'],
      ['fec0::1', 'site-local'],
      ['fc00::1', 'unique local'],
      ['fd12:3456:789a::1', 'unique local'],
      ['ff02::1', 'multicast'],
      ['2001:db8::1', 'documentation'],
      ['3fff::1', 'documentation'],
      ['2001::1', 'IETF protocol assignments (Teredo and others)'],
      ['64:ff9b:1::1', 'local-use NAT64'],
      ['::127.0.0.1', 'reserved'],
      ['5f00::1', 'reserved'],
      ['::ffff:8.8.8.8', undefined],
      ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
      ['::ffff:7f00:1', 'IPv4-mapped loopback'],
      ['::ffff:a9fe:a9fe', 'IPv4-mapped link-local'],
      ['::ffff:10.0.0.1', 'IPv4-mapped private'],
      ['0:0:0:0:0:ffff:c0a8:0101', 'IPv4-mapped private'],
      ['64:ff9b::808:808', undefined],
      ['64:ff9b::10.0.0.1', 'NAT64 private'],
      ['64:ff9b::a9fe:a9fe', 'NAT64 link-local'],
      ['2002:808:808::1', undefined],
      ['2002:a00:1::1', '6to4 private'],
      ['2002:7f00:1::', '6to4 loopback'],
      ['localhost', 'not an IP address'],
      ['', 'not an IP address'],
    ];
    expect(table.map(([address]) => [address, specialRangeOf(address)])).toEqual(table);
  });
});

describe('parseAddressList', () => {
  it('takes addresses and CIDR ranges of both families', () => {
    const list = parseAddressList(['127.0.0.1', '10.1.0.0/16', '::1', 'fd00::/8']);
    expect(['127.0.0.1', '10.1.200.3', '::1', 'fd12::5', '::ffff:127.0.0.1'].map((a) => isInList(list, a))).toEqual([true, true, true, true, true]);
    expect(['127.0.0.2', '10.2.0.1', '::2', 'fe80::1', 'localhost'].map((a) => isInList(list, a))).toEqual([false, false, false, false, false]);
  });

  it('refuses an entry it cannot read rather than guessing', () => {
    for (const entry of ['localhost', '10.0.0.0/33', '::1/129', '10.0.0.0/8/1', '10.0.0.0/', '10.0.0.0/x', '']) {
      expect(() => parseAddressList([entry]), entry).toThrow(TypeError);
    }
  });
});

describe('WARC digests', () => {
  it('are base32 as RFC 4648 spells it, and as warcio writes sha256', async () => {
    expect(['', 'f', 'fo', 'foo', 'foob', 'fooba', 'foobar'].map((s) => base32(Buffer.from(s)))).toEqual([
      '',
      'MY======',
      'MZXQ====',
      'MZXW6===',
      'MZXW6YQ=',
      'MZXW6YTB',
      'MZXW6YTBOI======',
    ]);
    const record = WARCRecord.create({ url: 'http://example.org/', type: 'resource', warcVersion: 'WARC/1.1' }, [Buffer.from('evidence')]);
    const serialised = Buffer.from(await WARCSerializer.serialize(record, { gzip: false, digest: { algo: 'sha-256', prefix: 'sha256:', base32: true } }));
    expect(serialised.toString()).toContain(`WARC-Block-Digest: ${warcDigest(Buffer.from('evidence'))}\r\n`);
  });
});
