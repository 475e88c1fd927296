/**
 * Targets' pictures: an organiser uploads a JPEG, PNG or WebP of at most 2 MB; it is stored without its metadata
 * (web/images.ts) and served from this site at an address naming its hash, so pages never load a picture from
 * elsewhere and browsers may keep it for good.
 */
import { createHash } from 'node:crypto';
import type { Database } from '../../db/database.ts';
import { AppError } from '../../errors.ts';
import { IMAGE_EXTENSIONS, type ImageType, stripImageMetadata } from '../../web/images.ts';
import { recordAudit } from '../audit/index.ts';
import { touchCampaign } from '../campaigns/index.ts';
import { changeThenForget } from '../../db/read-cache.ts';
import type { Target } from './model.ts';

export const MAX_PICTURE_BYTES = 2 * 1024 * 1024;

/** Where a target's picture is served; undefined when it has none. */
export function pictureUrl(picture: { targetId: number; sha256: string; contentType: string } | undefined): string | undefined {
  if (!picture) return undefined;
  return `/media/targets/${picture.targetId}/${picture.sha256.slice(0, 16)}.${IMAGE_EXTENSIONS[picture.contentType as ImageType] ?? 'img'}`;
}

export interface PictureSummary {
  targetId: number;
  sha256: string;
  contentType: string;
}

/** Which of these targets have a picture, without loading any picture's bytes. */
export async function listPictureSummaries(db: Database, targetIds: readonly number[]): Promise<Map<number, PictureSummary>> {
  if (targetIds.length === 0) return new Map();
  const rows = await db.selectFrom('target_pictures').select(['target_id', 'sha256', 'content_type']).where('target_id', 'in', targetIds).execute();
  return new Map(rows.map((row) => [Number(row.target_id), { targetId: Number(row.target_id), sha256: row.sha256, contentType: row.content_type }]));
}

export async function findPicture(db: Database, targetId: number): Promise<{ contentType: string; bytes: Buffer; sha256: string } | undefined> {
  const row = await db.selectFrom('target_pictures').select(['content_type', 'bytes', 'sha256']).where('target_id', '=', targetId).executeTakeFirst();
  return row ? { contentType: row.content_type, bytes: Buffer.from(row.bytes), sha256: row.sha256 } : undefined;
}

export async function savePicture(db: Database, options: { userId: number; target: Target; file: Buffer }): Promise<void> {
  const picture = stripImageMetadata(options.file);
  if (!picture) {
    throw new AppError('validation_failed', 'That file is not a JPEG, PNG or WebP picture.', {
      fields: { picture: 'accountability.errors.picture' },
    });
  }
  const sha256 = createHash('sha256').update(picture.bytes).digest('hex');
  const row = { content_type: picture.type, bytes: picture.bytes, sha256, updated_at: new Date().toISOString() };
  await changeThenForget(db, async (trx) => {
    await trx
      .insertInto('target_pictures')
      .values({ target_id: options.target.id, ...row })
      .onConflict((oc) => oc.column('target_id').doUpdateSet(row))
      .execute();
    await recordAudit(trx, {
      userId: options.userId,
      action: 'target.picture',
      entityType: 'target',
      entityId: options.target.id,
      changes: { picture: [null, sha256.slice(0, 16)] },
    });
    await touchCampaign(trx, options.target.campaignId);
  });
}

export async function deletePicture(db: Database, options: { userId: number; target: Target }): Promise<void> {
  await changeThenForget(db, async (trx) => {
    const deleted = await trx.deleteFrom('target_pictures').where('target_id', '=', options.target.id).executeTakeFirst();
    if (Number(deleted.numDeletedRows) === 0) return;
    await recordAudit(trx, {
      userId: options.userId,
      action: 'target.picture',
      entityType: 'target',
      entityId: options.target.id,
      changes: { picture: ['removed', null] },
    });
    await touchCampaign(trx, options.target.campaignId);
  });
}
