/**
 * Counts across processes (PostgreSQL only): a web app hears another app's confirmation through the count signal,
 * before its own one-second refresh would have read it.
 */
import { Writable } from 'node:stream';
import { describe, expect, inject, it } from 'vitest';
import { startTestApp } from '../../../../test/helpers/app.ts';
import { makeCampaign, makePetition } from '../../../../test/helpers/factories.ts';
import { buildApp } from '../../../app.ts';
import { openDatabase } from '../../../db/database.ts';
import { createLogger } from '../../../log.ts';

const hasPostgres = inject('hasPostgres');

describe.skipIf(!hasPostgres)('count signals [postgres]', () => {
  const logger = createLogger({ level: 'info', destination: new Writable({ write: (_chunk, _encoding, callback) => callback() }) });

  it('lets a web app hear a confirmation committed by another app on the same database, before its own poll', async () => {
    const appA = await startTestApp('postgres');
    try {
      // A second app on A's schema, as a second process would be; its poll slowed so only the signal can be quick.
      const databaseB = openDatabase({ url: appA.config.databaseUrl, poolSize: 2 });
      const appB = await buildApp({ config: appA.config, database: databaseB, logger });
      try {
        appB.countBoard.stop();
        appB.countBoard.start(60_000);
        const campaign = await makeCampaign(appA.db, { status: 'published' });
        const petition = await makePetition(appA.db, campaign.id);
        await appB.countBoard.refresh();
        const changed: number[] = [];
        appB.countBoard.onChange((ids) => changed.push(...ids));

        await appA.db.insertInto('count_events').values({ petition_id: petition.id, country: 'GB', delta: 1, created_at: new Date().toISOString() }).execute();
        appA.app.countBoard.changedHere();
        await expect.poll(() => appB.countBoard.count(petition.id).total, { timeout: 1500, interval: 10 }).toBe(1);
        expect(changed).toContain(petition.id);
      } finally {
        await appB.close();
        await databaseB.close();
      }
    } finally {
      await appA.close();
    }
  });
});
