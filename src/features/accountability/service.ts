/**
 * Recording targets, asks and statements: each change in one transaction with its audit entry, and the campaign
 * marked changed, so its cached pages (which show the scoreboard) are rendered afresh. This process forgets its
 * cached reads of the campaign at once; other processes within the read cache's second.
 */
import type { Database } from '../../db/database.ts';
import { changeThenForget } from '../../db/read-cache.ts';
import { AppError } from '../../errors.ts';
import { recordAudit } from '../audit/index.ts';
import { touchCampaign } from '../campaigns/index.ts';
import type { AskInput, StatementInput, Target, TargetInput } from './model.ts';
import {
  deleteAskRow,
  deleteStatementRow,
  deleteTargetRow,
  findAskById,
  findStatementById,
  findTargetById,
  insertAsk,
  insertStatement,
  insertTarget,
  updateTargetRow,
} from './queries.ts';

type Actor = { userId: number | null };

export async function getTarget(db: Database, id: number | undefined): Promise<Target> {
  const target = id === undefined ? undefined : await findTargetById(db, id);
  if (!target) throw new AppError('not_found', 'No such target.');
  return target;
}

export async function createTarget(db: Database, options: Actor & { campaignId: number; input: TargetInput }): Promise<number> {
  return changeThenForget(db, async (trx) => {
    const id = await insertTarget(trx, options.campaignId, options.input, new Date().toISOString());
    await recordAudit(trx, {
      userId: options.userId,
      action: 'target.create',
      entityType: 'target',
      entityId: id,
      changes: { name: [null, nameOf(options.input)] },
    });
    await touchCampaign(trx, options.campaignId);
    return id;
  });
}

export async function updateTarget(db: Database, options: Actor & { target: Target; input: TargetInput }): Promise<void> {
  await changeThenForget(db, async (trx) => {
    await updateTargetRow(trx, options.target.id, options.input, new Date().toISOString());
    await recordAudit(trx, {
      userId: options.userId,
      action: 'target.update',
      entityType: 'target',
      entityId: options.target.id,
      changes: { name: [nameOf(options.target), nameOf(options.input)] },
    });
    await touchCampaign(trx, options.target.campaignId);
  });
}

export async function deleteTarget(db: Database, options: Actor & { target: Target }): Promise<void> {
  await changeThenForget(db, async (trx) => {
    await deleteTargetRow(trx, options.target.id);
    await recordAudit(trx, {
      userId: options.userId,
      action: 'target.delete',
      entityType: 'target',
      entityId: options.target.id,
      changes: { name: [nameOf(options.target), null] },
    });
    await touchCampaign(trx, options.target.campaignId);
  });
}

export async function addAsk(db: Database, options: Actor & { target: Target; input: AskInput }): Promise<number> {
  return changeThenForget(db, async (trx) => {
    const id = await insertAsk(trx, options.target.id, options.input, new Date().toISOString());
    await recordAudit(trx, {
      userId: options.userId,
      action: 'ask.create',
      entityType: 'target',
      entityId: options.target.id,
      changes: { ask: [null, `${options.input.askedOn} ${options.input.channel}`] },
    });
    await touchCampaign(trx, options.target.campaignId);
    return id;
  });
}

/**
 * Records an ask inside another feature's transaction (a letter delivered to its targets): the caller marks the
 * campaign changed. Audited as any ask.
 */
export async function recordAskWithin(trx: Database, options: Actor & { targetId: number; input: AskInput }): Promise<number> {
  const id = await insertAsk(trx, options.targetId, options.input, new Date().toISOString());
  await recordAudit(trx, {
    userId: options.userId,
    action: 'ask.create',
    entityType: 'target',
    entityId: options.targetId,
    changes: { ask: [null, `${options.input.askedOn} ${options.input.channel}`] },
  });
  return id;
}

export async function deleteAsk(db: Database, options: Actor & { askId: number | undefined }): Promise<Target> {
  return changeThenForget(db, async (trx) => {
    const ask = options.askId === undefined ? undefined : await findAskById(trx, options.askId);
    if (!ask) throw new AppError('not_found', 'No such ask.');
    const target = await getTarget(trx, ask.targetId);
    await deleteAskRow(trx, ask.id);
    await recordAudit(trx, {
      userId: options.userId,
      action: 'ask.delete',
      entityType: 'target',
      entityId: target.id,
      changes: { ask: [`${ask.askedOn} ${ask.channel}`, null] },
    });
    await touchCampaign(trx, target.campaignId);
    return target;
  });
}

export async function addStatement(db: Database, options: Actor & { target: Target; input: StatementInput }): Promise<number> {
  return changeThenForget(db, async (trx) => {
    const id = await insertStatement(trx, options.target.id, options.input, new Date().toISOString());
    const { statedOn, stance, answersAsk } = options.input;
    await recordAudit(trx, {
      userId: options.userId,
      action: 'statement.create',
      entityType: 'target',
      entityId: options.target.id,
      changes: { statement: [null, `${statedOn} ${stance}${answersAsk ? ' (answers)' : ''}`] },
    });
    await touchCampaign(trx, options.target.campaignId);
    return id;
  });
}

export async function deleteStatement(db: Database, options: Actor & { statementId: number | undefined }): Promise<Target> {
  return changeThenForget(db, async (trx) => {
    const statement = options.statementId === undefined ? undefined : await findStatementById(trx, options.statementId);
    if (!statement) throw new AppError('not_found', 'No such statement.');
    const target = await getTarget(trx, statement.targetId);
    await deleteStatementRow(trx, statement.id);
    await recordAudit(trx, {
      userId: options.userId,
      action: 'statement.delete',
      entityType: 'target',
      entityId: target.id,
      changes: { statement: [`${statement.statedOn} ${statement.stance}`, null] },
    });
    await touchCampaign(trx, target.campaignId);
    return target;
  });
}

function nameOf(target: Pick<TargetInput, 'texts'>): string {
  return Object.values(target.texts)[0]?.name ?? '';
}
