import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTimestampAuthority, type TimestampAuthority } from '../../test/helpers/timestamp-authority.ts';
import { readTrustAnchors, requestTimestamp, TimestampAuthorityError, verifyTimestamp } from './timestamp.ts';

const run = promisify(execFile);
const sha256 = (text: string) => new Uint8Array(createHash('sha256').update(text).digest());
const article = sha256('<html>Grozny, 12 March: the court refused to hear the case.</html>');

interface TestServer {
  url: string;
  close(): Promise<void>;
}

/** A plain HTTP server on a free local port, for TSAs that misbehave. */
async function serve(handle: (request: IncomingMessage, response: ServerResponse) => void | Promise<void>): Promise<TestServer> {
  const server = createServer((request, response) => void handle(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function postToTsa(url: string, query: Uint8Array): Promise<Buffer> {
  const response = await fetch(url, { method: 'POST', body: Buffer.from(query), headers: { 'content-type': 'application/timestamp-query' } });
  return Buffer.from(await response.arrayBuffer());
}

function signedDataOf(token: Uint8Array): pkijs.SignedData {
  return new pkijs.SignedData({ schema: pkijs.ContentInfo.fromBER(new Uint8Array(token)).content });
}

describe('trusted timestamps (RFC 3161)', () => {
  let tsa: TimestampAuthority;
  let token: Uint8Array;
  /** Runs `openssl` in the authority's folder: the words of `command`, then `more` (arguments holding spaces). */
  const openssl = async (command: string, ...more: string[]) =>
    (await run('openssl', [...command.split(/\s+/).filter(Boolean), ...more], { cwd: tsa.dir })).stdout;

  beforeAll(async () => {
    tsa = await startTimestampAuthority();
    token = await requestTimestamp(tsa.url, article);
  });
  afterAll(async () => {
    await tsa.close();
  });

  describe('verifyTimestamp', () => {
    it('accepts a token from a trusted authority, with its time, authority, serial number and policy', async () => {
      const before = Date.now();
      const fresh = await requestTimestamp(tsa.url, article);
      const result = await verifyTimestamp(fresh, article, tsa.caPem);
      if (!result.ok) throw new Error(result.reason);
      // genTime is whole seconds (accuracy 1 s): a generous window, not a measurement.
      expect(result.genTime.getTime()).toBeGreaterThanOrEqual(before - 60_000);
      expect(result.genTime.getTime()).toBeLessThanOrEqual(Date.now() + 60_000);
      expect(result.authority).toBe('CN=Outcry Test TSA, O=Outcry Test');
      expect(result.serialNumber).toMatch(/^[1-9]\d*$/);
      expect(result.policy).toBe('1.3.6.1.4.1.55555.1.1');
    });

    it('gives tokens that OpenSSL verifies too', async () => {
      await writeFile(path.join(tsa.dir, 'interop.tst'), token);
      const verify = (digest: Uint8Array) => openssl(`ts -verify -digest ${Buffer.from(digest).toString('hex')} -in interop.tst -token_in -CAfile root.crt`);
      expect(await verify(article)).toContain('Verification: OK');
      await expect(verify(sha256('another article'))).rejects.toThrow();
    });

    it('accepts a bundle of several authorities, and the TSA certificate itself as the one trusted', async () => {
      const other = await startTimestampAuthority();
      try {
        expect((await verifyTimestamp(token, article, `${other.caPem}\n${tsa.caPem}`)).ok).toBe(true);
        const tsaCertificate = await readFile(path.join(tsa.dir, 'tsa.crt'), 'utf8');
        expect((await verifyTimestamp(token, article, tsaCertificate)).ok).toBe(true);
        expect((await verifyTimestamp(token, article, readTrustAnchors(tsa.caPem))).ok).toBe(true);
      } finally {
        await other.close();
      }
    });

    it('refuses a token for another file', async () => {
      expect(await verifyTimestamp(token, sha256('another article'), tsa.caPem)).toEqual({ ok: false, reason: 'the timestamp is for another file' });
    });

    it('refuses a token from an authority the bundle does not hold', async () => {
      const other = await startTimestampAuthority();
      try {
        expect(await verifyTimestamp(token, article, other.caPem)).toEqual({ ok: false, reason: 'signed by a certificate not issued by a trusted authority' });
      } finally {
        await other.close();
      }
    });

    it('refuses a token whose signature was altered', async () => {
      const signature = signedDataOf(token).signerInfos[0]!.signature.valueBlock.valueHexView;
      const at = Buffer.from(token).indexOf(signature);
      expect(at).toBeGreaterThan(0);
      const tampered = Uint8Array.from(token);
      tampered[at + 10]! ^= 0x01;
      expect(await verifyTimestamp(tampered, article, tsa.caPem)).toEqual({
        ok: false,
        reason: 'the signature does not match the token: it was altered or damaged',
      });
    });

    it('refuses a token whose digest was replaced by that of another file', async () => {
      const at = Buffer.from(token).indexOf(article);
      expect(at).toBeGreaterThan(0);
      const forged = Buffer.from(token);
      const other = sha256('a forged article');
      forged.set(other, at);
      expect(await verifyTimestamp(forged, other, tsa.caPem)).toEqual({
        ok: false,
        reason: 'the signature does not match the token: it was altered or damaged',
      });
    });

    it('refuses what is not a timestamp token', async () => {
      const certificate = new Uint8Array(readTrustAnchors(tsa.caPem)[0]!.raw);
      const inputs = [new Uint8Array(), randomBytes(2000), certificate, token.subarray(0, token.length - 1), Buffer.concat([token, Buffer.from([0])])];
      for (const input of inputs) expect(await verifyTimestamp(input, article, tsa.caPem)).toEqual({ ok: false, reason: 'not a timestamp token' });
    });

    it('refuses an empty or unreadable trust bundle, and a digest that is not SHA-256', async () => {
      expect(await verifyTimestamp(token, article, '')).toEqual({
        ok: false,
        reason: 'the trusted authorities cannot be read: the bundle holds no certificate (a PEM block "-----BEGIN CERTIFICATE-----")',
      });
      const broken = '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n';
      expect(await verifyTimestamp(token, article, broken)).toEqual({
        ok: false,
        reason: 'the trusted authorities cannot be read: certificate 1 in the bundle is not a valid X.509 certificate',
      });
      expect(await verifyTimestamp(token, article.subarray(0, 20), tsa.caPem)).toEqual({
        ok: false,
        reason: 'the digest to check is not a SHA-256 digest (32 bytes)',
      });
    });

    it('reads a trust bundle, and says so when it holds no certificate', () => {
      expect(readTrustAnchors(`# the test root\n${tsa.caPem}`).map((certificate) => certificate.subject)).toEqual(['O=Outcry Test\nCN=Outcry Test Root CA']);
      expect(() => readTrustAnchors('MIIB...')).toThrow('the bundle holds no certificate');
    });

    it('refuses a token signed while the authority certificate had expired', async () => {
      const lapsed = await startTimestampAuthority({ expiredCertificate: true });
      try {
        const stale = await requestTimestamp(lapsed.url, article);
        expect(await verifyTimestamp(stale, article, lapsed.caPem)).toEqual({
          ok: false,
          reason: "the authority's certificate, or one above it, was not valid at the time of the timestamp",
        });
      } finally {
        await lapsed.close();
      }
    });

    it('accepts the older ESSCertID (SHA-1) naming the signer', async () => {
      const older = await startTimestampAuthority({ signingCertificateV1: true });
      try {
        const signedAttributes = async (der: Uint8Array) => signedDataOf(der).signerInfos[0]!.signedAttrs!.attributes.map((attribute) => attribute.type);
        const v1 = await requestTimestamp(older.url, article);
        expect(await signedAttributes(v1)).toContain('1.2.840.113549.1.9.16.2.12');
        expect(await signedAttributes(token)).toContain('1.2.840.113549.1.9.16.2.47');
        expect((await verifyTimestamp(v1, article, older.caPem)).ok).toBe(true);
      } finally {
        await older.close();
      }
    });

    describe('tokens OpenSSL signs as plain CMS (openssl cms -sign), not as a TSA', () => {
      const tstInfoFile = () => path.join(tsa.dir, 'tstinfo.der');
      let later: Uint8Array;

      // The certificates are made first: each must have been valid at the token's time.
      beforeAll(async () => {
        await writeFile(path.join(tsa.dir, 'mail.ext'), 'keyUsage = critical, digitalSignature\nextendedKeyUsage = emailProtection\n');
        await openssl(`req -config pki.cnf -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout mail.key -out mail.csr`, '-subj', '/CN=Not a TSA');
        await openssl('x509 -req -in mail.csr -CA issuing.crt -CAkey issuing.key -set_serial 9 -days 30 -extfile mail.ext -out mail.crt');
        // A second certificate for the TSA's key.
        await openssl('x509 -req -in tsa.csr -CA issuing.crt -CAkey issuing.key -set_serial 4 -days 30 -extfile pki.cnf -extensions tsa_ext -out tsa-twin.crt');
        later = await requestTimestamp(tsa.url, article);
        await writeFile(tstInfoFile(), new Uint8Array(signedDataOf(later).encapContentInfo.eContent!.getValue()));
      });

      async function signAsCms(signer: string, key: string, extra = '', digest = 'sha256'): Promise<Uint8Array> {
        const out = `cms-${randomBytes(4).toString('hex')}.der`;
        await openssl(
          `cms -sign -binary -nodetach -in tstinfo.der -outform DER -out ${out} -md ${digest} -econtent_type 1.2.840.113549.1.9.16.1.4
           -signer ${signer} -inkey ${key} -certfile chain.pem ${extra}`,
        );
        return new Uint8Array(await readFile(path.join(tsa.dir, out)));
      }

      it('refuses one signed by a certificate not meant for timestamps', async () => {
        const forged = await signAsCms('mail.crt', 'mail.key', '-cades');
        expect(await verifyTimestamp(forged, article, tsa.caPem)).toEqual({
          ok: false,
          reason: "the signing certificate is not meant for timestamps (no critical extended key usage 'timeStamping')",
        });
      });

      it('accepts one the TSA key signs with an ESS signing-certificate attribute, and refuses one without', async () => {
        expect((await verifyTimestamp(await signAsCms('tsa.crt', 'tsa.key', '-cades'), article, tsa.caPem)).ok).toBe(true);
        expect(await verifyTimestamp(await signAsCms('tsa.crt', 'tsa.key'), article, tsa.caPem)).toEqual({
          ok: false,
          reason: 'the token does not name the certificate that signed it (ESS signing-certificate attribute)',
        });
      });

      it('finds a signer named by its subject key identifier, and refuses a SHA-1 signature', async () => {
        expect((await verifyTimestamp(await signAsCms('tsa.crt', 'tsa.key', '-cades -keyid'), article, tsa.caPem)).ok).toBe(true);
        expect(await verifyTimestamp(await signAsCms('tsa.crt', 'tsa.key', '-cades', 'sha1'), article, tsa.caPem)).toEqual({
          ok: false,
          reason: 'the token is signed with a weak or unsupported algorithm',
        });
      });

      it('refuses a token whose certificate was swapped for another one with the same key', async () => {
        // The sid is not signed: only the ESS attribute tells the TSA's certificate from its twin.
        const twin = pkijs.Certificate.fromBER(readTrustAnchors(await readFile(path.join(tsa.dir, 'tsa-twin.crt'), 'utf8'))[0]!.raw);

        const signedData = signedDataOf(later);
        const signerInfo = signedData.signerInfos[0]!;
        const sid = signerInfo.sid as pkijs.IssuerAndSerialNumber;
        signedData.certificates = (signedData.certificates ?? []).map((certificate) =>
          certificate instanceof pkijs.Certificate && certificate.serialNumber.isEqual(sid.serialNumber) ? twin : certificate,
        );
        signerInfo.sid = new pkijs.IssuerAndSerialNumber({ issuer: twin.issuer, serialNumber: twin.serialNumber });
        const swapped = new pkijs.ContentInfo({ contentType: pkijs.ContentInfo.SIGNED_DATA, content: signedData.toSchema(true) }).toSchema().toBER();

        expect(await verifyTimestamp(new Uint8Array(swapped), article, tsa.caPem)).toEqual({
          ok: false,
          reason: 'the token names another certificate than the one that signed it (ESS signing-certificate attribute)',
        });
      });
    });
  });

  describe('requestTimestamp', () => {
    it('reports an authority that refuses the request, with its reasons', async () => {
      const refusing = await startTimestampAuthority({ refuseQueries: true });
      try {
        const request = requestTimestamp(refusing.url, article);
        await expect(request).rejects.toThrow(TimestampAuthorityError);
        await expect(request).rejects.toThrow(
          `The timestamp authority at ${refusing.url} refused the request: rejection, unsupported algorithm, "Message digest algorithm is not supported.".`,
        );
      } finally {
        await refusing.close();
      }
    });

    it('refuses an HTTP error, another content type, and an answer that is not a reply', async () => {
      const server = await serve((request, response) => {
        if (request.url === '/down') response.writeHead(500, { 'content-type': 'text/plain' }).end('oops');
        else if (request.url === '/html') response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<p>hello</p>');
        else response.writeHead(200, { 'content-type': 'application/timestamp-reply' }).end('not DER at all');
      });
      try {
        await expect(requestTimestamp(`${server.url}down`, article)).rejects.toThrow(
          `The timestamp authority at ${server.url}down answered HTTP 500 Internal Server Error.`,
        );
        await expect(requestTimestamp(`${server.url}html`, article)).rejects.toThrow(
          'answered with "text/html", not a timestamp reply (application/timestamp-reply).',
        );
        await expect(requestTimestamp(`${server.url}junk`, article)).rejects.toThrow('sent something that is not a timestamp reply.');
      } finally {
        await server.close();
      }
    });

    it('refuses a reply larger than allowed, whether announced or streamed', async () => {
      const server = await serve((request, response) => {
        const body = Buffer.alloc(64 * 1024, 0x30);
        if (request.url === '/announced') {
          response.writeHead(200, { 'content-type': 'application/timestamp-reply', 'content-length': body.length }).end(body);
          return;
        }
        response.writeHead(200, { 'content-type': 'application/timestamp-reply' });
        for (let i = 0; i < 16; i++) response.write(body);
        response.end();
      });
      try {
        const message = 'sent more than 16384 bytes, too much for a timestamp reply.';
        await expect(requestTimestamp(`${server.url}announced`, article, { maxBytes: 16 * 1024 })).rejects.toThrow(message);
        await expect(requestTimestamp(`${server.url}streamed`, article, { maxBytes: 16 * 1024 })).rejects.toThrow(message);
      } finally {
        await server.close();
      }
    });

    it('gives up on an authority that never answers, and reports one that cannot be reached', async () => {
      const silent = await serve(() => {});
      try {
        await expect(requestTimestamp(silent.url, article, { timeoutMs: 200 })).rejects.toThrow(
          `The timestamp authority at ${silent.url} did not answer within 0.2 s.`,
        );
      } finally {
        await silent.close();
      }
      await expect(requestTimestamp(silent.url, article)).rejects.toThrow(
        new RegExp(`^The timestamp authority at ${silent.url} could not be reached: .*ECONNREFUSED`),
      );
    });

    it('refuses a reply to an earlier request (its nonce is not ours)', async () => {
      let recorded: Buffer | undefined;
      const replaying = await serve(async (request, response) => {
        recorded ??= await postToTsa(tsa.url, await readBody(request));
        response.writeHead(200, { 'content-type': 'application/timestamp-reply' }).end(recorded);
      });
      try {
        await requestTimestamp(replaying.url, article);
        await expect(requestTimestamp(replaying.url, article)).rejects.toThrow('answered with a token for another request (its nonce is not ours).');
      } finally {
        await replaying.close();
      }
    });

    it('refuses a token for another digest than the one sent', async () => {
      const rewriting = await serve(async (request, response) => {
        const query = pkijs.TimeStampReq.fromBER(new Uint8Array(await readBody(request)));
        query.messageImprint.hashedMessage = new asn1js.OctetString({ valueHex: sha256('something else') });
        const reply = await postToTsa(tsa.url, new Uint8Array(query.toSchema().toBER()));
        response.writeHead(200, { 'content-type': 'application/timestamp-reply' }).end(reply);
      });
      try {
        await expect(requestTimestamp(rewriting.url, article)).rejects.toThrow('answered with a token for another digest than the one sent.');
      } finally {
        await rewriting.close();
      }
    });

    it('refuses a digest that is not SHA-256 and an address that is not http(s)', async () => {
      await expect(requestTimestamp(tsa.url, new Uint8Array(20))).rejects.toThrow('A SHA-256 digest is 32 bytes, not 20.');
      await expect(requestTimestamp('ftp://tsa.example/', article)).rejects.toThrow(
        "The timestamp authority's address is not an http(s) URL: ftp://tsa.example/",
      );
    });
  });
});
