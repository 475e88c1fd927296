/**
 * Email addresses for deduplication: one signature per person per petition, however they spell their address.
 * The canonical form folds case, drops sub-address tags (RFC 5233 "+tag", which most providers deliver to the same
 * mailbox), and applies a provider's own documented rules (Gmail ignores dots in the local part).
 */
import { domainToASCII } from 'node:url';

const GMAIL_DOMAINS = new Set(['gmail.com', 'googlemail.com']);

export function canonicalEmail(email: string): string {
  const trimmed = email.trim().toLowerCase();
  const at = trimmed.lastIndexOf('@');
  let local = trimmed.slice(0, at);
  let domain = domainToASCII(trimmed.slice(at + 1)) || trimmed.slice(at + 1);
  const plus = local.indexOf('+');
  if (plus > 0) local = local.slice(0, plus);
  if (GMAIL_DOMAINS.has(domain)) {
    local = local.replaceAll('.', '');
    domain = 'gmail.com';
  }
  return `${local}@${domain}`;
}

/**
 * A deliverable-looking address: one @, a local part without spaces or controls, a domain with a dot and a
 * plausible top-level label. Real verification is the confirmation mail.
 */
export function isValidEmail(email: string): boolean {
  if (email.length > 254 || /[\s\p{C}]/u.test(email)) return false;
  const at = email.lastIndexOf('@');
  if (at < 1 || at !== email.indexOf('@')) return false;
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  if (local.length > 64 || /[\s\p{C}"(),:;<>[\\\]]/u.test(local) || local.startsWith('.') || local.endsWith('.') || local.includes('..')) return false;
  const ascii = domainToASCII(domain.toLowerCase());
  return ascii !== '' && /^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/.test(ascii);
}

export function emailDomain(email: string): string {
  return domainToASCII(
    email
      .slice(email.lastIndexOf('@') + 1)
      .trim()
      .toLowerCase(),
  );
}
