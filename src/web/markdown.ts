/**
 * Organisers write stories in Markdown. Raw HTML is never trusted: marked renders, then sanitize-html keeps only
 * a small allowlist of tags, only http(s)/mailto links, and no images (an image from another site would be a
 * third-party request that tells that site who is reading).
 */
import { Marked } from 'marked';
import sanitizeHtml from 'sanitize-html';

const marked = new Marked({ gfm: true, breaks: false, async: false });

const SANITIZE_OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: [
    'p',
    'h2',
    'h3',
    'h4',
    'ul',
    'ol',
    'li',
    'blockquote',
    'a',
    'strong',
    'em',
    'del',
    'code',
    'pre',
    'hr',
    'br',
    'table',
    'thead',
    'tbody',
    'tr',
    'th',
    'td',
  ],
  allowedAttributes: { a: ['href', 'title', 'rel'], th: ['scope'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  transformTags: {
    // The page already has its h1; a story's headings start one level below.
    h1: 'h2',
    h5: 'h4',
    h6: 'h4',
    a: sanitizeHtml.simpleTransform('a', { rel: 'nofollow noopener noreferrer' }),
  },
};

// Stories change rarely and are read on every page view: remember the last few hundred renderings.
const RENDER_CACHE_SIZE = 256;
const rendered = new Map<string, string>();

export function renderMarkdown(markdown: string): string {
  const cached = rendered.get(markdown);
  if (cached !== undefined) return cached;
  const html = sanitizeHtml(marked.parse(markdown) as string, SANITIZE_OPTIONS);
  if (rendered.size >= RENDER_CACHE_SIZE) rendered.delete(rendered.keys().next().value!);
  rendered.set(markdown, html);
  return html;
}

/** Plain text of a Markdown snippet, for meta descriptions and share texts. */
export function markdownToPlainText(markdown: string, maxLength = 300): string {
  const text = decodeBasicEntities(sanitizeHtml(marked.parse(markdown) as string, { allowedTags: [], allowedAttributes: {} }))
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > maxLength ? `${text.slice(0, maxLength - 1).trimEnd()}…` : text;
}

/** sanitize-html returns text escaped for HTML; the renderer escapes again, so undo the entities it produced. */
function decodeBasicEntities(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#39|#x27);/g, (_match, name: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#x27': "'" })[name]!);
}
