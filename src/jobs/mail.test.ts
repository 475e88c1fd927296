/**
 * The mail path for real: a signature queues its confirmation, the worker sends it over SMTP to a real SMTP server
 * (smtp-server on 127.0.0.1), in the signer's language, with links to PUBLIC_URL that work. With the SMTP server
 * down the signature is still taken and the job retries with backoff until the server is back. Each job runs once,
 * even with two workers claiming at the same moment (PostgreSQL). Without SMTP_URL, mail lands in DATA_DIR/mail.
 */
import { lookup } from 'node:dns/promises';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableDialects, startTestApp, startTestWorker, type TestContext } from '../../test/helpers/app.ts';
import { makeCampaign, makeOrganisationKey, makePetition, queuedConfirmations, signFields } from '../../test/helpers/factories.ts';
import { Browser } from '../../test/helpers/http.ts';
import { openDatabase } from '../db/database.ts';
import { translator } from '../web/i18n.ts';
import { confirmationMails } from '../features/petitions/signing/mails.ts';
import { isLoopbackHost, smtpTransportOptions } from './mailer.ts';
import { claimDueJobs, enqueueJobs } from './queue.ts';
import type { Worker } from './worker.ts';

type Context = TestContext & { close(): Promise<void> };

interface ReceivedMail {
  envelopeTo: string[];
  headers: Record<string, string>;
  subject: string;
  text: string;
}

/** RFC 2047 encoded words (=?UTF-8?B?…?= and =?UTF-8?Q?…?=) in a header. */
function decodeHeader(value: string): string {
  return value.replace(/\?=\s+=\?/g, '?==?').replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_, _charset: string, encoding: string, text: string) =>
    encoding.toUpperCase() === 'B'
      ? Buffer.from(text, 'base64').toString('utf8')
      : Buffer.from(
          text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))),
          'latin1',
        ).toString('utf8'),
  );
}

