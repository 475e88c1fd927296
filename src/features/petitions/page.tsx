/**
 * The petitions' part of a campaign page: each petition with its count, milestones, recent signers and form. The page
 * is cached per version; `version` says what the petitions add to it.
 */
import type { FastifyInstance } from 'fastify';
import type { Database } from '../../db/database.ts';
import { cachedRead } from '../../db/read-cache.ts';
import type { CampaignSection } from '../campaigns/index.ts';
import type { CountBoard } from './counting/count-board.ts';
import type { Petition } from './model.ts';
import { countMilestonesReached, listMilestonesReached, listRecentPublicSigners } from './queries.ts';
import { petitionsOfCampaign } from './service.ts';
import { PetitionSection } from './views.tsx';

const RECENT_SIGNERS = 8;

/**
 * Changes whenever what the sections show could change: a petition edited, a count moved. Counts per country can change
 * with the total unchanged (a withdrawal here, a confirmation there): the count's updatedAt is renewed by the
 * CountBoard exactly when the total or any country's count changes, so it stands for all of them.
 */
function petitionsVersion(board: CountBoard, petitions: Petition[]): string {
  return petitions.map((p) => `${p.id}@${p.updatedAt}#${board.count(p.id).total}~${board.count(p.id).updatedAt}`).join(',');
}

/**
 * Milestones are recorded by the worker a few seconds after the count reaches them, with no change to the count
 * itself: a page rendered in between would keep showing none. So the version also carries how many are recorded,
 * read at most every two seconds, and only once a count has reached some milestone.
 */
async function milestonesVersion(db: Database, board: CountBoard, campaignId: number, petitions: Petition[]): Promise<string> {
  const reachable = petitions.filter((p) => p.milestones.some((m) => m <= board.count(p.id).total));
  if (reachable.length === 0) return 'm0';
  const recorded = await cachedRead(db, `milestones:${campaignId}`, () =>
    countMilestonesReached(
      db,
      reachable.map((p) => p.id),
    ),
  );
  return `m${recorded}`;
}

async function requiresProofOfWork(app: FastifyInstance): Promise<boolean> {
  return (await app.switches.get()).requireProofOfWork;
}

export const petitionSections: CampaignSection = {
  async version({ app, campaign }) {
    const { db } = app.deps.database;
    const petitions = await petitionsOfCampaign(db, campaign.id);
    return `${petitionsVersion(app.countBoard, petitions)}|${await milestonesVersion(db, app.countBoard, campaign.id, petitions)}|pow:${await requiresProofOfWork(app)}`;
  },
  async render({ app, ctx, campaign, tokens, rejected }) {
    const { db } = app.deps.database;
    const board = app.countBoard;
    const requireProofOfWork = await requiresProofOfWork(app);
    const petitions = await petitionsOfCampaign(db, campaign.id);
    return Promise.all(
      petitions.map(async (petition) => {
        const [milestones, recent] = await Promise.all([listMilestonesReached(db, petition.id), listRecentPublicSigners(db, petition.id, RECENT_SIGNERS)]);
        const isRejected = rejected?.form === String(petition.id);
        return (
          <PetitionSection
            ctx={ctx}
            slug={campaign.slug}
            petition={petition}
            fallbackLocales={campaign.locales}
            count={board.count(petition.id)}
            milestones={milestones}
            recent={recent}
            tokens={tokens}
            requireProofOfWork={requireProofOfWork}
            {...(isRejected ? { values: rejected.values, errors: rejected.errors } : {})}
          />
        );
      }),
    );
  },
};
