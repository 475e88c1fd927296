/**
 * The development mailbox: the .eml reader on its own (encoded-words, quoted-printable, base64, multipart, hostile
 * bytes), and the admin pages on both databases: listing and showing what the mailer wrote, only links to this site
 * clickable, every name that is not exactly a mail file in the folder a 404, owners only, nothing when SMTP is set.
 * Also the dashboard's warning while the demo's secret key sits on the server.
 */
import { mkdirSync, mkdtempSync, readdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeEachDialect, startTestApp } from '../../../test/helpers/app.ts';
import { Browser } from '../../../test/helpers/http.ts';
import { loggedIn } from '../../../test/helpers/factories.ts';
import { createMailer, mailFolder } from '../../jobs/mailer.ts';
import { DEMO_KEY_FILE } from '../demo/load.ts';
import { decodeEncodedWords, decodeQuotedPrintable, parseMail } from './eml.ts';
import { deleteOldMail, MAIL_RETENTION_MS } from './mailbox.ts';
import { isOwnLink, linkifyOwnLinks } from './views.tsx';

describe('reading .eml files', () => {
  it('decodes RFC 2047 encoded-words, joining adjacent words and a character split between them', () => {
    expect(decodeEncodedWords('=?UTF-8?B?0J/RgNC40LLQtdGC?= =?UTF-8?Q?_=D0=BC=D0=B8=D1=80?=')).toBe('Привет мир');
    // "Ж" is D0 96: split across two words, it must still decode.
    expect(decodeEncodedWords('=?utf-8?Q?=D0?= =?utf-8?Q?=96?=')).toBe('Ж');
    expect(decodeEncodedWords('Re: =?iso-8859-1?q?caf=E9?= and more')).toBe('Re: café and more');
    expect(decodeEncodedWords('=?koi8-r?B?8NLJ18XU?=')).toBe('Привет');
    expect(decodeEncodedWords('=?x-unknown?Q?plain?=')).toBe('plain');
    expect(decodeEncodedWords('=?utf-8?B?not base64!?=')).toBe('=?utf-8?B?not base64!?=');
    expect(decodeEncodedWords('no words here')).toBe('no words here');
  });

  it('decodes quoted-printable with soft line breaks', () => {
    expect(decodeQuotedPrintable('caf=C3=A9 =\nau lait=3D=\r\nyes').toString('utf8')).toBe('café au lait=yes');
    expect(decodeQuotedPrintable('broken =ZZ and =4').toString('utf8')).toBe('broken =ZZ and =4');
  });

  it('reads headers, base64 bodies and the plain part of a multipart message', () => {
    const mail = [
      'From: Outcry <no-reply@outcry.test>',
      'To: =?UTF-8?B?0JDQvdC90LA=?= <anna@example.org>',
      'Subject: Hello',
      ' world',
      'Date: Wed, 25 Nov 2026 09:39:20 +0000',
      'Content-Type: multipart/alternative; boundary="b1"',
      '',
      'preamble',
      '--b1',
      'Content-Type: text/html; charset=utf-8',
      '',
      '<p>html</p>',
      '--b1',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from('Текст письма\u202E\u0007\n').toString('base64'),
      '--b1--',
      '',
    ].join('\r\n');
    expect(parseMail(Buffer.from(mail, 'utf8'))).toEqual({
      from: 'Outcry <no-reply@outcry.test>',
      to: 'Анна <anna@example.org>',
      subject: 'Hello world',
      date: '2026-11-25T09:39:20.000Z',
      text: 'Текст письма\n',
      noText: false,
    });
    expect(parseMail(Buffer.from('Subject: x\nContent-Type: text/html\n\n<b>hi</b>'))).toMatchObject({ noText: true, text: '', date: null });
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => {
        parseMail(Buffer.from(bytes));
      }),
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 500 }), fc.string({ maxLength: 40 }), (body, boundary) => {
        parseMail(
          Buffer.from(`Content-Type: multipart/mixed; boundary="${boundary}"\nSubject: =?utf-8?B?${body}?=\n\n--${boundary}\n${body}\n--${boundary}--`),
        );
      }),
    );
  });

  it('makes only links into this site clickable', () => {
    expect(isOwnLink('http://outcry.test/confirm/abc', 'http://outcry.test')).toBe(true);
    expect(isOwnLink('https://outcry.test/confirm/abc', 'http://outcry.test')).toBe(false);
    expect(isOwnLink('http://outcry.test.evil.example/x', 'http://outcry.test')).toBe(false);
    expect(isOwnLink('http://user@outcry.test/x', 'http://outcry.test')).toBe(false);
    expect(isOwnLink('https://example.org/outcry/c/x', 'https://example.org/outcry')).toBe(true);
    expect(isOwnLink('https://example.org/outcry-other/c/x', 'https://example.org/outcry')).toBe(false);
    const parts = linkifyOwnLinks('Open http://outcry.test/confirm/abc. Not https://evil.example/x.', 'http://outcry.test');
    expect(parts.length).toBe(3);
    expect(parts[0]).toBe('Open ');
    expect(parts[2]).toBe('. Not https://evil.example/x.');
  });
});