function decodeQuotedPrintable(body: string): string {
  const bytes = body.replace(/=\r?\n/g, '').replace(/=([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

/** A single-part text message, as nodemailer writes one: headers, a blank line, the body in its transfer encoding. */
function parseMessage(raw: string, envelopeTo: string[] = []): ReceivedMail {
  const split = raw.search(/\r?\n\r?\n/);
  const head = raw.slice(0, split).replace(/\r?\n[ \t]+/g, ' ');
  const body = raw.slice(split).replace(/^\r?\n\r?\n/, '');
  const headers: Record<string, string> = {};
  for (const line of head.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const encoding = (headers['content-transfer-encoding'] ?? '7bit').toLowerCase();
  const text =
    encoding === 'quoted-printable'
      ? decodeQuotedPrintable(body)
      : encoding === 'base64'
        ? Buffer.from(body, 'base64').toString('utf8')
        : Buffer.from(body, 'latin1').toString('utf8');
  return { envelopeTo, headers, subject: decodeHeader(headers['subject'] ?? ''), text: text.replace(/\r\n/g, '\n') };
}

/** An SMTP server that accepts anything and keeps what it received; it does not offer STARTTLS. */
async function startSmtpSink(port = 0, host = '127.0.0.1'): Promise<{ port: number; messages: ReceivedMail[]; close(): Promise<void> }> {
  const messages: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        messages.push(
          parseMessage(
            Buffer.concat(chunks).toString('latin1'),
            session.envelope.rcptTo.map((r) => r.address),
          ),
        );
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.server.address() as AddressInfo;
  return { port: address.port, messages, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** A port nothing listens on (taken and released at once). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A published campaign with an open petition and an organisation key, ready to sign. */
async function signablePetition(context: Context): Promise<{ slug: string; petitionId: number }> {
  await makeOrganisationKey(context.db, context.app.signing.sealer);
  const campaign = await makeCampaign(context.db, { status: 'published', input: { locales: ['en', 'ru'] } });
  const petition = await makePetition(context.db, campaign.id);
  return { slug: campaign.input.slug, petitionId: petition.id };
}

/** This machine's own name when it resolves here and is not "localhost": a way to reach a local server by a name that is not loopback. */
async function findOwnHostName(): Promise<{ name: string; address: string } | undefined> {
  const name = hostname();
  if (isLoopbackHost(name)) return undefined;
  try {
    return { name, address: (await lookup(name)).address };
  } catch {
    return undefined;
  }
}

/** A mailed link: the signature's id and a 43-character secret. */
const LINK = (kind: 'confirm' | 'withdraw') => new RegExp(`http://outcry\\.test/${kind}/(\\d+\\.[A-Za-z0-9_-]{43})(?![A-Za-z0-9_-])`);

for (const dialect of availableDialects()) {
  describe(`mail over SMTP [${dialect}]`, () => {
    let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
    let context: Context;
    let worker: Worker;
    let slug = '';
    let petitionId = 0;

    beforeAll(async () => {
      smtp = await startSmtpSink();
      context = await startTestApp(dialect, { SMTP_URL: `smtp://127.0.0.1:${smtp.port}` });
      worker = startTestWorker(context.app);
      ({ slug, petitionId } = await signablePetition(context));
    });
    afterAll(async () => {
      await worker?.stop();
      await context?.close();
      await smtp?.close();
    });

    it('sends the confirmation with working links to PUBLIC_URL, then deletes the job', async () => {
      const { app, db } = context;
      const browser = new Browser(app);
      const fields = signFields(app, { name: 'Amal Haddad' });
      expect((await browser.post(`/c/${slug}/sign`, fields)).statusCode).toBe(303);
      const mail = await waitFor('the confirmation mail', () => smtp.messages.find((m) => m.envelopeTo.includes(fields['email']!)));
      expect(mail.headers['to']).toContain(fields['email']);
      expect(mail.headers['from']).toContain('no-reply@outcry.test');
      expect(mail.subject).toBe(translator('en')('petitions.mail.confirmSubject'));
      expect(mail.text).toContain('Hello,');
      expect(mail.text).not.toContain('Amal');
      expect(mail.text).not.toContain('Haddad');
      expect(mail.text).toContain(`http://outcry.test/c/${slug}`);
      const confirmToken = LINK('confirm').exec(mail.text)?.[1];
      const withdrawToken = LINK('withdraw').exec(mail.text)?.[1];
      expect(confirmToken).toBeDefined();
      expect(withdrawToken).toBeDefined();
      await waitFor('the job to be deleted', async () => (await queuedConfirmations(app)).length === 0);

      // Following the link: a button; pressing it confirms.
      const ask = await browser.get(`/confirm/${confirmToken}`);
      expect(ask.statusCode).toBe(200);
      expect(ask.body).toContain('Confirm my signature');
      const done = await browser.post(`/confirm/${confirmToken}`, {});
      expect(done.statusCode).toBe(200);
      expect(done.body).toContain('your signature is confirmed');
      const row = await db.selectFrom('signatures').select('status').where('petition_id', '=', petitionId).executeTakeFirstOrThrow();
      expect(row.status).toBe('confirmed');
      expect((await browser.get(`/withdraw/${withdrawToken}`)).statusCode).toBe(200);
    });

    it('queues a crowd signing at once as one batch job, which the worker splits so each signer gets exactly one mail', async () => {
      const { app, db } = context;
      const crowd = Array.from({ length: 12 }, () => signFields(app));
      await worker.stop();
      try {
        const statuses = await Promise.all(crowd.map((fields) => new Browser(app).post(`/c/${slug}/sign`, fields).then((r) => r.statusCode)));
        expect(statuses).toEqual(crowd.map(() => 303));
        const kinds = await db.selectFrom('jobs').select('kind').execute();
        expect(kinds.some((job) => job.kind === confirmationMails.kind)).toBe(true);
        expect(kinds.length).toBeLessThan(crowd.length);
        expect((await queuedConfirmations(app)).map((m) => m.to).sort()).toEqual(crowd.map((f) => f['email']).sort());
      } finally {
        worker = startTestWorker(context.app);
      }
      const emails = new Set(crowd.map((f) => f['email']!));
      await waitFor('every mail of the crowd', () => smtp.messages.filter((m) => emails.has(m.envelopeTo[0]!)).length >= crowd.length || undefined);
      await waitFor('the queue to empty', async () => (await db.selectFrom('jobs').select('id').execute()).length === 0 || undefined);
      const received = smtp.messages.filter((m) => emails.has(m.envelopeTo[0]!)).map((m) => m.envelopeTo[0]);
      expect(received.sort()).toEqual([...emails].sort());
    });

    it('writes to a signer who chose Russian in Russian', async () => {
      const { app } = context;
      const browser = new Browser(app);
      const page = await browser.get(`/c/${slug}?lang=ru`);
      expect(page.statusCode).toBe(200);
      // The Russian page's form carries its language in its address (the page sets no cookie: shared caches keep it).
      const action = /<form method="post" action="([^"]+)" class="stacked sign-form"/.exec(page.body)?.[1];
      expect(action).toBe(`/c/${slug}/sign?lang=ru`);
      const fields = signFields(app, { name: 'Анна Петрова' });
      expect((await browser.post(action!, fields)).statusCode).toBe(303);
      const mail = await waitFor('the Russian mail', () => smtp.messages.find((m) => m.envelopeTo.includes(fields['email']!)));
      expect(mail.subject).toBe('Подтвердите, пожалуйста, подпись');
      expect(mail.text).toContain('Здравствуйте!');
      expect(mail.text).not.toContain('Анна');
      expect(mail.text).toMatch(LINK('confirm'));
    });
  });

  describe(`mail while the SMTP server is down [${dialect}]`, () => {
    let context: Context;
    let worker: Worker;
    let port = 0;
    let smtp: Awaited<ReturnType<typeof startSmtpSink>> | undefined;

    beforeAll(async () => {
      port = await freePort();
      context = await startTestApp(dialect, { SMTP_URL: `smtp://127.0.0.1:${port}` });
      worker = startTestWorker(context.app);
    });
    afterAll(async () => {
      await worker?.stop();
      await context?.close();
      await smtp?.close();
    });

    it('takes the signature, keeps the job with backoff, and delivers once the server is back', async () => {
      const { app, db } = context;
      const { slug, petitionId } = await signablePetition(context);
      const fields = signFields(app);
      const signedAt = Date.now();
      expect((await new Browser(app).post(`/c/${slug}/sign`, fields)).statusCode).toBe(303);
      expect(await db.selectFrom('signatures').select('status').where('petition_id', '=', petitionId).execute()).toEqual([{ status: 'pending' }]);

      const failed = await waitFor('a failed attempt', async () => {
        const job = await db.selectFrom('jobs').selectAll().where('kind', '=', 'confirmation-mail').executeTakeFirst();
        return job && job.attempts > 0 && job.locked_until === null ? job : undefined;
      });
      expect(failed.attempts).toBe(1);
      expect(Date.parse(failed.run_at)).toBeGreaterThan(signedAt + 3000);
      expect(failed.last_error).toBeTruthy();
      // Still there a little later: not retried before its time, not dropped.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const waiting = await db.selectFrom('jobs').select(['attempts', 'run_at']).where('id', '=', failed.id).executeTakeFirstOrThrow();
      expect(waiting).toEqual({ attempts: 1, run_at: failed.run_at });

      smtp = await startSmtpSink(port);
      await db.updateTable('jobs').set({ run_at: new Date().toISOString() }).where('id', '=', failed.id).execute();
      worker.wake();
      const mail = await waitFor('the mail after the outage', () => smtp!.messages.find((m) => m.envelopeTo.includes(fields['email']!)));
      expect(mail.text).toMatch(LINK('confirm'));
      await waitFor(
        'the job to be deleted',
        async () => (await db.selectFrom('jobs').select('id').where('id', '=', failed.id).executeTakeFirst()) === undefined || undefined,
      );
      expect(smtp.messages).toHaveLength(1);
      // The failure was logged without the address.
      expect(context.logs.join('')).not.toContain(fields['email']!);
    });
  });

  describe(`mail to an SMTP server without STARTTLS, by a name that is not loopback [${dialect}]`, () => {
    let context: Context | undefined;
    let worker: Worker | undefined;
    let smtp: Awaited<ReturnType<typeof startSmtpSink>> | undefined;

    beforeAll(async () => {
      const own = await findOwnHostName();
      if (!own) return;
      // The name may resolve to an address of another machine: then there is nothing to listen on here.
      smtp = await startSmtpSink(0, own.address).catch(() => undefined);
      if (!smtp) return;
      context = await startTestApp(dialect, { SMTP_URL: `smtp://${own.name}:${smtp.port}` });
      worker = startTestWorker(context.app);
    });
    afterAll(async () => {
      await worker?.stop();
      await context?.close();
      await smtp?.close();
    });

    it('sends nothing in clear: the send fails for want of STARTTLS, and the job waits to be retried', async (test) => {
      if (!context || !smtp) return test.skip('this machine has no name of its own that resolves to it');
      const { app, db } = context;
      const { slug, petitionId } = await signablePetition(context);
      const fields = signFields(app);
      expect((await new Browser(app).post(`/c/${slug}/sign`, fields)).statusCode).toBe(303);
      const failed = await waitFor('a failed attempt', async () => {
        const job = await db.selectFrom('jobs').selectAll().where('kind', '=', 'confirmation-mail').executeTakeFirst();
        return job && job.attempts > 0 && job.locked_until === null ? job : undefined;
      });
      expect(failed.attempts).toBe(1);
      expect(failed.last_error).toBe('ETLS');
      expect(smtp.messages).toEqual([]);
      // The signature is kept, pending; the failure is logged as a retry, without the address.
      expect(await db.selectFrom('signatures').select('status').where('petition_id', '=', petitionId).execute()).toEqual([{ status: 'pending' }]);
      expect(context.logs.join('')).toContain('job failed, will retry');
      expect(context.logs.join('')).not.toContain(fields['email']!);
    });
  });

  describe(`mail without SMTP_URL [${dialect}]`, () => {
    let context: Context;
    let worker: Worker;

    beforeAll(async () => {
      context = await startTestApp(dialect);
      worker = startTestWorker(context.app);
    });
    afterAll(async () => {
      await worker?.stop();
      await context?.close();
    });

    it('writes the mail as an .eml file into DATA_DIR/mail, the documented development mailbox', async () => {
      const { app, dataDir } = context;
      const { slug } = await signablePetition(context);
      const fields = signFields(app);
      expect((await new Browser(app).post(`/c/${slug}/sign`, fields)).statusCode).toBe(303);
      const folder = path.join(dataDir, 'mail');
      const file = await waitFor('an .eml file', () => {
        try {
          return readdirSync(folder).find((name) => name.endsWith('.eml'));
        } catch {
          return undefined;
        }
      });
      const mail = parseMessage(readFileSync(path.join(folder, file), 'latin1'));
      expect(mail.headers['to']).toContain(fields['email']);
      expect(mail.subject).toBe(translator('en')('petitions.mail.confirmSubject'));
      expect(mail.text).toMatch(LINK('confirm'));
      expect(mail.text).toMatch(LINK('withdraw'));
    });
  });
}

describe('SMTP transport options: nothing in clear across a network', () => {
  it('requires STARTTLS for smtp:// to any host not on this machine, whatever the query asks', () => {
    for (const url of [
      'smtp://relay.example:587',
      'smtp://relay.example:25?requireTLS=false&ignoreTLS=true&opportunisticTLS=true',
      'smtp://10.0.0.5:25',
      'smtp://[fd00::2]:25',
      'smtp://localhost.relay.example:25',
      'smtp://127.0.0.1.relay.example:25',
      // A relay named on loopback, but reached through a well-known service or a proxy.
      'smtp://127.0.0.1:2525?service=Gmail',
      'smtp://127.0.0.1:2525?proxy=socks5://proxy.example:1080',
    ]) {
      expect(smtpTransportOptions(url), url).toMatchObject({ secure: false, requireTLS: true, ignoreTLS: false, opportunisticTLS: false });
    }
  });

  it('keeps the address, port and credentials of the URL', () => {
    expect(smtpTransportOptions('smtp://mailer:p%40ss@relay.example:587')).toMatchObject({
      host: 'relay.example',
      port: 587,
      auth: { user: 'mailer', pass: 'p@ss' },
      requireTLS: true,
    });
  });

  it('speaks TLS from the first byte for smtps://', () => {
    for (const url of ['smtps://relay.example:465', 'smtps://relay.example:465?secure=false', 'smtps://127.0.0.1:465']) {
      expect(smtpTransportOptions(url), url).toMatchObject({ secure: true });
    }
  });

  it('allows plain SMTP to a relay on this machine, and localhost is 127.0.0.1 without asking DNS', () => {
    for (const url of ['smtp://127.0.0.1:2525', 'smtp://127.8.9.10:25', 'smtp://[::1]:25']) {
      const options = smtpTransportOptions(url);
      expect(options.requireTLS, url).toBeUndefined();
      expect(options.host, url).toBe(new URL(url).hostname.replace(/^\[|\]$/g, ''));
    }
    for (const url of ['smtp://localhost:25', 'smtp://LocalHost:25']) {
      expect(smtpTransportOptions(url), url).toMatchObject({ host: '127.0.0.1', servername: 'localhost', port: 25 });
      expect(smtpTransportOptions(url).requireTLS, url).toBeUndefined();
    }
    // An operator may still ask for STARTTLS to a local relay.
    expect(smtpTransportOptions('smtp://127.0.0.1:2525?requireTLS=true').requireTLS).toBe(true);
  });

  it('counts 127.0.0.0/8, ::1 and localhost as loopback, and nothing else', () => {
    for (const host of ['127.0.0.1', '127.255.255.254', '::1', 'localhost', 'LOCALHOST']) expect(isLoopbackHost(host), host).toBe(true);
    for (const host of [
      '128.0.0.1',
      '126.255.255.255',
      '0.0.0.0',
      '::',
      '::2',
      '10.0.0.1',
      'localhost.example',
      'relay.example',
      hostname() === 'localhost' ? 'vm' : hostname(),
    ]) {
      expect(isLoopbackHost(host), host).toBe(false);
    }
  });
});

describe.runIf(availableDialects().includes('postgres'))('jobs run exactly once [postgres]', () => {
  let context: Context;
  beforeAll(async () => {
    context = await startTestApp('postgres');
  });
  afterAll(async () => {
    await context?.close();
  });

  it('never hands the same job to two workers claiming at the same moment', async () => {
    const handles = [openDatabase({ url: context.config.databaseUrl, poolSize: 2 }), openDatabase({ url: context.config.databaseUrl, poolSize: 2 })];
    try {
      for (let round = 0; round < 3; round += 1) {
        await enqueueJobs(
          context.db,
          Array.from({ length: 50 }, (_, i) => ({ kind: 'test-noop', payload: `round ${round} job ${i}` })),
        );
        const claimed: number[][] = [[], []];
        // Each worker claims small batches as fast as it can until nothing is left, both at once.
        await Promise.all(
          handles.map(async (handle, w) => {
            for (;;) {
              const jobs = await claimDueJobs(handle, { limit: 7, lockMs: 60_000 });
              if (jobs.length === 0) return;
              expect(jobs.length).toBeLessThanOrEqual(7);
              claimed[w]!.push(...jobs.map((j) => j.id));
            }
          }),
        );
        const all = [...claimed[0]!, ...claimed[1]!];
        expect(new Set(all).size).toBe(all.length);
        expect(all).toHaveLength(50);
        await context.db.deleteFrom('jobs').execute();
      }
      // And in one go: both ask for all fifty at once.
      await enqueueJobs(
        context.db,
        Array.from({ length: 50 }, (_, i) => ({ kind: 'test-noop', payload: `bulk ${i}` })),
      );
      const [a, b] = await Promise.all(handles.map((handle) => claimDueJobs(handle, { limit: 50, lockMs: 60_000 })));
      const ids = [...a!, ...b!].map((j) => j.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).toHaveLength(50);
      expect([...a!, ...b!].every((j) => j.attempts === 1)).toBe(true);
    } finally {
      await Promise.all(handles.map((handle) => handle.close()));
    }
  });
});
