/**
 * Headers on every response. The CSP allows only this origin and no inline script or style, so injected markup
 * cannot run, and no page can make a request to another site (no CDNs, fonts or analytics, ever).
 */
import type { FastifyInstance, FastifyReply } from 'fastify';

const policyWith = (scriptSources: string) =>
  [
    "default-src 'none'",
    `script-src ${scriptSources}`,
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "manifest-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');

const CONTENT_SECURITY_POLICY = policyWith("'self'");

/**
 * For a page whose script compiles WebAssembly: OpenPGP.js unlocks an Argon2-protected private key with it. Still no
 * eval of JavaScript and no other origin.
 */
export const CONTENT_SECURITY_POLICY_WITH_WASM = policyWith("'self' 'wasm-unsafe-eval'");

export function registerSecurityHeaders(app: FastifyInstance, options: { https: boolean }): void {
  app.addHook('onSend', async (_request, reply) => {
    setSecurityHeaders(reply, options);
  });
}

/** Also called directly for the router's own refusals, which run no hooks. */
export function setSecurityHeaders(reply: FastifyReply, options: { https: boolean }): void {
  reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
  reply.header('x-content-type-options', 'nosniff');
  reply.header('x-frame-options', 'DENY');
  // Not no-referrer: with it a browser sends `Origin: null` on this site's own form posts, which the cross-site check
  // must refuse where Sec-Fetch-Site is missing (Safari before 16.4). Other sites still get no Referer.
  reply.header('referrer-policy', 'same-origin');
  reply.header('cross-origin-opener-policy', 'same-origin');
  reply.header('cross-origin-resource-policy', 'same-origin');
  reply.header('permissions-policy', 'camera=(), microphone=(), geolocation=(), interest-cohort=(), browsing-topics=()');
  if (options.https) reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains');
}