describe('keeping mail files', () => {
  it('deletes what the mailer wrote more than a day ago, and nothing else', async () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'outcry-mail-'));
    const old = path.join(folder, '2026-11-30T10-00-00-000Z-aaaa.eml');
    const fresh = path.join(folder, '2026-12-02T10-00-00-000Z-bbbb.eml');
    const notMail = path.join(folder, 'notes.txt');
    for (const file of [old, fresh, notMail]) writeFileSync(file, 'To: someone@example.org\n\nbody');
    const now = Date.now();
    const twoDaysAgo = new Date(now - 2 * MAIL_RETENTION_MS);
    for (const file of [old, notMail]) utimesSync(file, twoDaysAgo, twoDaysAgo);
    expect(await deleteOldMail(folder, { retentionMs: MAIL_RETENTION_MS, now })).toBe(1);
    expect(readdirSync(folder).sort()).toEqual([path.basename(fresh), 'notes.txt']);
    expect(await deleteOldMail(path.join(folder, 'missing'), { retentionMs: MAIL_RETENTION_MS, now })).toBe(0);
  });
});

describeEachDialect('development mailbox', (ctx) => {
  async function sendMail(subject: string, text: string, to = 'anna@example.org'): Promise<void> {
    const mailer = createMailer(ctx().config);
    try {
      await mailer.send({ to, subject, text });
    } finally {
      mailer.close();
    }
  }

  it('lists what the mailer wrote, newest first, and shows a message as escaped text', async () => {
    await sendMail('First message', 'One.');
    await new Promise((resolve) => setTimeout(resolve, 15));
    await sendMail(
      'Пожалуйста, подтвердите вашу подпись — очень длинная тема письма для проверки переноса строк',
      `Здравствуйте!\n\nConfirm: http://outcry.test/confirm/${'a'.repeat(43)}\n\n<script>alert(1)</script> https://evil.example/phish\n`,
      'boris@example.org',
    );
    const { browser } = await loggedIn(ctx().app, ctx().db, 'owner');
    const list = await browser.get('/admin/mail');
    expect(list.statusCode).toBe(200);
    expect(list.headers['cache-control']).toBe('no-store');
    expect(list.body).toContain('Пожалуйста, подтвердите вашу подпись — очень длинная тема письма для проверки переноса строк');
    expect(list.body).toContain('boris@example.org');
    expect(list.body.indexOf('boris@example.org')).toBeLessThan(list.body.indexOf('anna@example.org'));
    expect(list.body).toContain('supporters&#39; email addresses in the clear'.replace('&#39;', "'"));

    const href = /href="(\/admin\/mail\/[^"]+\.eml)"/.exec(list.body)?.[1];
    expect(href).toBeDefined();
    const message = await browser.get(href!);
    expect(message.statusCode).toBe(200);
    expect(message.body).toContain('Здравствуйте!');
    expect(message.body).toContain(`<a href="http://outcry.test/confirm/${'a'.repeat(43)}">`);
    expect(message.body).toContain('&lt;script>alert(1)&lt;/script>');
    expect(message.body).not.toContain('<script>alert(1)');
    expect(message.body).toContain('https://evil.example/phish');
    expect(message.body).not.toContain('href="https://evil.example');
    expect(message.body).toContain('<dd>boris@example.org</dd>');

    const russian = await browser.get('/admin/mail?lang=ru');
    expect(russian.body).toContain('Почтовый ящик для разработки');
  });

  it('answers 404 for any name that is not exactly a mail file in the folder', async () => {
    const folder = mailFolder(ctx().config);
    mkdirSync(folder, { recursive: true });
    writeFileSync(path.join(ctx().dataDir, 'outside.eml'), 'Subject: secret outside\n\nsecret');
    writeFileSync(path.join(folder, 'notes.txt'), 'Subject: not mail\n\nx');
    symlinkSync(path.join(ctx().dataDir, 'outside.eml'), path.join(folder, 'linked-0001.eml'));
    mkdirSync(path.join(folder, 'folder-0001.eml'));
    const { browser } = await loggedIn(ctx().app, ctx().db, 'owner');
    const names = [
      '..%2Foutside.eml',
      '..%2F..%2Fetc%2Fpasswd',
      '%2E%2E%2Foutcry.db',
      '%2E%2E%2Foutside.eml',
      'outside.eml',
      '.eml',
      'notes.txt',
      'linked-0001.eml',
      'folder-0001.eml',
      'missing-0001.eml',
      'a%00.eml',
      'A%2Fb.eml',
      '%5C..%5Coutside.eml',
      `${'a'.repeat(150)}.eml`,
    ];
    for (const name of names) {
      const response = await browser.get(`/admin/mail/${name}`);
      expect(response.statusCode, name).toBe(404);
      expect(response.body, name).not.toContain('secret');
    }
    const list = await browser.get('/admin/mail');
    expect(list.body).not.toContain('linked-0001');
    expect(list.body).not.toContain('notes.txt');
    expect(list.body).not.toContain('secret outside');
  });

  it('is for owners only', async () => {
    await sendMail('For owners', 'x');
    const { browser: owner } = await loggedIn(ctx().app, ctx().db, 'owner');
    const href = /href="(\/admin\/mail\/[^"]+\.eml)"/.exec((await owner.get('/admin/mail')).body)![1]!;
    for (const role of ['editor', 'moderator'] as const) {
      const { browser } = await loggedIn(ctx().app, ctx().db, role);
      expect((await browser.get('/admin/mail')).statusCode, role).toBe(403);
      expect((await browser.get(href)).statusCode, role).toBe(403);
      expect((await browser.get('/admin')).body, role).not.toContain('href="/admin/mail"');
    }
    expect((await owner.get('/admin')).body).toContain('href="/admin/mail"');
    expect((await new Browser(ctx().app).get(href)).statusCode).toBe(303);
  });

  it('lists nothing when mail goes out over SMTP', async () => {
    await sendMail('Written before SMTP was set', 'x');
    const smtp = await startTestApp(ctx().dialect, { SMTP_URL: 'smtp://127.0.0.1:2525' });
    try {
      // The same folder, with a message in it: still not shown once SMTP is configured.
      mkdirSync(mailFolder(smtp.config), { recursive: true });
      writeFileSync(path.join(mailFolder(smtp.config), '2026-01-01T00-00-00-000Z-abcd1234.eml'), 'Subject: left over\n\nx');
      const { browser } = await loggedIn(smtp.app, smtp.db, 'owner');
      const page = await browser.get('/admin/mail');
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('Mail goes out over SMTP');
      expect(page.body).not.toContain('left over');
      expect((await browser.get('/admin/mail/2026-01-01T00-00-00-000Z-abcd1234.eml')).statusCode).toBe(404);
    } finally {
      await smtp.close();
    }
  });

  it('warns on the dashboard while the demo secret key is on the server', async () => {
    const { browser } = await loggedIn(ctx().app, ctx().db, 'editor');
    expect((await browser.get('/admin')).body).not.toContain('outcry keys new');
    writeFileSync(path.join(ctx().dataDir, DEMO_KEY_FILE), 'not really a key');
    const page = await browser.get('/admin');
    expect(page.body).toContain(
      'The organisation&#39;s secret key is on this server (demo). Create your own with <code>outcry keys new</code> on your computer.'.replace('&#39;', "'"),
    );
    expect((await browser.get('/admin?lang=ru')).body).toContain('Секретный ключ организации хранится на этом сервере');
  });
});
