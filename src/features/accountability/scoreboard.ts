/** A campaign's targets with everything asked of them and said by them, and where each stands today. */
import type { Database } from '../../db/database.ts';
import { type Ask, type Standing, type Statement, type Target, standingOf } from './model.ts';
import { listPictureSummaries, pictureUrl } from './pictures.ts';
import { listAsksOfTargets, listStatementsOfTargets, listTargetsOfCampaign } from './queries.ts';

export interface ScoreboardEntry {
  target: Target;
  asks: Ask[];
  statements: Statement[];
  standing: Standing;
  /** Where the target's picture is served, if it has one. */
  pictureUrl: string | undefined;
}

export async function loadScoreboard(db: Database, campaignId: number, today: string): Promise<ScoreboardEntry[]> {
  const targets = await listTargetsOfCampaign(db, campaignId);
  const ids = targets.map((t) => t.id);
  const [asks, statements, pictures] = await Promise.all([listAsksOfTargets(db, ids), listStatementsOfTargets(db, ids), listPictureSummaries(db, ids)]);
  return targets.map((target) => {
    const own = { asks: asks.filter((a) => a.targetId === target.id), statements: statements.filter((s) => s.targetId === target.id) };
    return { target, ...own, standing: standingOf(own.asks, own.statements, today), pictureUrl: pictureUrl(pictures.get(target.id)) };
  });
}
