/**
 * A real RFC 3161 timestamp authority for tests: OpenSSL's `openssl ts -reply` behind a local HTTP server.
 *
 * It makes its own small PKI in a temporary folder (a root CA, an issuing CA, and the TSA's certificate with the
 * critical timeStamping extended key usage), answers every POSTed query with the DER reply OpenSSL writes, and
 * puts the issuing CA and the root in each token, as public TSAs do.
 *
 *   const tsa = await startTimestampAuthority();
 *   const token = await requestTimestamp(tsa.url, digest);
 *   await verifyTimestamp(token, digest, tsa.caPem);
 *   await tsa.close();
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TimestampAuthority {
  /** Where to POST an `application/timestamp-query`. */
  url: string;
  /** The root CA's certificate (PEM): the trust anchor for this authority's tokens. */
  caPem: string;
  /** The folder holding its keys, certificates and OpenSSL configuration (tsa.crt, root.crt, tsa.cnf…). */
  dir: string;
  /** Stops the server and removes the folder. */
  close(): Promise<void>;
}

export interface TimestampAuthorityOptions {
  /** Sign with a TSA certificate that was valid only during 2020, as an authority whose certificate has lapsed. */
  expiredCertificate?: boolean;
  /** Answer every query with a rejection (status rejection, failInfo badAlg), as OpenSSL does for a digest it refuses. */
  refuseQueries?: boolean;
  /** Name the signer with the older ESSCertID (SHA-1, RFC 2634) instead of ESSCertIDv2 (SHA-256, RFC 5816). */
  signingCertificateV1?: boolean;
}

/** Our own configuration, so that the machine's openssl.cnf cannot change what the certificates hold. */
function pkiConfig(dir: string): string {
  return `[ req ]
distinguished_name = req_dn
[ req_dn ]
[ root_ext ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ issuing_ext ]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ tsa_ext ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = critical, timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
# openssl ca, only to sign the lapsed certificate: x509 -req cannot set dates in the past before OpenSSL 3.4.
[ issuing_ca ]
dir = ${dir}
database = $dir/index.txt
new_certs_dir = $dir
serial = $dir/ca-serial
certificate = $dir/issuing.crt
private_key = $dir/issuing.key
default_md = sha256
policy = any_name
unique_subject = no
[ any_name ]
commonName = supplied
organizationName = optional
`;
}

function tsaConfig(dir: string, options: TimestampAuthorityOptions): string {
  return `[ tsa ]
default_tsa = outcry_test_tsa
[ outcry_test_tsa ]
dir = ${dir}
serial = $dir/tsa-serial
crypto_device = builtin
signer_cert = $dir/tsa.crt
certs = $dir/chain.pem
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.3.6.1.4.1.55555.1.1
other_policies = 1.3.6.1.4.1.55555.1.2
digests = ${options.refuseQueries ? 'md5' : 'sha256, sha384, sha512'}
accuracy = secs:1
ordering = no
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = ${options.signingCertificateV1 ? 'sha1' : 'sha256'}
`;
}

/** Runs `openssl` in `dir`: the words of `command`, then `more` (arguments holding spaces). */
async function openssl(dir: string, command: string, ...more: string[]): Promise<void> {
  await run('openssl', [...command.split(/\s+/).filter(Boolean), ...more], { cwd: dir });
}

async function createPki(dir: string, options: TimestampAuthorityOptions): Promise<void> {
  await writeFile(path.join(dir, 'pki.cnf'), pkiConfig(dir));
  const ec = '-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes';
  await openssl(
    dir,
    `req -config pki.cnf -x509 ${ec} -keyout root.key -out root.crt -days 3650 -extensions root_ext`,
    '-subj',
    '/O=Outcry Test/CN=Outcry Test Root CA',
  );
  await openssl(dir, `req -config pki.cnf -new ${ec} -keyout issuing.key -out issuing.csr`, '-subj', '/O=Outcry Test/CN=Outcry Test Issuing CA');
  await openssl(
    dir,
    'x509 -req -in issuing.csr -CA root.crt -CAkey root.key -set_serial 2 -days 3650 -extfile pki.cnf -extensions issuing_ext -out issuing.crt',
  );
  // The TSA key is RSA, as most public TSAs' are; the CAs are ECDSA, so that both kinds of signature are checked.
  await openssl(dir, 'req -config pki.cnf -new -newkey rsa:2048 -nodes -keyout tsa.key -out tsa.csr', '-subj', '/O=Outcry Test/CN=Outcry Test TSA');
  if (options.expiredCertificate) {
    await writeFile(path.join(dir, 'index.txt'), '');
    await writeFile(path.join(dir, 'ca-serial'), '03\n');
    await openssl(
      dir,
      `ca -batch -config pki.cnf -name issuing_ca -in tsa.csr -out tsa.crt -notext -preserveDN
       -startdate 20200101000000Z -enddate 20210101000000Z -extfile pki.cnf -extensions tsa_ext`,
    );
  } else {
    await openssl(dir, 'x509 -req -in tsa.csr -CA issuing.crt -CAkey issuing.key -set_serial 3 -days 825 -extfile pki.cnf -extensions tsa_ext -out tsa.crt');
  }
  const [issuing, root] = await Promise.all([readFile(path.join(dir, 'issuing.crt'), 'utf8'), readFile(path.join(dir, 'root.crt'), 'utf8')]);
  await writeFile(path.join(dir, 'chain.pem'), issuing + root);
  await writeFile(path.join(dir, 'tsa-serial'), '01\n');
  await writeFile(path.join(dir, 'tsa.cnf'), tsaConfig(dir, options));
}

const MAX_QUERY_BYTES = 64 * 1024;

async function readQuery(request: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_QUERY_BYTES) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Creates the PKI and starts the authority on 127.0.0.1 (a free port). */
export async function startTimestampAuthority(options: TimestampAuthorityOptions = {}): Promise<TimestampAuthority> {
  const dir = await mkdtemp(path.join(tmpdir(), 'outcry-tsa-'));
  await createPki(dir, options);
  let queries = 0;

  // OpenSSL keeps the serial number in a file: one reply at a time, so that no two tokens share one.
  let queue: Promise<unknown> = Promise.resolve();
  const reply = (query: Buffer): Promise<Buffer> => {
    const name = `query-${++queries}`;
    const next = queue.then(async () => {
      await writeFile(path.join(dir, `${name}.tsq`), query);
      await openssl(dir, `ts -reply -config tsa.cnf -section outcry_test_tsa -queryfile ${name}.tsq -out ${name}.tsr`);
      return readFile(path.join(dir, `${name}.tsr`));
    });
    queue = next.catch(() => undefined);
    return next;
  };

  const server = createServer((request, response) => {
    void (async () => {
      const query = request.method === 'POST' ? await readQuery(request) : undefined;
      if (!query) {
        response.writeHead(400, { 'content-type': 'text/plain' }).end('POST an application/timestamp-query\n');
        return;
      }
      try {
        const der = await reply(query);
        response.writeHead(200, { 'content-type': 'application/timestamp-reply', 'content-length': der.length }).end(der);
      } catch {
        response.writeHead(500, { 'content-type': 'text/plain' }).end('openssl ts -reply failed\n');
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/tsa`,
    caPem: await readFile(path.join(dir, 'root.crt'), 'utf8'),
    dir,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
