import { createHash } from 'node:crypto';
import { beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../../../test/helpers/app.ts';
import { Browser } from '../../../../test/helpers/http.ts';
import { makeCampaign, makeOrganisationKey, makePetition, signFields } from '../../../../test/helpers/factories.ts';
import { setSwitch } from '../../switches/switches.ts';
import { issueFormStamp, SharedFormStamp } from '../../../web/form-stamp.ts';
import { leadingZeroBits, POW_BITS } from './proof-of-work.ts';

function solve(stamp: string): string {
  for (let n = 0; ; n += 1) {
    if (leadingZeroBits(createHash('sha256').update(`${stamp}:${n}`).digest()) >= POW_BITS) return String(n);
  }
}

describeEachDialect('the proof-of-work kill switch', (ctx) => {
  let slug: string;
  let petitionId: number;
  beforeAll(async () => {
    const { db, app } = ctx();
    await makeOrganisationKey(db, app.signing.sealer);
    const campaign = await makeCampaign(db, { status: 'published' });
    slug = campaign.input.slug;
    petitionId = (await makePetition(db, campaign.id)).id;
    await setSwitch(db, 'requireProofOfWork', true);
    app.switches.invalidate();
  });

  const signatureOf = async (email: string) => {
    const rows = await ctx()
      .db.selectFrom('signatures')
      .select(['suspect', 'suspect_reason', 'created_at'])
      .where('petition_id', '=', petitionId)
      .orderBy('id', 'desc')
      .execute();
    return { rows, email };
  };

  it('puts the puzzle in the form', async () => {
    const page = await new Browser(ctx().app).get(`/c/${slug}`);
    expect(page.body).toContain(`data-pow-bits="${POW_BITS}"`);
    expect(page.body).toContain('name="pow"');
  });

  it('accepts a solved puzzle once, and asks a form without one to wait', async () => {
    const browser = new Browser(ctx().app);
    const stamp = issueFormStamp(ctx().app.deps.keys.formStamp, Date.now() - 5000);
    const solved = await browser.post(`/c/${slug}/sign`, signFields(ctx().app, { ts: stamp, pow: solve(stamp) }));
    expect(solved.statusCode).toBe(303);
    const { rows } = await signatureOf('');
    expect(rows[0]).toMatchObject({ suspect: 0, suspect_reason: null });

    const before = rows.length;
    const replayed = await browser.post(`/c/${slug}/sign`, signFields(ctx().app, { ts: stamp, pow: solve(stamp) }));
    expect(replayed.statusCode).toBe(400);
    expect(replayed.body).toContain('Please wait 20 seconds');
    const without = await browser.post(`/c/${slug}/sign`, signFields(ctx().app));
    expect(without.statusCode).toBe(400);
    expect((await signatureOf('')).rows).toHaveLength(before);
  });

  it("counts a puzzle only for a visitor's own stamp: one solved for the cached page's shared stamp is anyone's", async () => {
    const { app } = ctx();
    const before = (await signatureOf('')).rows.length;
    const shared = new SharedFormStamp(app.deps.keys.formStamp).stamp(Date.now() - 5000);
    const response = await new Browser(app).post(`/c/${slug}/sign`, signFields(app, { ts: shared, pow: solve(shared) }));
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('Please wait 20 seconds');
    expect((await signatureOf('')).rows).toHaveLength(before);
  });

  it('takes a form without JavaScript after a person-like wait, marked for review', async () => {
    const stamp = issueFormStamp(ctx().app.deps.keys.formStamp, Date.now() - 25_000);
    const response = await new Browser(ctx().app).post(`/c/${slug}/sign`, signFields(ctx().app, { ts: stamp }));
    expect(response.statusCode).toBe(303);
    const { rows } = await signatureOf('');
    expect(rows[0]).toMatchObject({ suspect: 1, suspect_reason: 'no-proof-of-work' });
  });
});
