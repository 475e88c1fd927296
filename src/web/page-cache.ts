/**
 * Rendered public pages, keyed by everything they depend on (record version, language, day). A crowd watching
 * one campaign then costs a map lookup per request instead of a render. Per-request values (a CSRF token, a form
 * timestamp) must never be baked in: such pages are rendered uncached.
 */
export class PageCache {
  private readonly pages = new Map<string, string>();

  constructor(private readonly maxEntries = 500) {}

  render(key: string, render: () => string): string {
    const hit = this.pages.get(key);
    if (hit !== undefined) return hit;
    const html = render();
    if (this.pages.size >= this.maxEntries) this.pages.delete(this.pages.keys().next().value!);
    this.pages.set(key, html);
    return html;
  }
}
