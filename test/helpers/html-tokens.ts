/** A small, strict tokenizer for the HTML the app renders (quotes respected, as a browser reads them): anything it cannot read is reported, not skipped. */

export interface Tag {
  /** Lower-cased element name. */
  name: string;
  /** Lower-cased attribute names with their raw (still entity-encoded) values; undefined for a bare attribute. */
  attributes: [string, string | undefined][];
}

/** The start tags of `html`, in order; every problem met on the way (a stray "<", a comment, unreadable markup) is pushed to `problems`. */
export function scanTags(html: string, problems: string[]): Tag[] {
  const tags: Tag[] = [];
  let i = 0;
  for (;;) {
    const open = html.indexOf('<', i);
    if (open < 0) break;
    if (html.startsWith('<!DOCTYPE html>', open)) {
      i = open + '<!DOCTYPE html>'.length;
      continue;
    }
    if (html.startsWith('<!--', open)) {
      problems.push('a comment appears in the page');
      const close = html.indexOf('-->', open);
      i = close < 0 ? html.length : close + 3;
      continue;
    }
    const closing = html[open + 1] === '/';
    const nameMatch = /^[a-zA-Z][a-zA-Z0-9-]*/.exec(html.slice(open + (closing ? 2 : 1), open + 40));
    if (!nameMatch) {
      problems.push(`an unescaped "<" in text: ${JSON.stringify(html.slice(open, open + 40))}`);
      i = open + 1;
      continue;
    }
    let j = open + (closing ? 2 : 1) + nameMatch[0].length;
    const tag: Tag = { name: nameMatch[0].toLowerCase(), attributes: [] };
    for (;;) {
      while (j < html.length && /\s/.test(html[j]!)) j++;
      if (j >= html.length) {
        problems.push(`an unterminated <${tag.name}> tag`);
        break;
      }
      if (html[j] === '>') {
        j++;
        break;
      }
      if (html.startsWith('/>', j)) {
        j += 2;
        break;
      }
      const attrMatch = /^[^\s"'>/=]+/.exec(html.slice(j, j + 200));
      if (!attrMatch) {
        problems.push(`unreadable markup inside <${tag.name}>: ${JSON.stringify(html.slice(j, j + 40))}`);
        j++;
        continue;
      }
      const attrName = attrMatch[0].toLowerCase();
      j += attrMatch[0].length;
      let value: string | undefined;
      if (html[j] === '=') {
        j++;
        const quote = html[j];
        if (quote === '"' || quote === "'") {
          const end = html.indexOf(quote, j + 1);
          value = html.slice(j + 1, end < 0 ? html.length : end);
          j = end < 0 ? html.length : end + 1;
        } else {
          value = /^[^\s>]*/.exec(html.slice(j))![0];
          j += value.length;
        }
      }
      tag.attributes.push([attrName, value]);
    }
    if (!closing) tags.push(tag);
    i = j;
  }
  return tags;
}
