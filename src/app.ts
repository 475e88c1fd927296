/**
 * buildApp wires the features into one Fastify instance and returns it without listening: the server starts it,
 * tests drive it with inject().
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import type { Config } from './config.ts';
import type { DatabaseHandle } from './db/database.ts';
import type { Logger } from './log.ts';
import { deriveKey } from './crypto/keys.ts';
import { loadAssets, registerAssetRoutes, type Assets } from './web/assets.ts';
import { assertValidCsrf } from './web/csrf.ts';
import { registerErrorHandlers, sendError, toAppError } from './web/error-handler.tsx';
import { registerSecurityHeaders, setSecurityHeaders } from './web/security-headers.ts';
import type { SessionUser } from './web/session.ts';
import { registerAdminRoutes } from './features/admin/routes.tsx';
import { registerCampaignAdminRoutes } from './features/campaigns/admin-routes.tsx';
import { registerCampaignRoutes } from './features/campaigns/routes.tsx';
import { registerHealthRoutes } from './features/health/routes.ts';

export interface AppDeps {
  config: Config;
  database: DatabaseHandle;
  logger: Logger;
  assets: Assets;
  keys: { csrf: Buffer; loginThrottle: Buffer };
}

declare module 'fastify' {
  interface FastifyInstance {
    deps: AppDeps;
  }
  interface FastifyRequest {
    user: SessionUser | undefined;
  }
  interface FastifyContextConfig {
    /** Set to false on routes that take no form (JSON APIs with their own authentication). */
    csrf?: boolean;
  }
}

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export async function buildApp(options: { config: Config; database: DatabaseHandle; logger: Logger }): Promise<FastifyInstance> {
  const { config, logger } = options;
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    // Fastify's own request lines carry the raw URL (query strings); ours carry the route pattern only.
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: config.trustProxy.length > 0 ? [...config.trustProxy] : false,
    bodyLimit: 1024 * 1024,
    // Request ids from clients are not trusted; Fastify numbers requests itself.
    requestIdHeader: false,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    // The router refuses malformed percent-encoding and over-long path parameters before any hook runs, and its
    // default answer is bare JSON echoing the path; send those through the same refusal as everything else.
    frameworkErrors: (error, request, reply) => {
      setSecurityHeaders(reply, { https: config.secureCookies });
      request.cookies ??= {};
      return sendError(request, reply, toAppError(error));
    },
  });

  const deps: AppDeps = {
    ...options,
    assets: await loadAssets(),
    keys: { csrf: deriveKey(config.secretKey, 'csrf'), loginThrottle: deriveKey(config.secretKey, 'login-throttle') },
  };
  app.decorate('deps', deps);
  app.decorateRequest('user', undefined);

  // Only urlencoded forms (and JSON) are read; a text/plain body, which any site's form can send, is a 415.
  app.removeContentTypeParser('text/plain');
  await app.register(cookie);
  await app.register(formbody, { bodyLimit: 1024 * 1024 });

  registerSecurityHeaders(app, { https: config.secureCookies });
  registerErrorHandlers(app);
  registerRequestLog(app);
  app.addHook('preHandler', async (request) => {
    // No route (a 404 on its way) has nothing to protect: let the not-found answer through.
    const routed = request.routeOptions.url !== undefined;
    if (routed && UNSAFE_METHODS.has(request.method) && request.routeOptions.config.csrf !== false) {
      assertValidCsrf(request, { key: deps.keys.csrf, secureCookies: config.secureCookies });
    }
  });

  registerAssetRoutes(app, deps.assets);
  registerHealthRoutes(app);
  registerCampaignRoutes(app);
  registerAdminRoutes(app);
  registerCampaignAdminRoutes(app);
  return app;
}

/** One line per finished request: method, route pattern (never the raw URL), status and time. */
function registerRequestLog(app: FastifyInstance): void {
  app.addHook('onResponse', async (request, reply) => {
    const entry = {
      reqId: request.id,
      method: request.method,
      route: request.routeOptions.url ?? '(unmatched)',
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime),
    };
    if (reply.statusCode >= 400) request.log.info(entry, 'request');
    else request.log.debug(entry, 'request');
  });
}
