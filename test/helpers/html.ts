/** html-validate's recommended rules, configured once for every HTML-validity test. */
import { HtmlValidate, type Message } from 'html-validate';
import { expect } from 'vitest';

const validator = new HtmlValidate({
  extends: ['html-validate:recommended'],
  rules: {
    // Preact's renderer writes void elements self-closed (<meta charset="utf-8"/>, <input …/>) and offers no switch.
    // Both spellings are valid HTML; what matters is that one is used throughout, so require the one we emit
    // rather than turning the rule off.
    'void-style': ['error', { style: 'selfclose' }],
    // A group of checkboxes sharing one name (the campaign's languages, read back as a list) is the standard HTML way
    // to submit several values; the default only allows that for names ending in "[]", a PHP convention we don't use.
    // Every other control must still have a unique name.
    'form-dup-name': ['error', { shared: ['radio', 'checkbox', 'button', 'reset', 'submit'] }],
  },
});

function describeMessage(message: Message): string {
  return `  ${message.ruleId} at ${message.line}:${message.column} (${message.selector ?? '?'}): ${message.message}`;
}

/** A fragment or a whole document: no message at all from the validator. */
export async function expectValidMarkup(label: string, html: string): Promise<void> {
  const report = await validator.validateString(html);
  const messages = report.results.flatMap((result) => result.messages).map(describeMessage);
  expect(report.valid, `${label} is not valid HTML:\n${messages.join('\n')}`).toBe(true);
  expect(messages, `${label} is not valid HTML:\n${messages.join('\n')}`).toEqual([]);
}

/** A whole page as served: the expected status, a doctype, and valid markup. */
export async function expectValidHtml(page: string, response: { statusCode: number; body: string }, status = 200): Promise<void> {
  expect(response.statusCode, `${page}: HTTP status`).toBe(status);
  expect(response.body.startsWith('<!DOCTYPE html>'), `${page}: starts with a doctype`).toBe(true);
  await expectValidMarkup(page, response.body);
}
