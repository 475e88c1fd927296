/**
 * Petitions: a campaign's petitions and their sections of the campaign page, signing (signing/), counting with the
 * live refresh and milestones (counting/), the organisers' petition pages, and `outcry export signatures`.
 */
import { deriveKey } from '../../crypto/keys.ts';
import type { Feature } from '../../feature.ts';
import { SpentStamps } from '../../web/form-stamp.ts';
import { TokenBucketLimiter } from '../../web/rate-limit.ts';
import en from './locales/en.json' with { type: 'json' };
import ru from './locales/ru.json' with { type: 'json' };
import { campaignPetitionsSection } from './admin-section.tsx';
import { registerPetitionAdminRoutes } from './admin-routes.tsx';
import { addPetitionCommands } from './cli.ts';
import { CountBoard } from './counting/count-board.ts';
import { connectCountSignals } from './counting/count-signals.ts';
import { foldCountEvents, recountSignatures } from './counting/counters.ts';
import { milestoneMail, recordReachedMilestones } from './counting/milestones.ts';
import { addDemoPetition } from './demo.ts';
import { petitionSections } from './page.tsx';
import { confirmationMail, confirmationMailJobs, confirmationMails } from './signing/mails.ts';
import { registerSigningMetrics } from './signing/metrics.ts';
import { registerSigningRoutes } from './signing/routes.tsx';
import { SupporterSealer } from './signing/sealer.ts';
import type { SigningDeps } from './signing/sign.ts';
import { signatureStoreFor } from './signing/signature-store.ts';
import { SignatureWriter } from './signing/signature-writer.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The counts every page and live listener shows, refreshed each second (and at once on a count signal). */
    countBoard: CountBoard;
    /** What signing needs: the sealer, the group-commit writer, keys and per-client limits. */
    signing: SigningDeps;
  }
}

export const petitions: Feature = {
  name: 'petitions',
  needs: ['admin', 'audit', 'campaigns', 'keys', 'switches'],
  locales: { en, ru },
  async register(app) {
    const { config, database, logger } = app.deps;
    const { db } = database;
    const { dataKey, formStamp } = app.deps.keys;
    const countBoard = new CountBoard(db, app.switches);
    await countBoard.refresh();
    countBoard.start();
    const disconnect = await connectCountSignals({ database, board: countBoard, logger });
    app.addHook('onClose', async () => {
      countBoard.stop();
      await disconnect();
    });
    app.decorate('countBoard', countBoard);
    const metrics = registerSigningMetrics(app.metrics);
    const writer = new SignatureWriter(signatureStoreFor(database), (mails) => confirmationMailJobs(dataKey, mails), app.deps.onJobQueued, metrics.batch);
    // Runs once no connection is left; a signature whose signer went away meanwhile is still committed before the database closes.
    app.addHook('onClose', () => writer.drained());
    app.decorate('signing', {
      db,
      switches: app.switches,
      sealer: new SupporterSealer(db, config.organisationKeyId),
      writer,
      keys: {
        pepper: deriveKey(config.secretKey, 'signature-pepper'),
        withdrawLink: deriveKey(config.secretKey, 'withdraw-link'),
        formStamp,
        dataKey,
      },
      // Ten signatures in a burst from one address, then one every six seconds, before they are marked for review;
      // sixty a burst and one a second before the address is refused for a while. A school or an office behind
      // one address can still sign; a script cannot flood the count.
      softLimiter: new TokenBucketLimiter({ capacity: 10, refillPerSecond: 1 / 6 }),
      hardLimiter: new TokenBucketLimiter({ capacity: 60, refillPerSecond: 1 }),
      spentStamps: new SpentStamps(),
      metrics,
    });
    registerSigningRoutes(app);
    registerPetitionAdminRoutes(app);
  },
  jobs: [confirmationMail, confirmationMails, milestoneMail],
  tasks: [
    { name: 'fold-counts', everyMs: 2000, run: async ({ database }) => void (await foldCountEvents(database)) },
    { name: 'milestones', everyMs: 5000, run: async ({ db, dataKey }) => void (await recordReachedMilestones(db, dataKey)) },
    { name: 'recount', everyMs: 24 * 60 * 60 * 1000, run: ({ database }) => recountSignatures(database) },
  ],
  campaignSections: [petitionSections],
  campaignAdminSections: [campaignPetitionsSection],
  demo: addDemoPetition,
  cli: addPetitionCommands,
};

export { getPetitionForAdmin } from './admin-service.ts';
export { canonicalEmail, isValidEmail } from './signing/email.ts';
export { appendCountEvent } from './counting/count-events.ts';
export type { CountBoard, PetitionCount } from './counting/count-board.ts';
export { mainPetition, petitionTextFor, type Petition, type PetitionInput } from './model.ts';
export { petitionsOfCampaign } from './service.ts';
export { listMilestonesReached, type MilestoneReached } from './queries.ts';
export { isSuspectReason, MODERATOR_REASON, suspectReasonLabelKeys, type SuspectReason } from './suspect-reasons.ts';
