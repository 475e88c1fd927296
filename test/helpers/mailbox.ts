/**
 * The development mailbox: without SMTP_URL, mail lands in <DATA_DIR>/mail/*.eml. Tests read it as a person reads
 * their inbox: the text, decoded, and the links in it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface StoredMail {
  file: string;
  to: string;
  subject: string;
  text: string;
}

function decodeBody(body: string, encoding: string): string {
  if (encoding === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (encoding === 'quoted-printable') {
    const bytes = body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    return Buffer.from(bytes, 'latin1').toString('utf8');
  }
  return body;
}

function decodeHeader(value: string): string {
  return value.replace(/=\?utf-8\?([BQ])\?([^?]*)\?=/gi, (_m, kind: string, text: string) =>
    kind.toUpperCase() === 'B'
      ? Buffer.from(text, 'base64').toString('utf8')
      : Buffer.from(
          text.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_n, hex: string) => String.fromCharCode(parseInt(hex, 16))),
          'latin1',
        ).toString('utf8'),
  );
}

export function readMailbox(dataDir: string): StoredMail[] {
  const folder = path.join(dataDir, 'mail');
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((name) => name.endsWith('.eml'))
    .sort()
    .map((name) => {
      const raw = readFileSync(path.join(folder, name), 'utf8').replace(/\r\n/g, '\n');
      const split = raw.indexOf('\n\n');
      const head = raw.slice(0, split).replace(/\n[ \t]+/g, ' ');
      const headers = new Map<string, string>();
      for (const line of head.split('\n')) {
        const colon = line.indexOf(':');
        if (colon > 0) headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
      }
      return {
        file: name,
        to: headers.get('to') ?? '',
        subject: decodeHeader(headers.get('subject') ?? ''),
        text: decodeBody(raw.slice(split + 2), (headers.get('content-transfer-encoding') ?? '').toLowerCase()),
      };
    });
}

/** Waits for a mail to `to` and returns it. */
export async function waitForMail(dataDir: string, to: string, timeoutMs = 15_000): Promise<StoredMail> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const mail = readMailbox(dataDir).find((m) => m.to.includes(to));
    if (mail) return mail;
    if (Date.now() > deadline) throw new Error(`no mail to ${to} within ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** The path of the confirmation link in a mail, e.g. /confirm/abc… */
export function confirmPathIn(mail: StoredMail): string {
  const match = /\/confirm\/[A-Za-z0-9._~-]+/.exec(mail.text);
  if (!match) throw new Error(`no confirmation link in the mail:\n${mail.text}`);
  return match[0];
}
