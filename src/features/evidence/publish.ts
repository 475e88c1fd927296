/**
 * Exporting a campaign's ledger, and publishing a signed export. The server keeps public keys only (trusted with
 * `outcry evidence trust-key`); an export is published only if a trusted key verifies its signature, it checks from
 * its own bytes, and its head is a revision of this server's chain with the same hash, so what the public downloads
 * is exactly what an organiser signed on their own machine and still agrees with the ledger kept here.
 */
import type { Database } from '../../db/database.ts';
import { changeThenForget } from '../../db/read-cache.ts';
import { AppError } from '../../errors.ts';
import { recordAudit } from '../audit/index.ts';
import { findCampaignBySlug, touchCampaign, type Campaign } from '../campaigns/index.ts';
import { buildLedgerExport, checkLedgerExport } from './export.ts';
import { findRevisionHash, insertPublishedExport, insertSigningKey, listSigningKeys } from './queries.ts';
import { isSignatureValid, parsePublicSigningKey, signingKeyIdOf } from './signing.ts';

async function getCampaignBySlug(db: Database, slug: string): Promise<Campaign> {
  const campaign = await findCampaignBySlug(db, slug);
  if (!campaign) throw new AppError('not_found', `No campaign has the address ${slug}.`);
  return campaign;
}

export async function exportCampaignLedger(db: Database, options: { slug: string; now: Date }) {
  const campaign = await getCampaignBySlug(db, options.slug);
  return buildLedgerExport(db, { campaignId: campaign.id, slug: campaign.slug, now: options.now });
}

/** Trusts an Ed25519 public key (SPKI PEM) to sign this server's ledger exports. Idempotent. */
export async function trustSigningKey(
  db: Database,
  options: { userId: number | null; publicKeyPem: string; now: Date },
): Promise<{ keyId: string; added: boolean }> {
  let pem: string;
  let keyId: string;
  try {
    const key = parsePublicSigningKey(options.publicKeyPem, 'The file');
    pem = key.export({ type: 'spki', format: 'pem' }).toString();
    keyId = signingKeyIdOf(key);
  } catch (error) {
    throw new AppError('validation_failed', error instanceof Error ? error.message : 'Not an Ed25519 public key.');
  }
  return changeThenForget(db, async (trx) => {
    const { id, added } = await insertSigningKey(trx, keyId, pem, options.now.toISOString());
    if (added) {
      await recordAudit(trx, {
        userId: options.userId,
        action: 'evidence.key.trust',
        entityType: 'evidence_signing_key',
        entityId: id,
        changes: { keyId: [null, keyId] },
      });
    }
    return { keyId, added };
  });
}

export interface PublishedLedger {
  campaignId: number;
  exportId: number;
  keyId: string;
  head: { seq: number; hash: string };
  revisions: number;
}

/** Publishes a signed export of the campaign `slug`: see the module's comment for what is checked first. */
export async function publishLedgerExport(
  db: Database,
  options: { userId: number | null; slug: string; bytes: Buffer; signature: Buffer; now: Date },
): Promise<PublishedLedger> {
  const campaign = await getCampaignBySlug(db, options.slug);
  const key = (await listSigningKeys(db)).find((k) => isSignatureValid(options.bytes, options.signature, parsePublicSigningKey(k.publicKey, `Key ${k.keyId}`)));
  if (!key) {
    throw new AppError(
      'validation_failed',
      'The signature does not verify with any trusted key: sign the export with outcry evidence sign, and trust its public key with outcry evidence trust-key.',
    );
  }
  const check = checkLedgerExport(options.bytes);
  if (!check.ok) throw new AppError('validation_failed', `The export does not check: ${check.problem}.`);
  if (check.campaign !== campaign.slug || check.campaignId !== campaign.id) {
    throw new AppError('validation_failed', `The export is of the campaign ${check.campaign}, not ${campaign.slug}.`);
  }
  return changeThenForget(db, async (trx) => {
    const stored = await findRevisionHash(trx, campaign.id, check.head.seq);
    if (stored !== check.head.hash) {
      throw new AppError(
        'conflict',
        `The head of the export (revision #${check.head.seq}) is not in the chain on this server: it was not exported from this ledger.`,
      );
    }
    const exportId = await insertPublishedExport(trx, {
      campaignId: campaign.id,
      headSeq: check.head.seq,
      headHash: check.head.hash,
      generatedAt: check.generatedAt,
      body: options.bytes,
      signature: options.signature,
      keyRowId: key.id,
      now: options.now.toISOString(),
    });
    await recordAudit(trx, {
      userId: options.userId,
      action: 'evidence.ledger.publish',
      entityType: 'campaign',
      entityId: campaign.id,
      changes: { head: [null, `#${check.head.seq} ${check.head.hash}`], key: [null, key.keyId] },
    });
    await touchCampaign(trx, campaign.id);
    return { campaignId: campaign.id, exportId, keyId: key.keyId, head: check.head, revisions: check.revisions };
  });
}
