/**
 * Sending mail: over SMTP when SMTP_URL is set (encrypted, unless to a relay on this machine); otherwise into
 * <DATA_DIR>/mail/ as .eml files that the admin can read, so a fresh install works without a mail server. (That folder
 * holds addresses in the clear: for trying Outcry out, not for a real campaign.)
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { BlockList, isIP } from 'node:net';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { parseConnectionUrl } from 'nodemailer/lib/shared';
import type { SMTPTransportOptions } from 'nodemailer/lib/smtp-transport';
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

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** 127.0.0.0/8, ::1 or the name localhost: this machine, where there is no network path for anyone to be on. */
export function isLoopbackHost(host: string): boolean {
  const family = isIP(host);
  if (family === 0) return host.toLowerCase() === 'localhost';
  return LOOPBACK.check(host, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * The nodemailer options for SMTP_URL: never a message in clear across a network, where anyone on the path could
 * strip STARTTLS and read the addresses and the confirm and withdraw links. smtps:// is TLS from the first byte;
 * smtp:// must upgrade with STARTTLS or the send fails (requireTLS), whatever the URL's query says.
 */
export function smtpTransportOptions(smtpUrl: string): SMTPTransportOptions {
  const options: SMTPTransportOptions = parseConnectionUrl(smtpUrl);
  if (new URL(smtpUrl).protocol === 'smtps:') return { ...options, secure: true };
  // Decision: plain SMTP only to a relay on this machine (loopback), never through a proxy or a well-known service.
  const isLocalRelay = typeof options.host === 'string' && isLoopbackHost(options.host) && !options.service && !options.proxy;
  if (!isLocalRelay) return { ...options, requireTLS: true, ignoreTLS: false, opportunisticTLS: false };
  if (options.host?.toLowerCase() !== 'localhost') return options;
  // localhost means 127.0.0.1: nodemailer would first ask DNS, which someone on the path could answer.
  return { ...options, host: '127.0.0.1', servername: options.servername ?? 'localhost' };
}

export function createMailer(config: Config): Mailer {
  const from = `Outcry <no-reply@${new URL(config.publicUrl).hostname}>`;
  if (config.smtpUrl) {
    // A send refused for want of TLS throws like any other failure: the worker keeps the job and retries it.
    const transport = nodemailer.createTransport(smtpTransportOptions(config.smtpUrl), { from });
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
