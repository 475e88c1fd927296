/**
 * The published ledger, for anyone to check with `outcry evidence check` or openssl: the latest signed export of a
 * campaign exactly as it was signed, its signature, and the public key that made it.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { cachedRead } from '../../db/read-cache.ts';
import { AppError } from '../../errors.ts';
import { getPublicCampaign } from '../campaigns/index.ts';
import { findLatestPublishedExport, type PublishedExport } from './queries.ts';

type SlugParams = { Params: { slug: string } };

// Public and cacheable like the campaign's other JSON; a minute, so that the three files, fetched one after another
// just after a new export is published, are seldom from two different exports.
const CACHE_CONTROL = 'public, max-age=60';

export function registerEvidenceRoutes(app: FastifyInstance): void {
  const { db } = app.deps.database;

  async function publishedLedger(slug: string): Promise<PublishedExport> {
    const campaign = await getPublicCampaign(db, slug);
    const published = await cachedRead(db, `evidence-ledger:${campaign.id}`, () => findLatestPublishedExport(db, campaign.id));
    if (!published) throw new AppError('not_found', 'This campaign has not published a signed evidence ledger yet.', { messageKey: 'evidence.notPublished' });
    return published;
  }

  const send = (reply: FastifyReply, type: string, body: Buffer | string) => reply.header('cache-control', CACHE_CONTROL).type(type).send(body);

  app.get<SlugParams>('/c/:slug/evidence/ledger.json', async (request, reply) => {
    const published = await publishedLedger(request.params.slug);
    return send(reply, 'application/json', published.body);
  });

  app.get<SlugParams>('/c/:slug/evidence/ledger.json.sig', async (request, reply) => {
    const published = await publishedLedger(request.params.slug);
    return send(reply, 'application/octet-stream', published.signature);
  });

  app.get<SlugParams>('/c/:slug/evidence/signing-key.pem', async (request, reply) => {
    const published = await publishedLedger(request.params.slug);
    return send(reply, 'application/x-pem-file', published.publicKey);
  });
}
