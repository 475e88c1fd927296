/**
 * Share links are plain links to each network's own "compose" address: no widget, no script, nothing loaded
 * from those networks until a person clicks. Mastodon has no single address, so it goes through our own page
 * that asks for the person's server.
 */
/** A share code from a share link (`?ref=`), kept with a signature for attribution. */
export const SHARE_CODE_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

export interface ShareLink {
  network: 'X' | 'Bluesky' | 'Mastodon' | 'Telegram' | 'WhatsApp' | 'email';
  href: string;
}

export function shareLinks(options: { url: string; text: string; subject: string }): ShareLink[] {
  const { url, text, subject } = options;
  const textWithUrl = `${text} ${url}`;
  const q = (params: Record<string, string>) => new URLSearchParams(params).toString();
  return [
    { network: 'X', href: `https://x.com/intent/post?${q({ text, url })}` },
    { network: 'Bluesky', href: `https://bsky.app/intent/compose?${q({ text: textWithUrl })}` },
    { network: 'Mastodon', href: `/share/mastodon?${q({ text: textWithUrl })}` },
    { network: 'Telegram', href: `https://t.me/share/url?${q({ url, text })}` },
    { network: 'WhatsApp', href: `https://wa.me/?${q({ text: textWithUrl })}` },
    // mailto wants %20 rather than +, or some mail programs show plus signs.
    { network: 'email', href: `mailto:?subject=${encodeURIComponent(subject)}&body=${encodeURIComponent(textWithUrl)}` },
  ];
}

/** A Mastodon server's host name: letters, digits, hyphens and dots, with an optional port. */
export function parseMastodonInstance(input: string): string | undefined {
  const host = input
    .trim()
    .toLowerCase()
    .replace(/^https?:\/\//, '')
    .replace(/\/+$/, '');
  if (host.length > 253) return undefined;
  return /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}(?::\d{1,5})?$/.test(host) ? host : undefined;
}
