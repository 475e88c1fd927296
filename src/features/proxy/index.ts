/**
 * Proxy sanity: notices a reverse proxy in front while TRUST_PROXY is not set (every visitor would share the proxy's
 * per-client limits), and says so once in the log and on the organisers' dashboard.
 */
import type { Feature } from '../../feature.ts';
import en from './locales/en.json' with { type: 'json' };
import ru from './locales/ru.json' with { type: 'json' };
import { proxyNotice } from './notice.tsx';
import { ProxySanity } from './sanity.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** What this process has noticed about the proxy in front of it. */
    proxySanity: ProxySanity;
  }
}

export const proxy: Feature = {
  name: 'proxy',
  locales: { en, ru },
  register(app) {
    const { config, logger } = app.deps;
    const sanity = new ProxySanity({ trustProxy: config.trustProxy, https: config.secureCookies, logger });
    app.decorate('proxySanity', sanity);
    app.addHook('onRequest', (request, _reply, done) => {
      sanity.observe(request.socket?.remoteAddress, request.headers);
      done();
    });
  },
  dashboardNotices: [proxyNotice],
};
