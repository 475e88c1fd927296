/**
 * The petitions part of a campaign page: which petitions, their counts, milestones and recent signers, rendered as
 * sections. The campaign page is cached per "version"; this file says what the petitions add to that version.
 */
import type { VNode } from 'preact';
import type { Database } from '../../db/database.ts';
import type { FieldErrors } from '../../errors.ts';
import type { PageContext } from '../../web/context.ts';
import type { FormValues } from '../../web/fields.tsx';
import type { Campaign } from '../campaigns/model.ts';
import { cachedCampaignLookup } from '../campaigns/cache.ts';
import type { CountBoard } from './count-board.ts';
import { mainPetition, type Petition } from './model.ts';
import { countMilestonesReached, listMilestonesReached, listPetitionsOfCampaign, listRecentPublicSigners } from './queries.ts';
import { PetitionSection, type FormTokens } from './views.tsx';
import { SignatureMap } from '../map/world-map.tsx';

const RECENT_SIGNERS = 8;

export function petitionsOfCampaign(db: Database, campaignId: number): Promise<Petition[]> {
  return cachedCampaignLookup(db, `petitions:${campaignId}`, () => listPetitionsOfCampaign(db, campaignId));
}

/**
 * Changes whenever what the sections show could change: a petition edited, a count moved. The map shows counts per
 * country, which can change with the total unchanged (a withdrawal here, a confirmation there): the count's updatedAt
 * is renewed by the CountBoard exactly when the total or any country's count changes, so it stands for all of them.
 */
export function petitionsVersion(board: CountBoard, petitions: Petition[]): string {
  return petitions.map((p) => `${p.id}@${p.updatedAt}#${board.count(p.id).total}~${board.count(p.id).updatedAt}`).join(',');
}

/**
 * Milestones are recorded by the worker a few seconds after the count reaches them, with no change to the count
 * itself: a page rendered in between would keep showing none. So the version also carries how many are recorded,
 * read at most every two seconds, and only once a count has reached some milestone.
 */
export async function milestonesVersion(db: Database, board: CountBoard, campaignId: number, petitions: Petition[]): Promise<string> {
  const reachable = petitions.filter((p) => p.milestones.some((m) => m <= board.count(p.id).total));
  if (reachable.length === 0) return 'm0';
  const recorded = await cachedCampaignLookup(db, `milestones:${campaignId}`, () => countMilestonesReached(db, reachable.map((p) => p.id)));
  return `m${recorded}`;
}

export async function renderPetitionSections(options: {
  db: Database;
  board: CountBoard;
  ctx: PageContext;
  campaign: Campaign;
  petitions: Petition[];
  tokens: FormTokens;
  /** A rejected submission to show again, with its errors, on the petition it was for. */
  rejected?: { petitionId: number; values: FormValues; errors: FieldErrors };
  requireProofOfWork: boolean;
}): Promise<VNode[]> {
  const { db, board, ctx, campaign, petitions, tokens, rejected, requireProofOfWork } = options;
  const sections: VNode[] = [];
  // The campaign's main petition (the one count.json reports) gets the map of where people signed.
  const main = mainPetition(petitions);
  for (const petition of petitions) {
    const [milestones, recent] = await Promise.all([listMilestonesReached(db, petition.id), listRecentPublicSigners(db, petition.id, RECENT_SIGNERS)]);
    const isRejected = rejected?.petitionId === petition.id;
    sections.push(
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
      />,
    );
    if (petition === main) sections.push(<SignatureMap ctx={ctx} petitionId={petition.id} byCountry={board.count(petition.id).byCountry} />);
  }
  return sections;
}
