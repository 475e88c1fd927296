/**
 * Opening a submission: decrypting the OpenPGP message with a reviewer's private key, then reading the MIME envelope
 * (envelope.ts) back into the person's words, their contact and their files. `outcry intake decrypt` uses it, and the
 * admin's in-browser decryption will: so no Node import, only openpgp and postal-mime.
 *
 * The plaintext is written in the submitter's browser, so whoever submits controls it: the reader takes any MIME and
 * never fails on what it does not expect (an unknown kind, extra parts); what it does not recognise becomes a file.
 */
import { decrypt, decryptKey, readMessage, readPrivateKey, type Message, type PrivateKey } from 'openpgp';
import PostalMime, { decodeWords, type Email, type Header } from 'postal-mime';
import type { EnvelopeKind } from './envelope.ts';

export type EnvelopeProblem = 'key-unreadable' | 'wrong-passphrase' | 'not-for-this-key' | 'damaged';

const PROBLEM_WORDS: Readonly<Record<EnvelopeProblem, string>> = {
  'key-unreadable': 'the key is not a readable OpenPGP private key',
  'wrong-passphrase': 'the passphrase does not unlock the key',
  'not-for-this-key': 'it is not encrypted to this key',
  damaged: 'it is damaged or not an OpenPGP encrypted message',
};

/** Why a submission could not be opened, as a closed set a UI can put in its own words. */
export class EnvelopeUnreadable extends Error {
  override readonly name = 'EnvelopeUnreadable';
  constructor(readonly problem: EnvelopeProblem) {
    super(PROBLEM_WORDS[problem]);
  }
}

export interface EnvelopeFile {
  name: string;
  type: string;
  bytes: Uint8Array;
}

export interface OpenedEnvelope {
  kind: EnvelopeKind | 'unknown';
  message: string;
  contact: string;
  files: EnvelopeFile[];
}

/** Decrypts one submission with a reviewer's armored private key; the passphrase unlocks the key when it is protected. */
export async function decryptEnvelope(ciphertext: Uint8Array, privateKeyArmored: string, passphrase?: string): Promise<Uint8Array> {
  return decryptWithKey(ciphertext, await unlockPrivateKey(privateKeyArmored, passphrase));
}

/** Whether the armored key needs a passphrase (so a command knows to ask for one before unlocking it). */
export async function isPassphraseProtected(privateKeyArmored: string): Promise<boolean> {
  return !(await readReviewerKey(privateKeyArmored)).isDecrypted();
}

/** Reads the private key and unlocks it once, for a caller that opens many submissions with it. */
export async function unlockPrivateKey(privateKeyArmored: string, passphrase?: string): Promise<PrivateKey> {
  const key = await readReviewerKey(privateKeyArmored);
  if (key.isDecrypted()) return key;
  if (passphrase === undefined) throw new EnvelopeUnreadable('wrong-passphrase');
  try {
    return await decryptKey({ privateKey: key, passphrase });
  } catch {
    throw new EnvelopeUnreadable('wrong-passphrase');
  }
}

export async function decryptWithKey(ciphertext: Uint8Array, key: PrivateKey): Promise<Uint8Array> {
  const message = await readEncryptedMessage(ciphertext);
  if (!isAddressedTo(message, key)) throw new EnvelopeUnreadable('not-for-this-key');
  try {
    const { data } = await decrypt({ message, decryptionKeys: key, format: 'binary' });
    return data;
  } catch {
    // The session key packet names this key, so a failure here is a changed or cut message, not the wrong key.
    throw new EnvelopeUnreadable('damaged');
  }
}

async function readReviewerKey(privateKeyArmored: string): Promise<PrivateKey> {
  try {
    return await readPrivateKey({ armoredKey: privateKeyArmored });
  } catch {
    throw new EnvelopeUnreadable('key-unreadable');
  }
}

async function readEncryptedMessage(ciphertext: Uint8Array): Promise<Message<Uint8Array>> {
  try {
    const message = await readMessage({ binaryMessage: ciphertext });
    if (message.getEncryptionKeyIDs().length > 0) return message;
  } catch {
    // Not OpenPGP packets at all: reported as damaged below, like a message encrypted to no key.
  }
  throw new EnvelopeUnreadable('damaged');
}

