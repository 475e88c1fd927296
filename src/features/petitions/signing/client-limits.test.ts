/**
 * Per-client signing limits count an IPv6 /64 as one client: the block one connection gets holds 2^64 addresses, each
 * of which would otherwise be a fresh client.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableDialects, startTestApp, type TestContext } from '../../../../test/helpers/app.ts';
import { makeCampaign, makeOrganisationKey, makePetition, signFields } from '../../../../test/helpers/factories.ts';

for (const dialect of availableDialects()) {
  describe(`signing limits per client [${dialect}]`, () => {
    let context: TestContext & { close(): Promise<void> };

    beforeAll(async () => {
      context = await startTestApp(dialect, { TRUST_PROXY: 'loopback' });
      await makeOrganisationKey(context.db, context.app.signing.sealer);
    });
    afterAll(async () => {
      await context?.close();
    });

    it('refuses the 61st quick signature from one /64, whatever address in it each comes from', async () => {
      const { app, db } = context;
      const campaign = await makeCampaign(db, { status: 'published' });
      await makePetition(db, campaign.id);
      const sign = (address: string) =>
        app.inject({
          method: 'POST',
          url: `/c/${campaign.input.slug}/sign`,
          remoteAddress: '127.0.0.1',
          headers: { 'content-type': 'application/json', accept: 'application/json', 'x-forwarded-for': address },
          payload: JSON.stringify({ ...signFields(app), consent: true }),
        });
      // All at once, as a script would send them (the bucket refills one a second).
      const responses = await Promise.all(Array.from({ length: 61 }, (_, i) => sign(`2001:db8:7:9:${(i + 1).toString(16)}::${(i + 1).toString(16)}`)));
      const statuses = responses.map((response) => response.statusCode);
      expect(statuses.filter((status) => status === 202)).toHaveLength(60);
      expect(statuses.filter((status) => status === 429)).toHaveLength(1);
      // Another /64 is another client.
      expect((await sign('2001:db8:7:a::1')).statusCode).toBe(202);
    });
  });
}
