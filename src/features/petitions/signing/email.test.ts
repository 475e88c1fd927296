import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalEmail, isValidEmail } from './email.ts';

describe('canonicalEmail', () => {
  it.each([
    ['  Anna.Example+eyes@GMail.com ', 'annaexample@gmail.com'],
    ['a.n.n.a@googlemail.com', 'anna@gmail.com'],
    ['Boris+petition@example.org', 'boris@example.org'],
    ['first.last@example.org', 'first.last@example.org'],
    ['user@Пример.РФ', 'user@xn--e1afmkfd.xn--p1ai'],
  ])('%s -> %s', (input, expected) => {
    expect(canonicalEmail(input)).toBe(expected);
  });

  it('is idempotent', () => {
    fc.assert(fc.property(fc.emailAddress(), (email) => canonicalEmail(canonicalEmail(email)) === canonicalEmail(email)));
  });
});

describe('isValidEmail', () => {
  it('accepts ordinary and international addresses', () => {
    for (const email of ['anna@example.org', 'a+b@sub.example.co.uk', 'user@пример.рф', "o'brien@example.ie"]) expect(isValidEmail(email), email).toBe(true);
  });
  it('refuses what cannot be delivered', () => {
    for (const email of [
      '',
      'anna',
      'anna@',
      '@example.org',
      'a@b@example.org',
      'anna@localhost',
      'an na@example.org',
      'anna@example.org\n',
      'a..b@example.org',
      `${'a'.repeat(65)}@example.org`,
    ]) {
      expect(isValidEmail(email), JSON.stringify(email)).toBe(false);
    }
  });
});
