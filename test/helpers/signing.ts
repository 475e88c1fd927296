/**
 * Signing as a supporter would, through the app: the JSON sign API, then the confirmation (or withdrawal) link from the
 * queued mail, pressed in a browser. Used by the export and map tests.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { issueFormStamp } from '../../src/web/form-stamp.ts';
import { queuedConfirmations, type QueuedConfirmation } from './factories.ts';
import { Browser } from './http.ts';

export interface Signer {
  name: string;
  email: string;
  country: string;
  postcode?: string;
  updates?: boolean;
  ref?: string;
  /** Send a forged form stamp: the signature is taken but set aside ("stamp:forged"). A JSON client without any stamp is counted. */
  forgedStamp?: boolean;
}

/** Signs through `POST /c/{slug}/sign` as JSON, from an address of its own; resolves to the HTTP status. */
export async function signViaApi(app: FastifyInstance, slug: string, signer: Signer): Promise<number> {
  const [a, b, c] = randomBytes(3);
  const body: Record<string, unknown> = {
    name: signer.name,
    email: signer.email,
    country: signer.country,
    postcode: signer.postcode ?? '',
    consent: '1',
    ...(signer.updates ? { updates: '1' } : {}),
    ...(signer.ref ? { ref: signer.ref } : {}),
    // People take seconds to fill the form: a stamp issued five seconds ago.
    ts: signer.forgedStamp ? `${Date.now() - 5000}.${'A'.repeat(43)}` : issueFormStamp(app.deps.keys.formStamp, Date.now() - 5000),
  };
  const response = await app.inject({
    method: 'POST',
    url: `/c/${slug}/sign`,
    remoteAddress: `10.${a}.${b}.${Math.max(1, c!)}`,
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    payload: JSON.stringify(body),
  });
  return response.statusCode;
}

/** The links of the confirmation mail waiting for `email` (the job queue holds it encrypted with the data key). */
export async function mailFor(app: FastifyInstance, email: string): Promise<QueuedConfirmation> {
  const mail = (await queuedConfirmations(app)).findLast((m) => m.to === email);
  if (!mail) throw new Error(`no confirmation mail queued for ${email}`);
  return mail;
}

/** Presses the button behind the confirmation (or withdrawal) link of `email`'s mail, then lets the counts catch up. */
export async function pressLink(app: FastifyInstance, email: string, kind: 'confirm' | 'withdraw'): Promise<void> {
  const mail = await mailFor(app, email);
  const response = await new Browser(app).post(`/${kind}/${kind === 'confirm' ? mail.confirmToken : mail.withdrawToken}`, {});
  if (response.statusCode !== 200) throw new Error(`${kind} answered ${response.statusCode}`);
  await app.countBoard.refresh();
}
