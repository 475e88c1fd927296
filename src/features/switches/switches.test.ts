/**
 * Kill switches from the admin, on both databases: flipping one takes effect at once in this process (no restart),
 * within a second in any other, is audited with before and after, and only owners and editors may flip them.
 */
import { beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/helpers/app.ts';
import { Browser } from '../../../test/helpers/http.ts';
import { loggedIn, makeCampaign, makeOrganisationKey, makePetition, queuedConfirmations, signFields } from '../../../test/helpers/factories.ts';
import { listAuditEntries } from '../audit/queries.ts';
import { foldCountEvents } from '../petitions/counting/counters.ts';
import { confirmSignature } from '../petitions/signing/confirm.ts';
import { SwitchBoard } from './switches.ts';

describeEachDialect('kill switches', (ctx) => {
  beforeAll(async () => {
    await makeOrganisationKey(ctx().db, ctx().app.signing.sealer);
  });

  it('pauses signing at once when an editor turns it on, and resumes when turned off, auditing both', async () => {
    const campaign = await makeCampaign(ctx().db, { status: 'published' });
    await makePetition(ctx().db, campaign.id);
    const signUrl = `/c/${campaign.input.slug}/sign`;
    expect((await new Browser(ctx().app).post(signUrl, signFields(ctx().app))).statusCode).toBe(303);

    // Another process: it has read the switches already, and re-reads them after its one-second cache.
    const elsewhere = new SwitchBoard(ctx().db);
    const start = Date.now();
    expect((await elsewhere.get(start)).signingPaused).toBe(false);

    const { browser, user } = await loggedIn(ctx().app, ctx().db, 'editor');
    const page = await browser.get('/admin/switches');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Pause signing');
    expect(page.body).toContain('Pause counting');
    expect(page.body).toContain('Require proof of work');
    expect(page.body).toContain('Require proof of work on intake');
    expect(page.body.match(/<strong>off<\/strong>/g)?.length).toBe(4);

    const on = await browser.post('/admin/switches', { name: 'signingPaused', state: 'on' });
    expect(on.statusCode).toBe(303);
    expect(on.headers.location).toBe('/admin/switches?done=on&switch=signingPaused');
    expect((await browser.get(String(on.headers.location))).body).toContain('“Pause signing” is now on.');

    // No restart, no wait: the very next signature is refused politely.
    const refused = await new Browser(ctx().app).post(signUrl, signFields(ctx().app), { headers: { 'accept-language': 'en' } });
    expect(refused.statusCode).toBe(503);
    expect(refused.body).toContain('Signing is paused for a moment.');
    const json = await ctx().app.inject({
      method: 'POST',
      url: signUrl,
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      payload: JSON.stringify(signFields(ctx().app)),
    });
    expect(json.statusCode).toBe(503);
    expect((await elsewhere.get(start + 1001)).signingPaused).toBe(true);

    expect((await browser.post('/admin/switches', { name: 'signingPaused', state: 'off' })).statusCode).toBe(303);
    expect((await new Browser(ctx().app).post(signUrl, signFields(ctx().app))).statusCode).toBe(303);

    const audit = (await listAuditEntries(ctx().db, { limit: 50 })).filter((e) => e.entityType === 'switch');
    expect(audit.slice(0, 2).map((e) => [e.action, e.entityId, e.changes, e.userEmail])).toEqual([
      ['switch.set', 'signingPaused', { signingPaused: ['on', 'off'] }, user.email],
      ['switch.set', 'signingPaused', { signingPaused: ['off', 'on'] }, user.email],
    ]);
  });

  it('records nothing when a switch is set to the state it is in, and refuses unknown switches', async () => {
    const { browser } = await loggedIn(ctx().app, ctx().db, 'owner');
    const before = (await listAuditEntries(ctx().db, { limit: 200 })).length;
    const same = await browser.post('/admin/switches', { name: 'countingPaused', state: 'off' });
    expect(same.headers.location).toBe('/admin/switches?done=unchanged');
    expect((await listAuditEntries(ctx().db, { limit: 200 })).length).toBe(before);
    expect((await browser.post('/admin/switches', { name: 'everything', state: 'on' })).statusCode).toBe(400);
    expect((await browser.post('/admin/switches', { name: 'countingPaused', state: 'maybe' })).statusCode).toBe(400);
    expect((await browser.post('/admin/switches', { name: ['countingPaused', 'signingPaused'], state: 'on' })).statusCode).toBe(400);
    expect((await browser.post('/admin/switches', { name: 'countingPaused', state: 'on' }, { csrf: false })).statusCode).toBe(403);
    expect((await ctx().app.switches.get()).countingPaused).toBe(false);
  });

  it('freezes the counts while counting is paused, and catches up when it is turned off', async () => {
    const campaign = await makeCampaign(ctx().db, { status: 'published' });
    const petition = await makePetition(ctx().db, campaign.id);
    const board = ctx().app.countBoard;
    const signAndConfirm = async () => {
      const fields = signFields(ctx().app);
      expect((await new Browser(ctx().app).post(`/c/${campaign.input.slug}/sign`, fields)).statusCode).toBe(303);
      const mail = (await queuedConfirmations(ctx().app, { petitionId: petition.id })).find((m) => m.to === fields['email']);
      await confirmSignature(ctx().db, mail!.confirmToken);
      await foldCountEvents(ctx().database);
      await board.refresh();
    };
    await signAndConfirm();
    expect(board.count(petition.id).total).toBe(1);

    const { browser } = await loggedIn(ctx().app, ctx().db, 'owner');
    expect((await browser.post('/admin/switches', { name: 'countingPaused', state: 'on' })).statusCode).toBe(303);
    const page = await browser.get('/admin/switches?lang=ru');
    expect(page.body).toContain('Приостановить подсчёт');
    expect(page.body).toContain('<strong>включено</strong>');
    await signAndConfirm();
    expect(board.count(petition.id).total).toBe(1);

    expect((await browser.post('/admin/switches', { name: 'countingPaused', state: 'off' })).statusCode).toBe(303);
    await board.refresh();
    expect(board.count(petition.id).total).toBe(2);
  });

  it('shows moderators the switches without letting them flip any', async () => {
    const { browser } = await loggedIn(ctx().app, ctx().db, 'moderator');
    const page = await browser.get('/admin/switches');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Your role can see the switches but not change them.');
    expect(page.body).not.toContain('action="/admin/switches"');
    expect((await browser.post('/admin/switches', { name: 'signingPaused', state: 'on' })).statusCode).toBe(403);
    expect((await ctx().app.switches.get()).signingPaused).toBe(false);
    expect((await new Browser(ctx().app).get('/admin/switches')).statusCode).toBe(303);
  });
});
