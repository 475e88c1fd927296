/**
 * ORGANISATION_KEY_ID pins the key signatures are sealed to: whoever can write the database cannot redirect new
 * signatures to a key of their own, neither by activating another key nor by a row that borrows the pinned id.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableDialects, startTestApp, type TestContext } from '../../../../test/helpers/app.ts';
import { makeCampaign, makePetition, signFields } from '../../../../test/helpers/factories.ts';
import { Browser } from '../../../../test/helpers/http.ts';
import { generateOrganisationKeyPair, type OrganisationKeyPair } from '../../../crypto/hpke.ts';
import { activateOrganisationKey } from '../../keys/index.ts';

for (const dialect of availableDialects()) {
  describe(`pinned organisation key [${dialect}]`, () => {
    let context: TestContext & { close(): Promise<void> };
    let pinned: OrganisationKeyPair;

    beforeAll(async () => {
      pinned = await generateOrganisationKeyPair();
      context = await startTestApp(dialect, { ORGANISATION_KEY_ID: pinned.keyId });
    });
    afterAll(async () => {
      await context?.close();
    });

    async function signatureCount(petitionId: number): Promise<number> {
      const rows = await context.db.selectFrom('signatures').select('id').where('petition_id', '=', petitionId).execute();
      return rows.length;
    }

    it('seals to the pinned key, and refuses to seal to any other the database names', async () => {
      const { app, db } = context;
      const campaign = await makeCampaign(db, { status: 'published' });
      const petition = await makePetition(db, campaign.id);
      const sign = () => new Browser(app).post(`/c/${campaign.input.slug}/sign`, signFields(app));

      await activateOrganisationKey(db, pinned);
      app.signing.sealer.keyChanged();
      expect((await sign()).statusCode).toBe(303);
      expect(await signatureCount(petition.id)).toBe(1);

      // Someone with write access to the database activates a key of their own.
      const theirs = await generateOrganisationKeyPair();
      await activateOrganisationKey(db, theirs);
      app.signing.sealer.keyChanged();
      const refused = await sign();
      expect(refused.statusCode).toBe(503);
      expect(refused.body).toContain('Signing is not set up yet');

      // Or keeps the pinned id beside their own public key.
      await db.updateTable('organisation_keys').set({ active: 0 }).execute();
      await db
        .updateTable('organisation_keys')
        .set({ active: 1, public_key: theirs.publicKey.toString('base64url') })
        .where('key_id', '=', pinned.keyId)
        .execute();
      app.signing.sealer.keyChanged();
      expect((await sign()).statusCode).toBe(503);
      expect(await signatureCount(petition.id)).toBe(1);
      const windows = await db.selectFrom('sealing_windows').select('key_id').execute();
      expect(new Set(windows.map((w) => w.key_id))).toEqual(new Set([pinned.keyId]));
    });

    it('refuses a pin that is not a key id, naming the setting', async () => {
      await expect(startTestApp(dialect, { ORGANISATION_KEY_ID: 'not a key' })).rejects.toThrow(/ORGANISATION_KEY_ID must be a key id/);
    });
  });
}
