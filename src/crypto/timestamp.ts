/**
 * Trusted timestamps (RFC 3161): a timestamp authority (TSA) signs a SHA-256 digest together with the time, so that
 * anyone holding the token and the TSA's root certificate can later show the data existed then.
 *
 * The token is kept exactly as the TSA sent it (a DER CMS ContentInfo). Verification reads it with pkijs and checks
 * what RFC 3161 and RFC 5816 ask of a timestamp, including what pkijs's SignedData.verify leaves out (the critical
 * timeStamping key usage, the ESS signing-certificate attribute, the content-type attribute, an imprint compared
 * with a digest rather than the data). Revocation is not checked: tokens rarely carry CRLs, and this server
 * fetches nothing while verifying.
 */
import { randomBytes, X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

// Our own engine on Node's WebCrypto, passed to every call, rather than pkijs's process-wide setEngine().
const engine = new pkijs.CryptoEngine({ name: 'node', crypto: globalThis.crypto });

const OID = {
  signedData: '1.2.840.113549.1.7.2',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingCertificate: '1.2.840.113549.1.9.16.2.12',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  rsaEncryption: '1.2.840.113549.1.1.1',
  sha256: '2.16.840.1.101.3.4.2.1',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectKeyIdentifier: '2.5.29.14',
  timeStamping: '1.3.6.1.5.5.7.3.8',
} as const;

const HASHES: Record<string, string> = {
  '1.3.14.3.2.26': 'SHA-1',
  '2.16.840.1.101.3.4.2.1': 'SHA-256',
  '2.16.840.1.101.3.4.2.2': 'SHA-384',
  '2.16.840.1.101.3.4.2.3': 'SHA-512',
};
// A SHA-1 signature can be forged with a chosen-prefix collision; naming a certificate by SHA-1 (ESSCertID) cannot.
const SIGNATURE_HASHES = new Set(['SHA-256', 'SHA-384', 'SHA-512']);

const REASONS = {
  noDigest: 'the digest to check is not a SHA-256 digest (32 bytes)',
  notAToken: 'not a timestamp token',
  noSignerCertificate: 'the token does not include the certificate of the authority that signed it',
  weakAlgorithm: 'the token is signed with a weak or unsupported algorithm',
  badSignature: 'the signature does not match the token: it was altered or damaged',
  untrusted: 'signed by a certificate not issued by a trusted authority',
  notValidThen: "the authority's certificate, or one above it, was not valid at the time of the timestamp",
  notForTimestamps: "the signing certificate is not meant for timestamps (no critical extended key usage 'timeStamping')",
  signerNotNamed: 'the token does not name the certificate that signed it (ESS signing-certificate attribute)',
  otherSigner: 'the token names another certificate than the one that signed it (ESS signing-certificate attribute)',
  otherFile: 'the timestamp is for another file',
  unsupported: 'the token uses a form or algorithm this server cannot check',
} as const;

export interface TimestampRequestOptions {
  /** How long the TSA may take to answer, body included (default 30 s). */
  timeoutMs?: number;
  /** The largest reply accepted (default 128 KiB; a reply with a certificate chain is a few KiB). */
  maxBytes?: number;
  /** The fetch to use, e.g. one that goes through a proxy (default: Node's). */
  fetch?: typeof fetch;
}

export type TimestampVerification =
  | {
      ok: true;
      /** When the TSA says it signed the digest. */
      genTime: Date;
      /** The TSA certificate's subject, most specific first ("CN=…, O=…, C=…"). */
      authority: string;
      /** The token's serial number, in decimal. */
      serialNumber: string;
      /** The TSA policy the token was issued under (an OID). */
      policy: string;
    }
  | { ok: false; reason: string };

/** Something went wrong asking a TSA: its message says what, for a person, and names the TSA's URL. */
export class TimestampAuthorityError extends Error {
  override name = 'TimestampAuthorityError';
}

/**
 * Asks the TSA at `tsaUrl` (HTTP POST, application/timestamp-query) to timestamp a SHA-256 digest, with a random
 * 64-bit nonce and its certificate requested. Returns the DER TimeStampToken (a CMS ContentInfo) as received, once
 * the reply is granted, echoes our nonce and carries our digest. The token is not verified here: see verifyTimestamp.
 */
export async function requestTimestamp(tsaUrl: string, sha256: Uint8Array, options: TimestampRequestOptions = {}): Promise<Uint8Array> {
  if (sha256.byteLength !== 32) throw new TypeError(`A SHA-256 digest is 32 bytes, not ${sha256.byteLength}.`);
  const url = parseTsaUrl(tsaUrl);
  const nonce = randomBytes(8).readBigUInt64BE();
  const query = new pkijs.TimeStampReq({
    version: 1,
    messageImprint: new pkijs.MessageImprint({
      hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256, algorithmParams: new asn1js.Null() }),
      hashedMessage: new asn1js.OctetString({ valueHex: sha256 }),
    }),
    nonce: asn1js.Integer.fromBigInt(nonce),
    certReq: true,
  });
  const reply = await postQuery(url, new Uint8Array(query.toSchema().toBER()), options);
  const { token, parsed } = readReply(url, reply);
  if (parsed.tstInfo.nonce?.toBigInt() !== nonce) {
    throw new TimestampAuthorityError(`The timestamp authority at ${url} answered with a token for another request (its nonce is not ours).`);
  }
  if (!hasImprint(parsed.tstInfo, sha256)) {
    throw new TimestampAuthorityError(`The timestamp authority at ${url} answered with a token for another digest than the one sent.`);
  }
  return token;
}

