/**
 * buildApp wires the features into one Fastify instance and returns it without listening: the server starts it,
 * tests drive it with inject(). It knows the web layer and the list of features, and no feature's internals.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import type { Config } from './config.ts';
import type { DatabaseHandle } from './db/database.ts';
import type { Logger } from './log.ts';
import { deriveKey } from './crypto/keys.ts';
import { loadAssets, registerAssetRoutes, type Assets } from './web/assets.ts';
import { assertSameSite, assertValidCsrf } from './web/csrf.ts';
import { registerErrorHandlers, sendError, toAppError } from './web/error-handler.tsx';
import { registerSecurityHeaders, setSecurityHeaders } from './web/security-headers.ts';
import { registerMetrics, type RequestCounts } from './web/metrics.ts';
import { timeoutOptions } from './web/timeouts.ts';
import type { SessionUser } from './web/session.ts';
import type { NavLink } from './web/context.ts';
import { assertFeatureOrder, type Feature } from './feature.ts';
import { FEATURES } from './features/index.ts';

export interface AppDeps {
  config: Config;
  database: DatabaseHandle;
  logger: Logger;
  assets: Assets;
  /** Keys the web layer uses (CSRF, form stamps) and the server's data key for queued jobs. */
  keys: { csrf: Buffer; formStamp: Buffer; dataKey: Buffer };
  /** The organisers' navigation, from every feature. */
  adminNav: readonly NavLink[];
  /** Called after a commit that queued a job, so an in-process worker runs it at once. */
  onJobQueued: () => void;
}

declare module 'fastify' {
  interface FastifyInstance {
    deps: AppDeps;
    /** The features this app was built from, in order. */
    features: readonly Feature[];
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

export async function buildApp(options: {
  config: Config;
  database: DatabaseHandle;
  logger: Logger;
  /** Called after a commit that queued a job (signing queues mail), so an in-process worker runs it at once. */
  onJobQueued?: () => void;
  features?: readonly Feature[];
}): Promise<FastifyInstance> {
  const { config, logger } = options;
  const features = options.features ?? FEATURES;
  assertFeatureOrder(features);
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    // Fastify's own request lines carry the raw URL (query strings); ours carry the route pattern only.
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: config.trustProxy.length > 0 ? [...config.trustProxy] : false,
    bodyLimit: 1024 * 1024,
    // Request ids from clients are not trusted; Fastify numbers requests itself.
    requestIdHeader: false,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    ...timeoutOptions(config.timeouts),
    // A request that reaches a stopping server on an open connection is served, and the connection closed after: a
    // 503 would reach the visitor, while a refused new connection sends a proxy on to another process.
    return503OnClosing: false,
    // The router refuses malformed percent-encoding and over-long path parameters before any hook runs, and its
    // default answer is bare JSON echoing the path; send those through the same refusal as everything else.
    frameworkErrors: (error, request, reply) => {
      setSecurityHeaders(reply, { https: config.secureCookies });
      request.cookies ??= {};
      return sendError(request, reply, toAppError(error));
    },
  });

  const deps: AppDeps = {
    config,
    database: options.database,
    logger,
    assets: await loadAssets(),
    keys: {
      csrf: deriveKey(config.secretKey, 'csrf'),
      formStamp: deriveKey(config.secretKey, 'form-timestamp'),
      dataKey: deriveKey(config.secretKey, 'data-key'),
    },
    adminNav: features.flatMap((feature) => feature.adminNav ?? []),
    onJobQueued: options.onJobQueued ?? (() => {}),
  };
  app.decorate('deps', deps);
  app.decorate('features', features);
  app.decorateRequest('user', undefined);

  // Only urlencoded forms (and JSON) are read; a text/plain body, which any site's form can send, is a 415.
  app.removeContentTypeParser('text/plain');
  await app.register(cookie);
  await app.register(formbody, { bodyLimit: 1024 * 1024 });

  registerSecurityHeaders(app, { https: config.secureCookies });
  registerErrorHandlers(app);
  registerRequestLog(app, logger, registerMetrics(app, { allow: config.metricsAllow, db: options.database.db }));
  const publicOrigin = new URL(config.publicUrl).origin;
  app.addHook('preHandler', async (request) => {
    // No route (a 404 on its way) has nothing to protect: let the not-found answer through.
    if (request.routeOptions.url === undefined || !UNSAFE_METHODS.has(request.method)) return;
    assertSameSite(request, publicOrigin);
    if (request.routeOptions.config.csrf !== false) assertValidCsrf(request, { key: deps.keys.csrf, secureCookies: config.secureCookies });
  });

  registerAssetRoutes(app, deps.assets);
  for (const feature of features) await feature.register?.(app);
  return app;
}

/**
 * One line per finished request: method, route pattern (never the raw URL), status and time; and its count for
 * /metrics. Once the app is stopping, each connection closes after its response: one whose request was in flight when
 * the stop began would otherwise stay open, and the server would wait for it to time out.
 */
function registerRequestLog(app: FastifyInstance, logger: Logger, requests: RequestCounts): void {
  let stopping = false;
  app.addHook('preClose', async () => {
    stopping = true;
  });
  app.addHook('onResponse', (request, reply, done) => {
    requests.count(request.method, request.routeOptions.url, reply.statusCode);
    if (stopping) request.raw.socket?.destroySoon?.();
    const failed = reply.statusCode >= 400;
    // Successes are logged at debug level only: skip building their line when it would go nowhere.
    if (failed || logger.isLevelEnabled('debug')) {
      const entry = {
        reqId: request.id,
        method: request.method,
        route: request.routeOptions.url ?? '(unmatched)',
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      };
      if (failed) request.log.info(entry, 'request');
      else request.log.debug(entry, 'request');
    }
    done();
  });
}
