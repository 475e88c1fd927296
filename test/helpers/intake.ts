/** Intake in tests: readers with real OpenPGP keys, forms posted as a browser builds them, and what the server stored. */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { decrypt, generateKey, readMessage, readPrivateKey } from 'openpgp';
import PostalMime from 'postal-mime';
import { expect } from 'vitest';
import type { Database } from '../../src/db/database.ts';
import { addOrResetPartnerAccount } from '../../src/features/intake/partner-accounts.ts';
import { addRecipient } from '../../src/features/intake/recipients.ts';
import { makeUser, uniqueSuffix } from './factories.ts';
import { Browser } from './http.ts';

export interface TestReader {
  id: number;
  privateKey: string;
  publicKey: string;
}

export async function addReader(db: Database, kind: 'reviewer' | 'partner', name: string, notifyEmail = ''): Promise<TestReader> {
  const pair = await generateKey({ type: 'ecc', curve: 'curve25519Legacy', userIDs: [{ name }], format: 'armored' });
  const owner = await makeUser(db, 'owner');
  const id = await addRecipient(db, {
    userId: owner.id,
    input: {
      kind,
      name,
      description: kind === 'partner' ? `${name} evacuates people at risk` : '',
      region: 'North Caucasus',
      publicKey: pair.publicKey,
      notifyEmail,
    },
  });
  return { id, privateKey: pair.privateKey, publicKey: pair.publicKey };
}

/** A multipart body as a browser builds it, fields in the order given. */
export async function multipart(
  fields: Array<[string, string | { name: string; type: string; bytes: Uint8Array }]>,
): Promise<{ payload: Buffer; type: string }> {
  const form = new FormData();
  for (const [name, value] of fields) {
    if (typeof value === 'string') form.append(name, value);
    else form.append(name, new Blob([Buffer.from(value.bytes)], { type: value.type }), value.name);
  }
  const response = new Response(form);
  return { payload: Buffer.from(await response.arrayBuffer()), type: response.headers.get('content-type')! };
}

export async function postForm(app: FastifyInstance, url: string, fields: Parameters<typeof multipart>[0]): Promise<LightMyRequestResponse> {
  const { payload, type } = await multipart(fields);
  return app.inject({ method: 'POST', url, payload, headers: { 'content-type': type, 'sec-fetch-site': 'same-origin' } });
}

export function codenameIn(page: LightMyRequestResponse): string {
  const match = /<p class="codename" id="codename"[^>]*>([a-z -]+)<\/p>/.exec(page.body);
  expect(match, page.body.slice(0, 2000)).not.toBeNull();
  return match![1]!;
}

export async function storedCiphertext(db: Database, submissionId: number): Promise<Buffer[]> {
  const messages = await db
    .selectFrom('intake_messages')
    .select('id')
    .where('submission_id', '=', submissionId)
    .where('author', '=', 'sender')
    .orderBy('id')
    .execute();
  return Promise.all(
    messages.map(async (m) => {
      const chunks = await db.selectFrom('intake_chunks').select('data').where('message_id', '=', m.id).orderBy('seq').execute();
      return Buffer.concat(chunks.map((c) => Buffer.from(c.data)));
    }),
  );
}

export async function openAs(reader: TestReader, ciphertext: Uint8Array) {
  const { data } = await decrypt({
    message: await readMessage({ binaryMessage: ciphertext }),
    decryptionKeys: await readPrivateKey({ armoredKey: reader.privateKey }),
    format: 'binary',
  });
  return PostalMime.parse(data as Uint8Array);
}

export async function latestSubmissionId(db: Database): Promise<number> {
  const row = await db.selectFrom('intake_submissions').select('id').orderBy('id', 'desc').executeTakeFirstOrThrow();
  return Number(row.id);
}

export async function counts(db: Database) {
  const [s, m, c] = await Promise.all(
    (['intake_submissions', 'intake_messages', 'intake_chunks'] as const).map((table) =>
      db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow(),
    ),
  );
  return { submissions: Number(s!.n), messages: Number(m!.n), chunks: Number(c!.n) };
}

export function filesUnder(folder: string): string[] {
  return readdirSync(folder, { recursive: true, encoding: 'utf8' })
    .map((name) => path.join(folder, name))
    .filter((file) => statSync(file).isFile());
}

/** A browser logged in to a new partner organisation's account linked to the partner recipient `partnerId`. */
export async function loggedInPartner(
  app: FastifyInstance,
  db: Database,
  partnerId: number,
): Promise<{ browser: Browser; user: { id: number; email: string } }> {
  const email = `partner-${uniqueSuffix()}@example.org`;
  const password = `correct horse ${uniqueSuffix()}`;
  const { id } = await addOrResetPartnerAccount(db, { email, password, partnerId });
  const browser = new Browser(app);
  const response = await browser.post('/admin/login', { email, password });
  if (response.statusCode !== 303) throw new Error(`login failed: ${response.statusCode}`);
  return { browser, user: { id, email } };
}