/**
 * Checks a token against the SHA-256 digest it should cover and the authorities trusted (a PEM bundle or
 * readTrustAnchors' result): the signature, the signer's chain up to a trusted certificate with every certificate
 * valid at the token's time, the signer's critical timeStamping key usage, the ESS signing-certificate attribute,
 * and the digest. Never throws: a bad token, digest or bundle gives { ok: false, reason } for a person to read.
 */
export async function verifyTimestamp(
  token: Uint8Array,
  sha256: Uint8Array,
  trustAnchors: string | readonly X509Certificate[],
): Promise<TimestampVerification> {
  if (!(sha256 instanceof Uint8Array) || sha256.byteLength !== 32) return refuse(REASONS.noDigest);
  let anchors: CertificateEntry[];
  try {
    anchors = toEntries(typeof trustAnchors === 'string' ? readTrustAnchors(trustAnchors) : trustAnchors);
  } catch (error) {
    return refuse(`the trusted authorities cannot be read: ${(error as Error).message}`);
  }
  const parsed = token instanceof Uint8Array ? parseToken(token) : undefined;
  if (!parsed) return refuse(REASONS.notAToken);
  try {
    return await checkToken(parsed, sha256, anchors);
  } catch {
    return refuse(REASONS.unsupported);
  }
}

/** Reads a PEM bundle of trusted certificates (CAs, or a TSA's own certificate to trust only it); throws if it holds none. */
export function readTrustAnchors(pem: string): X509Certificate[] {
  const blocks = [...pem.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g)];
  if (blocks.length === 0) throw new Error('the bundle holds no certificate (a PEM block "-----BEGIN CERTIFICATE-----")');
  return blocks.map((block, index) => {
    try {
      const certificate = new X509Certificate(block[0]);
      pkijs.Certificate.fromBER(certificate.raw);
      return certificate;
    } catch {
      throw new Error(`certificate ${index + 1} in the bundle is not a valid X.509 certificate`);
    }
  });
}

function refuse(reason: string): { ok: false; reason: string } {
  return { ok: false, reason };
}

// ---------------------------------------------------------------------------------------------------------------
// Asking the TSA

function parseTsaUrl(tsaUrl: string): URL {
  const url = URL.canParse(tsaUrl) ? new URL(tsaUrl) : undefined;
  if (url?.protocol !== 'http:' && url?.protocol !== 'https:') throw new TypeError(`The timestamp authority's address is not an http(s) URL: ${tsaUrl}`);
  return url;
}

