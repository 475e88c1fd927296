import { describe, expect, it } from 'vitest';
import { markdownToPlainText, renderMarkdown } from './markdown.ts';

describe('renderMarkdown', () => {
  it('keeps formatting and removes script, event handlers, javascript: links and images', () => {
    const html = renderMarkdown(
      '# Title\n\n**bold** <script>alert(1)</script> <b onclick="x()">b</b> [x](javascript:alert(1)) ![i](https://tracker.example/p.gif) [ok](https://example.org)',
    );
    expect(html).toContain('<h2>Title</h2>');
    expect(html).toContain('<strong>bold</strong>');
    expect(html).not.toMatch(/<script|onclick|javascript:|<img|tracker\.example/);
    expect(html).toContain('<a href="https://example.org" rel="nofollow noopener noreferrer">ok</a>');
  });
});

describe('markdownToPlainText', () => {
  it('gives plain text without double escaping, shortened with an ellipsis', () => {
    expect(markdownToPlainText('Tom & **Jerry** <3')).toBe('Tom & Jerry <3');
    expect(markdownToPlainText('word '.repeat(100), 20)).toBe('word word word word…');
  });
});
