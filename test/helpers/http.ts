/** Talking to the app as a browser would: cookies kept between requests, CSRF tokens filled into forms. */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { deriveKey, hmacBase64Url } from '../../src/crypto/keys.ts';
import { cookieName } from '../../src/web/cookies.ts';
import { CSRF_COOKIE, CSRF_FIELD } from '../../src/web/csrf.ts';

export class Browser {
  readonly cookies = new Map<string, string>();
  /** Each browser comes from its own loopback address, as separate people would, so per-client limits apply per browser. */
  readonly remoteAddress: string;

  constructor(private readonly app: FastifyInstance) {
    this.cookies.set(this.csrfCookieName, randomBytes(32).toString('base64url'));
    const [a, b, c] = randomBytes(3);
    this.remoteAddress = `127.${a}.${b}.${Math.max(1, c!)}`;
  }

  /** The CSRF nonce cookie's name for this app: `__Host-` prefixed when its PUBLIC_URL is https. */
  get csrfCookieName(): string {
    return cookieName(CSRF_COOKIE, this.app.deps.config.secureCookies);
  }

  get csrfToken(): string {
    return hmacBase64Url(deriveKey(this.app.deps.config.secretKey, 'csrf'), this.cookies.get(this.csrfCookieName)!);
  }

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private remember(response: LightMyRequestResponse): LightMyRequestResponse {
    for (const cookie of response.cookies as { name: string; value: string; maxAge?: number; expires?: Date }[]) {
      const expired = cookie.maxAge === 0 || (cookie.expires !== undefined && cookie.expires.getTime() < Date.now());
      if (expired || cookie.value === '') this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value);
    }
    return response;
  }

  async get(url: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    return this.remember(
      await this.app.inject({ method: 'GET', url, remoteAddress: this.remoteAddress, headers: { cookie: this.cookieHeader(), ...headers } }),
    );
  }

  /** Posts a urlencoded form with the CSRF token added (unless `csrf: false`). Arrays become repeated fields. */
  async post(
    url: string,
    fields: Record<string, string | string[] | undefined>,
    options: { csrf?: boolean; headers?: Record<string, string> } = {},
  ): Promise<LightMyRequestResponse> {
    const params = new URLSearchParams();
    if (options.csrf !== false) params.append(CSRF_FIELD, this.csrfToken);
    for (const [key, value] of Object.entries(fields)) {
      if (value === undefined) continue;
      for (const v of Array.isArray(value) ? value : [value]) params.append(key, v);
    }
    return this.remember(
      await this.app.inject({
        method: 'POST',
        url,
        remoteAddress: this.remoteAddress,
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: this.cookieHeader(), ...options.headers },
        payload: params.toString(),
      }),
    );
  }
}
