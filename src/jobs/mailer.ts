/**
 * Sending mail: over SMTP when SMTP_URL is set; otherwise into <DATA_DIR>/mail/ as .eml files that the admin can read,
 * so a fresh install works without a mail server. (That folder holds addresses in the clear: for trying Outcry out,
 * not for a real campaign.)
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { Config } from '../config.ts';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

export function mailFolder(config: Config): string {
  return path.join(config.dataDir, 'mail');
}

export function createMailer(config: Config): Mailer {
  const from = `Outcry <no-reply@${new URL(config.publicUrl).hostname}>`;
  if (config.smtpUrl) {
    const transport = nodemailer.createTransport(config.smtpUrl, { from });
    return {
      async send(mail) {
        await transport.sendMail({ ...mail, from });
      },
      close: () => transport.close(),
    };
  }
  const folder = mailFolder(config);
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    async send(mail) {
      const info = await transport.sendMail({ ...mail, from });
      mkdirSync(folder, { recursive: true, mode: 0o700 });
      const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(4).toString('hex')}.eml`;
      writeFileSync(path.join(folder, name), info.message as Buffer, { mode: 0o600 });
    },
    close: () => transport.close(),
  };
}
