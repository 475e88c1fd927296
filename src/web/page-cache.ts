/**
 * Rendered public pages, keyed by everything they depend on (record version, language, day). A crowd watching
 * one campaign then costs a map lookup per request instead of a render. Per-request values (a CSRF token, a form
 * timestamp) are never baked in: they are rendered as placeholders and filled in per response.
 */
export class PageCache<Page = string> {
  private readonly pages = new Map<string, Page>();

  constructor(private readonly maxEntries = 500) {}

  async render(key: string, render: () => Page | Promise<Page>): Promise<Page> {
    const hit = this.pages.get(key);
    if (hit !== undefined) return hit;
    const html = await render();
    if (this.pages.size >= this.maxEntries) this.pages.delete(this.pages.keys().next().value!);
    this.pages.set(key, html);
    return html;
  }
}

/**
 * Stand-ins rendered into a cached page where a per-request value belongs (a form's CSRF token, its signed
 * timestamp, a share code), swapped for the real, HTML-safe value on every response.
 */
export const PLACEHOLDER = { csrf: '__outcry_csrf__', stamp: '__outcry_stamp__', ref: '__outcry_ref__' } as const;

/** Pages a shared cache keeps have no CSRF token to fill (see public-cache.ts). */
export function fillPlaceholders(html: string, values: { csrf?: string; stamp: string; ref: string }): string {
  const filled = html.replaceAll(PLACEHOLDER.stamp, values.stamp).replaceAll(PLACEHOLDER.ref, values.ref);
  return values.csrf === undefined ? filled : filled.replaceAll(PLACEHOLDER.csrf, values.csrf);
}
