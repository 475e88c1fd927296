/**
 * Who can read a message: testimony goes to every reviewer, a request for help to exactly the partner the person
 * chose. The same list is shown to the person before they write, used to encrypt (here or in their browser), and
 * used to check what their browser sent.
 */
import type { Key } from 'openpgp';
import type { Database } from '../../db/database.ts';
import type { IntakeKind } from '../../db/schema.ts';
import { encryptionKeyIds, readRecipientKeys } from '../../crypto/openpgp-messages.ts';
import { listRecipients, type Recipient } from './recipients.ts';

export interface Reader {
  id: number;
  kind: Recipient['kind'];
  name: string;
  description: string;
  region: string;
  fingerprint: string;
  armored: string;
  key: Key;
  keyId: string;
}

const parsed = new Map<string, Promise<{ key: Key; keyId: string }>>();

/** Keys are parsed once per process: a recipient's key never changes in place (a new key is a new recipient). */
function parseOnce(recipient: Recipient): Promise<{ key: Key; keyId: string }> {
  let entry = parsed.get(recipient.fingerprint);
  if (!entry) {
    entry = readRecipientKeys([recipient.publicKey]).then(async ([key]) => ({ key: key!, keyId: (await encryptionKeyIds([key!]))[0]! }));
    parsed.set(recipient.fingerprint, entry);
  }
  return entry;
}

async function toReader(recipient: Recipient): Promise<Reader> {
  const { key, keyId } = await parseOnce(recipient);
  return {
    id: recipient.id,
    kind: recipient.kind,
    name: recipient.name,
    description: recipient.description,
    region: recipient.region,
    fingerprint: recipient.fingerprint,
    armored: recipient.publicKey,
    key,
    keyId,
  };
}

export interface ReaderDirectory {
  reviewers: Reader[];
  partners: Reader[];
}

export async function readerDirectory(db: Database): Promise<ReaderDirectory> {
  const recipients = await Promise.all((await listRecipients(db)).map(toReader));
  return { reviewers: recipients.filter((r) => r.kind === 'reviewer'), partners: recipients.filter((r) => r.kind === 'partner') };
}

/** The readers of a message of this kind (and partner), or undefined when no one could read it. */
export function readersOf(directory: ReaderDirectory, kind: IntakeKind, partnerId: number | null): Reader[] | undefined {
  if (kind === 'testimony') return directory.reviewers.length > 0 ? directory.reviewers : undefined;
  const partner = directory.partners.find((p) => p.id === partnerId);
  return partner ? [partner] : undefined;
}
