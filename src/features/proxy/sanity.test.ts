import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/helpers/app.ts';
import { loggedIn } from '../../../test/helpers/factories.ts';
import { createLogger } from '../../log.ts';
import { AGENTS_BEFORE_WARNING, FORWARDED_BEFORE_WARNING, ProxySanity } from './sanity.ts';

function watch(options: { trustProxy?: string[]; https?: boolean } = {}) {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString('utf8'));
      callback();
    },
  });
  const sanity = new ProxySanity({ trustProxy: options.trustProxy ?? [], https: options.https ?? false, logger: createLogger({ level: 'info', destination }) });
  const warnings = () => lines.filter((line) => line.includes('"proxy-not-trusted"'));
  return { sanity, lines, warnings };
}

const forwarded = (client: string) => ({ 'x-forwarded-for': client, 'user-agent': 'Mozilla/5.0' });

describe('proxy sanity', () => {
  it('says at start that an https site without TRUST_PROXY stands behind a proxy it does not trust', () => {
    const watched = watch({ https: true });
    expect(watched.sanity.problem).toBe('https-untrusted');
    expect(watched.warnings()).toHaveLength(1);
    expect(watch({ https: true, trustProxy: ['127.0.0.1'] }).sanity.problem).toBeUndefined();
    expect(watch({ https: false }).sanity.problem).toBeUndefined();
  });

  it('notices forwarding headers from a peer TRUST_PROXY does not name: once, and naming no address', () => {
    const { sanity, lines, warnings } = watch({ trustProxy: ['10.0.0.5'] });
    // A stray scanner sending a few is not yet a proxy.
    for (let i = 1; i < FORWARDED_BEFORE_WARNING; i += 1) sanity.observe('127.0.0.1', forwarded(`203.0.113.${i}`));
    expect(sanity.problem).toBeUndefined();
    sanity.observe('::ffff:127.0.0.1', { forwarded: 'for=198.51.100.7;proto=https' });
    expect(sanity.problem).toBe('forwarded-untrusted');
    for (let i = 0; i < 50; i += 1) sanity.observe('127.0.0.1', { 'x-real-ip': '198.51.100.8' });
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]).toContain('"level":"warn"');
    expect(lines.join('')).not.toMatch(/127\.0\.0\.1|203\.0\.113|198\.51\.100/);
  });

  it('says nothing of a proxy TRUST_PROXY names, by address, by range or by name', () => {
    for (const trustProxy of [['127.0.0.1'], ['127.0.0.0/8'], ['loopback'], ['10.0.0.5', '::1']]) {
      const { sanity } = watch({ trustProxy });
      const peer = trustProxy.includes('::1') ? '::1' : '127.0.0.1';
      for (let i = 0; i < 100; i += 1) sanity.observe(peer, { ...forwarded(`203.0.113.${i}`), 'user-agent': `Browser ${i}` });
      expect(sanity.problem, trustProxy.join()).toBeUndefined();
    }
  });

  it('notices many browsers from one local address without forwarding headers, and nothing from the internet', () => {
    const { sanity, warnings } = watch();
    for (let i = 0; i < 200; i += 1) sanity.observe('198.51.100.1', { 'user-agent': `Browser ${i}` });
    // One person's few browsers on their own machine are not a crowd.
    for (let round = 0; round < 10; round += 1) for (const agent of ['Firefox', 'Chromium', 'curl']) sanity.observe('127.0.0.1', { 'user-agent': agent });
    expect(sanity.problem).toBeUndefined();
    for (let i = 0; i < AGENTS_BEFORE_WARNING; i += 1) sanity.observe('192.168.1.10', { 'user-agent': `Browser ${i}` });
    expect(sanity.problem).toBe('one-address');
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]).not.toContain('192.168');
  });
});

describeEachDialect('the proxy notice on the dashboard', (ctx) => {
  it('appears once requests arrive through a proxy TRUST_PROXY does not name, and the log says so once', async () => {
    const { app, db, logs } = ctx();
    const { browser } = await loggedIn(app, db, 'owner');
    expect((await browser.get('/admin')).body).not.toContain('TRUST_PROXY');
    for (let i = 0; i < FORWARDED_BEFORE_WARNING + 5; i += 1) {
      await app.inject({ method: 'GET', url: '/healthz', remoteAddress: '127.0.0.1', headers: { 'x-forwarded-for': `203.0.113.${i}` } });
    }
    const dashboard = await browser.get('/admin');
    expect(dashboard.body).toContain('Requests arrive through a proxy that TRUST_PROXY does not name.');
    expect((await browser.get('/admin?lang=ru')).body).toContain('Запросы приходят через прокси, которого нет в TRUST_PROXY.');
    const warnings = logs.filter((line) => line.includes('"proxy-not-trusted"'));
    expect(warnings).toHaveLength(1);
    expect(logs.join('')).not.toContain('203.0.113');
  });
});
