/**
 * Behind a reverse proxy without TRUST_PROXY, every visitor has the proxy's address and all share one per-client
 * bucket: after 60 signatures the whole site answers 429, everyone after the tenth is set aside, 20 live streams fill
 * it. Nothing else would say so. This notices it at start (an https site is always behind something) and from the
 * requests, and says so once, in the log and on the dashboard. No address is logged or kept.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Logger } from '../../log.ts';
import { isInList, parseAddressList, specialRangeOf } from '../../web/address-ranges.ts';

export type ProxyProblem = 'https-untrusted' | 'forwarded-untrusted' | 'one-address';

/** Requests with forwarding headers from an untrusted peer before it counts as a proxy (a stray scanner sends a few). */
export const FORWARDED_BEFORE_WARNING = 10;
/** Different browsers (by User-Agent) from one local address, without forwarding headers, before it counts as a proxy. */
export const AGENTS_BEFORE_WARNING = 20;
/** Local peers followed at once; more would be a network, not a proxy. */
const MAX_PEERS = 16;

const MESSAGES: Record<ProxyProblem, string> = {
  'https-untrusted':
    'PUBLIC_URL is https, so a TLS proxy is in front, but TRUST_PROXY is not set: every visitor looks like the proxy and the per-client limits (signing, live streams, login) treat them all as one. Set TRUST_PROXY to the proxy address (README, Deploy).',
  'forwarded-untrusted':
    'Requests arrive with X-Forwarded-For from an address TRUST_PROXY does not name: if that is a proxy, every visitor looks like it and the per-client limits treat them all as one. Set TRUST_PROXY to the proxy address (README, Deploy).',
  'one-address':
    'Many different browsers arrive from one local address without forwarding headers: if a proxy is in front, make it send X-Forwarded-For and set TRUST_PROXY to its address, or the per-client limits treat every visitor as one (README, Deploy).',
};

// The names proxy-addr (Fastify's trustProxy) gives to ranges, as TRUST_PROXY accepts them.
const NAMED_RANGES: Record<string, readonly string[]> = {
  loopback: ['127.0.0.0/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

const LOCAL_RANGES = new Set(['loopback', 'private', 'unique local']);

export class ProxySanity {
  private found: ProxyProblem | undefined;
  private forwardedSeen = 0;
  private readonly agentsByPeer = new Map<string, Set<number>>();
  private readonly isTrusted: (address: string) => boolean;

  constructor(private readonly options: { trustProxy: readonly string[]; https: boolean; logger: Logger }) {
    this.isTrusted = trustMatcher(options.trustProxy);
    if (options.https && options.trustProxy.length === 0) this.report('https-untrusted');
  }

  /** What was noticed, if anything (the dashboard says it). */
  get problem(): ProxyProblem | undefined {
    return this.found;
  }

  /** Looks at one request's peer address and headers: a few comparisons, and nothing once a problem is found. */
  observe(peer: string | undefined, headers: IncomingHttpHeaders): void {
    if (this.found !== undefined || peer === undefined) return;
    const address = peer.startsWith('::ffff:') && peer.includes('.') ? peer.slice(7) : peer;
    if (this.isTrusted(address)) return;
    if (headers['x-forwarded-for'] !== undefined || headers.forwarded !== undefined || headers['x-real-ip'] !== undefined) {
      if (++this.forwardedSeen >= FORWARDED_BEFORE_WARNING) this.report('forwarded-untrusted');
      return;
    }
    const agent = headers['user-agent'];
    if (agent === undefined || !LOCAL_RANGES.has(specialRangeOf(address) ?? '')) return;
    let agents = this.agentsByPeer.get(address);
    if (!agents) {
      if (this.agentsByPeer.size >= MAX_PEERS) return;
      this.agentsByPeer.set(address, (agents = new Set()));
    }
    // Only a hash of each User-Agent is kept, and only until there are enough of them.
    agents.add(fnv1a(agent));
    if (agents.size >= AGENTS_BEFORE_WARNING) this.report('one-address');
  }

  private report(problem: ProxyProblem): void {
    this.found = problem;
    this.agentsByPeer.clear();
    this.options.logger.warn({ event: 'proxy-not-trusted' }, MESSAGES[problem]);
  }
}

/** Whether TRUST_PROXY names an address; entries the app cannot read here make it trust everything (and warn never). */
function trustMatcher(entries: readonly string[]): (address: string) => boolean {
  if (entries.length === 0) return () => false;
  try {
    const list = parseAddressList(entries.flatMap((entry) => NAMED_RANGES[entry] ?? [entry]));
    return (address) => isInList(list, address);
  } catch {
    return () => true;
  }
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < Math.min(text.length, 512); i += 1) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}