async function postQuery(url: URL, query: Uint8Array<ArrayBuffer>, options: TimestampRequestOptions): Promise<Uint8Array> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const response = await (options.fetch ?? fetch)(url, {
      method: 'POST',
      headers: { 'content-type': 'application/timestamp-query', accept: 'application/timestamp-reply' },
      body: query,
      signal,
    });
    if (!response.ok) {
      await response.body?.cancel();
      throw new TimestampAuthorityError(
        `The timestamp authority at ${url} answered HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}.`,
      );
    }
    const type = response.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/timestamp-reply') {
      await response.body?.cancel();
      throw new TimestampAuthorityError(
        `The timestamp authority at ${url} answered with ${type ? `"${type}"` : 'no content type'}, not a timestamp reply (application/timestamp-reply).`,
      );
    }
    return await readCappedBody(url, response, options.maxBytes ?? 128 * 1024);
  } catch (error) {
    if (error instanceof TimestampAuthorityError) throw error;
    if (signal.aborted) throw new TimestampAuthorityError(`The timestamp authority at ${url} did not answer within ${timeoutMs / 1000} s.`, { cause: error });
    const cause = (error as { cause?: { message?: unknown } }).cause?.message ?? (error as Error).message;
    throw new TimestampAuthorityError(`The timestamp authority at ${url} could not be reached: ${String(cause)}.`, { cause: error });
  }
}