const WILDCARD_KEY_ID = '0000000000000000';

/** Whether a session key packet names one of the key's (sub)keys; a hidden recipient (wildcard id) might be this key. */
function isAddressedTo(message: Message<Uint8Array>, key: PrivateKey): boolean {
  const ours = new Set(key.getKeyIDs().map((id) => id.toHex()));
  return message.getEncryptionKeyIDs().some((id) => id.toHex() === WILDCARD_KEY_ID || ours.has(id.toHex()));
}

const KINDS: readonly EnvelopeKind[] = ['testimony', 'help', 'follow-up', 'reply'];
const TEXT_PART_NAMES = { 'message.txt': 'message', 'contact.txt': 'contact' } as const;

/**
 * The parts of postal-mime's parse tree read here. Its published result joins every inline text part into one `text`
 * (message and contact would run together) and rewrites calendar files, so the tree is read instead; tests pin it.
 */
interface MimePart {
  contentType: { parsed: { value: string; params: Record<string, string | undefined> }; multipart: string | false };
  contentDisposition: { parsed: { value: string; params: Record<string, string | undefined> } };
  content: ArrayBuffer | null;
  childNodes: MimePart[];
  getTextContent(): string;
}

/** Reads a decrypted envelope: its kind, the person's words and contact, and every other part as a file. */
export async function readEnvelope(mime: Uint8Array): Promise<OpenedEnvelope> {
  // Parsed as a file, a forwarded message (message/rfc822) stays one file instead of spilling its parts into ours.
  const parser = new PostalMime({ forceRfc822Attachments: true });
  let email: Email;
  try {
    email = await parser.parse(mime);
  } catch {
    throw new EnvelopeUnreadable('damaged');
  }
  const opened: OpenedEnvelope = { kind: kindOf(email.headers), message: '', contact: '', files: [] };
  collectParts(parseTreeOf(parser), opened, new Set());
  return opened;
}

function kindOf(headers: readonly Header[]): OpenedEnvelope['kind'] {
  const value = headers
    .find((header) => header.key === 'x-outcry-kind')
    ?.value.trim()
    .toLowerCase();
  return KINDS.find((kind) => kind === value) ?? 'unknown';
}

function parseTreeOf(parser: PostalMime): MimePart {
  const root = (parser as unknown as { root?: MimePart }).root;
  if (!root || !Array.isArray(root.childNodes)) throw new Error('postal-mime no longer keeps its parse tree: open-envelope.ts needs updating');
  return root;
}

/** Walks the tree in document order; the first message.txt and contact.txt text parts are the words, the rest files. */
function collectParts(part: MimePart, opened: OpenedEnvelope, textsTaken: Set<string>): void {
  if (part.contentType.multipart) {
    for (const child of part.childNodes) collectParts(child, opened, textsTaken);
    return;
  }
  const name = partFilename(part);
  const textSlot = textSlotOf(part, name);
  if (textSlot && !textsTaken.has(textSlot)) {
    textsTaken.add(textSlot);
    opened[textSlot] = part.getTextContent();
    return;
  }
  const bytes = part.content ? new Uint8Array(part.content) : new Uint8Array(0);
  opened.files.push({ name: name ?? 'file', type: part.contentType.parsed.value, bytes });
}

function textSlotOf(part: MimePart, name: string | undefined): 'message' | 'contact' | undefined {
  const isInlineText = part.contentType.parsed.value === 'text/plain' && part.contentDisposition.parsed.value !== 'attachment';
  if (!isInlineText || name === undefined) return undefined;
  return Object.hasOwn(TEXT_PART_NAMES, name) ? TEXT_PART_NAMES[name as keyof typeof TEXT_PART_NAMES] : undefined;
}

/** The file name a part declares (RFC 2231 and RFC 2047 forms decoded), or undefined. */
function partFilename(part: MimePart): string | undefined {
  const raw = part.contentDisposition.parsed.params['filename'] || part.contentType.parsed.params['name'];
  return raw ? decodeWords(raw) : undefined;
}