async function readCappedBody(url: URL, response: Response, maxBytes: number): Promise<Uint8Array> {
  const tooLarge = () => new TimestampAuthorityError(`The timestamp authority at ${url} sent more than ${maxBytes} bytes, too much for a timestamp reply.`);
  if (Number(response.headers.get('content-length')) > maxBytes) {
    await response.body?.cancel();
    throw tooLarge();
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body ?? []) {
    size += chunk.byteLength;
    if (size > maxBytes) throw tooLarge(); // leaving the loop cancels the stream
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

const PKI_STATUS = ['granted', 'granted with modifications', 'rejection', 'waiting', 'revocation warning', 'revocation notification'];
// PKIFailureInfo bits (RFC 3161 §2.4.2).
const PKI_FAILURES: Record<number, string> = {
  0: 'unsupported algorithm',
  2: 'bad request',
  5: 'bad data format',
  14: 'time not available',
  15: 'unaccepted policy',
  16: 'unaccepted extension',
  17: 'additional information not available',
  25: 'system failure',
};

function readReply(url: URL, reply: Uint8Array): { token: Uint8Array; parsed: ParsedToken } {
  const notAReply = () => new TimestampAuthorityError(`The timestamp authority at ${url} sent something that is not a timestamp reply.`);
  const asn1 = decodeWhole(reply);
  if (!(asn1 instanceof asn1js.Sequence)) throw notAReply();
  let response: pkijs.TimeStampResp;
  try {
    response = new pkijs.TimeStampResp({ schema: asn1 });
  } catch {
    throw notAReply();
  }
  const { status } = response.status;
  if (status !== 0 && status !== 1) {
    throw new TimestampAuthorityError(`The timestamp authority at ${url} refused the request: ${describeStatus(response.status)}.`);
  }
  // The token's own bytes, not pkijs's re-encoding of them: its signature covers what the TSA wrote.
  const tokenBlock = asn1.valueBlock.value[1];
  const token = tokenBlock ? tokenBlock.valueBeforeDecodeView.slice() : undefined;
  const parsed = token && parseToken(token);
  if (!token || !parsed) throw new TimestampAuthorityError(`The timestamp authority at ${url} granted the request but sent no valid timestamp token.`);
  return { token, parsed };
}

function describeStatus(info: pkijs.PKIStatusInfo): string {
  const parts = [PKI_STATUS[info.status] ?? `status ${info.status}`];
  const bits = info.failInfo?.valueBlock.valueHexView ?? new Uint8Array();
  for (const [bit, failure] of Object.entries(PKI_FAILURES)) {
    if (((bits[Number(bit) >> 3] ?? 0) & (0x80 >> (Number(bit) & 7))) !== 0) parts.push(failure);
  }
  // Text from the TSA, shortened and without control characters: it ends up in logs.
  const text = (info.statusStrings ?? []).map((string) => string.valueBlock.value).join(' ');
  if (text) parts.push(`"${text.replace(/[\p{Cc}\p{Cf}]/gu, ' ').slice(0, 200)}"`);
  return parts.join(', ');
}

// ---------------------------------------------------------------------------------------------------------------
// Reading and checking a token

interface CertificateEntry {
  certificate: pkijs.Certificate;
  /** The certificate's bytes as found, which its ESS hash covers. */
  der: Uint8Array<ArrayBuffer>;
}

interface ParsedToken {
  signerInfo: pkijs.SignerInfo;
  tstInfo: pkijs.TSTInfo;
  /** The TSTInfo's DER, which the messageDigest attribute covers. */
  content: Uint8Array<ArrayBuffer>;
  certificates: CertificateEntry[];
}

/** The one ASN.1 value that makes up all of `bytes`, or undefined. */
function decodeWhole(bytes: Uint8Array): asn1js.AsnType | undefined {
  if (bytes.byteLength === 0) return undefined;
  const { offset, result } = asn1js.fromBER(bytes);
  return offset === bytes.byteLength ? result : undefined;
}

/** A TimeStampToken is a SignedData with one signer over a TSTInfo (RFC 3161 §2.4.2); undefined if it is not one. */
function parseToken(der: Uint8Array): ParsedToken | undefined {
  try {
    const contentInfo = new pkijs.ContentInfo({ schema: decodeWhole(der) });
    if (contentInfo.contentType !== OID.signedData) return undefined;
    const certificates = readCertificates(contentInfo.content);
    const signedData = new pkijs.SignedData({ schema: contentInfo.content });
    const { eContentType, eContent } = signedData.encapContentInfo;
    const [signerInfo, ...otherSigners] = signedData.signerInfos;
    if (eContentType !== OID.tstInfo || !eContent || !signerInfo || otherSigners.length > 0) return undefined;
    const content = new Uint8Array(eContent.getValue());
    const tstInfo = new pkijs.TSTInfo({ schema: decodeWhole(content) });
    if (tstInfo.version !== 1) return undefined;
    return { signerInfo, tstInfo, content, certificates };
  } catch {
    return undefined;
  }
}

/** The SignedData's certificates [0], each with its bytes as written (pkijs keeps only the parsed form). */
function readCertificates(signedData: asn1js.Sequence): CertificateEntry[] {
  const set = signedData.valueBlock.value.find((block) => block.idBlock.tagClass === 3 && block.idBlock.tagNumber === 0);
  if (!(set instanceof asn1js.Constructed)) return [];
  return set.valueBlock.value
    .filter((block) => block instanceof asn1js.Sequence)
    .map((block) => ({ certificate: new pkijs.Certificate({ schema: block }), der: block.valueBeforeDecodeView.slice() }));
}

function toEntries(certificates: readonly X509Certificate[]): CertificateEntry[] {
  return certificates.map((certificate) => ({ certificate: pkijs.Certificate.fromBER(certificate.raw), der: new Uint8Array(certificate.raw) }));
}

async function checkToken(token: ParsedToken, sha256: Uint8Array, anchors: CertificateEntry[]): Promise<TimestampVerification> {
  const signer = findSigner(token.signerInfo, [...token.certificates, ...anchors]);
  if (!signer) return refuse(REASONS.noSignerCertificate);
  const signatureHash = readSignatureHash(token.signerInfo);
  if (!signatureHash) return refuse(REASONS.weakAlgorithm);
  if (!(await isSignatureValid(token, signer, signatureHash))) return refuse(REASONS.badSignature);
  const chainProblem = await checkChain(token, signer, anchors);
  if (chainProblem) return refuse(chainProblem);
  if (!isTimestampingCertificate(signer.certificate)) return refuse(REASONS.notForTimestamps);
  const namesSigner = await checkSigningCertificateAttribute(token.signerInfo, signer);
  if (namesSigner !== true) return refuse(namesSigner === undefined ? REASONS.signerNotNamed : REASONS.otherSigner);
  if (!hasImprint(token.tstInfo, sha256)) return refuse(REASONS.otherFile);
  return {
    ok: true,
    genTime: token.tstInfo.genTime,
    authority: new X509Certificate(signer.der).subject.split('\n').reverse().join(', '),
    serialNumber: token.tstInfo.serialNumber.toBigInt().toString(),
    policy: token.tstInfo.policy,
  };
}

function hasImprint(tstInfo: pkijs.TSTInfo, sha256: Uint8Array): boolean {
  const { hashAlgorithm, hashedMessage } = tstInfo.messageImprint;
  return hashAlgorithm.algorithmId === OID.sha256 && Buffer.from(hashedMessage.valueBlock.valueHexView).equals(sha256);
}

/** The certificate the SignerInfo's sid points to: by issuer and serial number, or by subject key identifier. */
function findSigner(signerInfo: pkijs.SignerInfo, certificates: CertificateEntry[]): CertificateEntry | undefined {
  const sid: unknown = signerInfo.sid;
  if (sid instanceof pkijs.IssuerAndSerialNumber) {
    return certificates.find(({ certificate }) => certificate.issuer.isEqual(sid.issuer) && certificate.serialNumber.isEqual(sid.serialNumber));
  }
  if (!(sid instanceof asn1js.BaseBlock)) return undefined;
  // [0] SubjectKeyIdentifier, implicitly tagged: its value is the key identifier's bytes.
  const keyId = Buffer.from(sid.valueBeforeDecodeView.subarray(sid.valueBeforeDecodeView.byteLength - sid.lenBlock.length));
  return certificates.find(({ certificate }) => {
    const extension = certificate.extensions?.find((e) => e.extnID === OID.subjectKeyIdentifier);
    return extension?.parsedValue instanceof asn1js.OctetString && keyId.equals(extension.parsedValue.valueBlock.valueHexView);
  });
}

/** The hash the signature is made with, if it is one we accept. */
function readSignatureHash(signerInfo: pkijs.SignerInfo): string | undefined {
  const digest = HASHES[signerInfo.digestAlgorithm.algorithmId];
  const signature = signerInfo.signatureAlgorithm.algorithmId === OID.rsaEncryption ? digest : engine.getHashAlgorithm(signerInfo.signatureAlgorithm);
  return digest && signature && SIGNATURE_HASHES.has(digest) && SIGNATURE_HASHES.has(signature) ? digest : undefined;
}

/** The single value of a signed attribute that must appear once, or undefined. */
function readSingleAttribute(signerInfo: pkijs.SignerInfo, type: string): unknown {
  const found = signerInfo.signedAttrs?.attributes.filter((attribute) => attribute.type === type) ?? [];
  return found.length === 1 && found[0]!.values.length === 1 ? found[0]!.values[0] : undefined;
}

/** The signed attributes name a TSTInfo and its digest (RFC 5652 §5.4), and the signer's key signed them. */
async function isSignatureValid(token: ParsedToken, signer: CertificateEntry, hash: string): Promise<boolean> {
  const { signerInfo } = token;
  const contentType = readSingleAttribute(signerInfo, OID.contentType);
  const messageDigest = readSingleAttribute(signerInfo, OID.messageDigest);
  if (!signerInfo.signedAttrs || !(contentType instanceof asn1js.ObjectIdentifier) || !(messageDigest instanceof asn1js.OctetString)) return false;
  if (contentType.valueBlock.toString() !== OID.tstInfo) return false;
  const digest = Buffer.from(await engine.digest({ name: hash }, token.content));
  if (!digest.equals(messageDigest.valueBlock.valueHexView)) return false;
  const isRsaEncryption = signerInfo.signatureAlgorithm.algorithmId === OID.rsaEncryption;
  return engine.verifyWithPublicKey(
    signerInfo.signedAttrs.encodedValue,
    signerInfo.signature,
    signer.certificate.subjectPublicKeyInfo,
    signerInfo.signatureAlgorithm,
    isRsaEncryption ? hash : undefined,
  );
}

function isValidAt(certificate: pkijs.Certificate, time: Date): boolean {
  return certificate.notBefore.value <= time && time <= certificate.notAfter.value;
}

function isCertificateAuthority(certificate: pkijs.Certificate): boolean {
  const extension = certificate.extensions?.find((e) => e.extnID === OID.basicConstraints);
  return extension?.parsedValue instanceof pkijs.BasicConstraints && extension.parsedValue.cA === true;
}

/** The signer's chain reaches a trusted certificate, and every certificate in it was valid at the token's time. */
async function checkChain(token: ParsedToken, signer: CertificateEntry, anchors: CertificateEntry[]): Promise<string | undefined> {
  const genTime = token.tstInfo.genTime;
  const signerDer = Buffer.from(signer.der);
  if (anchors.some((anchor) => signerDer.equals(anchor.der))) return isValidAt(signer.certificate, genTime) ? undefined : REASONS.notValidThen;
  // pkijs takes the last certificate given as the one to validate, so the signer goes last and nowhere else.
  const intermediates = token.certificates.filter((entry) => !signerDer.equals(entry.der) && isCertificateAuthority(entry.certificate));
  const validation = new pkijs.CertificateChainValidationEngine({
    trustedCerts: anchors.map((anchor) => anchor.certificate),
    certs: [...intermediates.map((entry) => entry.certificate), signer.certificate],
    checkDate: genTime,
  });
  const result = await validation.verify({}, engine);
  const leaf = result.certificatePath?.[0];
  if (result.result && leaf && Buffer.from(leaf.tbsView).equals(signer.certificate.tbsView)) return undefined;
  // pkijs's code for "not yet valid or expired", found once a path to a trusted certificate exists.
  return result.resultCode === 8 ? REASONS.notValidThen : REASONS.untrusted;
}

/**
 * RFC 3161 §2.3: the TSA's certificate has one extended key usage, timeStamping, marked critical (OpenSSL checks the
 * same); a key usage, if present, allows signatures.
 */
function isTimestampingCertificate(certificate: pkijs.Certificate): boolean {
  const extensions = certificate.extensions ?? [];
  const extendedKeyUsages = extensions.filter((e) => e.extnID === OID.extKeyUsage);
  const [extendedKeyUsage] = extendedKeyUsages;
  if (extendedKeyUsages.length !== 1 || !extendedKeyUsage?.critical) return false;
  const purposes = extendedKeyUsage.parsedValue instanceof pkijs.ExtKeyUsage ? extendedKeyUsage.parsedValue.keyPurposes : [];
  if (purposes.length !== 1 || purposes[0] !== OID.timeStamping) return false;
  const keyUsage = extensions.find((e) => e.extnID === OID.keyUsage)?.parsedValue;
  if (keyUsage === undefined) return true;
  const digitalSignatureOrNonRepudiation = 0xc0;
  return keyUsage instanceof asn1js.BitString && ((keyUsage.valueBlock.valueHexView[0] ?? 0) & digitalSignatureOrNonRepudiation) !== 0;
}

/**
 * The ESS signing-certificate attribute (RFC 2634 ESSCertID, RFC 5035 ESSCertIDv2) binds the signature to the
 * signer's certificate, so that another certificate for the same key cannot be substituted. Its first entry must be
 * the signer: true if every such attribute names it, false if one names another, undefined if there is none.
 */
async function checkSigningCertificateAttribute(signerInfo: pkijs.SignerInfo, signer: CertificateEntry): Promise<boolean | undefined> {
  const attributes = (signerInfo.signedAttrs?.attributes ?? []).filter(
    (attribute) => attribute.type === OID.signingCertificate || attribute.type === OID.signingCertificateV2,
  );
  if (attributes.length === 0) return undefined;
  for (const attribute of attributes) {
    const isV2 = attribute.type === OID.signingCertificateV2;
    const [signingCertificate] = attribute.values as unknown[];
    const certs = signingCertificate instanceof asn1js.Sequence ? signingCertificate.valueBlock.value[0] : undefined;
    const first = certs instanceof asn1js.Sequence ? certs.valueBlock.value[0] : undefined;
    if (!(first instanceof asn1js.Sequence) || !(await isEssCertIdFor(first, isV2, signer))) return false;
  }
  return true;
}

async function isEssCertIdFor(essCertId: asn1js.Sequence, isV2: boolean, signer: CertificateEntry): Promise<boolean> {
  const fields = [...essCertId.valueBlock.value];
  // ESSCertIDv2's hashAlgorithm defaults to SHA-256; ESSCertID's hash is always SHA-1.
  let hash = isV2 ? 'SHA-256' : 'SHA-1';
  if (isV2 && fields[0] instanceof asn1js.Sequence) {
    const named = HASHES[new pkijs.AlgorithmIdentifier({ schema: fields.shift() }).algorithmId];
    if (!named) return false;
    hash = named;
  }
  const [certHash, issuerSerial] = fields;
  if (!(certHash instanceof asn1js.OctetString)) return false;
  const digest = Buffer.from(await engine.digest({ name: hash }, signer.der));
  if (!digest.equals(certHash.valueBlock.valueHexView)) return false;
  if (issuerSerial === undefined) return true;
  if (!(issuerSerial instanceof asn1js.Sequence)) return false;
  const [generalNames, serialNumber] = issuerSerial.valueBlock.value;
  if (!(serialNumber instanceof asn1js.Integer) || !serialNumber.isEqual(signer.certificate.serialNumber)) return false;
  const names = new pkijs.GeneralNames({ schema: generalNames }).names;
  const directoryName = 4;
  return names.some(
    (name) => name.type === directoryName && name.value instanceof pkijs.RelativeDistinguishedNames && name.value.isEqual(signer.certificate.issuer),
  );
}
