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
import { registerMailboxRoutes } from './features/mailbox/routes.tsx';
import { registerPetitionAdminRoutes } from './features/petitions/admin-routes.tsx';
import { registerSwitchAdminRoutes } from './features/settings/admin-routes.tsx';
import { registerCampaignRoutes } from './features/campaigns/routes.tsx';
import { registerHealthRoutes } from './features/health/routes.ts';
import { registerPetitionRoutes } from './features/petitions/routes.tsx';
import { registerLiveRoutes } from './features/live/routes.ts';
import { CountBoard } from './features/petitions/count-board.ts';
import { SupporterSealer } from './features/petitions/sealer.ts';
import { SignatureWriter } from './features/petitions/signature-writer.ts';
import { signatureStoreFor } from './features/petitions/signature-store.ts';
import { confirmationMailJobs } from './features/petitions/mails.ts';
import { UsedProofs } from './features/petitions/proof-of-work.ts';
import type { SigningDeps } from './features/petitions/service.ts';
import { SwitchBoard } from './features/settings/switches.ts';
import { TokenBucketLimiter } from './web/rate-limit.ts';

export interface AppDeps {
  config: Config;
  database: DatabaseHandle;
  logger: Logger;
  assets: Assets;
  keys: { csrf: Buffer; loginThrottle: Buffer; formStamp: Buffer; dataKey: Buffer };
  switches: SwitchBoard;
  countBoard: CountBoard;
  signing: SigningDeps;
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

export async function buildApp(options: {
  config: Config;
  database: DatabaseHandle;
  logger: Logger;
  /** Called after signatures commit with mail queued, so an in-process worker sends it at once. */
  onMailQueued?: () => void;
}): Promise<FastifyInstance> {
  const { config, logger } = options;
  const { db } = options.database;
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

  const keys = {
    csrf: deriveKey(config.secretKey, 'csrf'),
    loginThrottle: deriveKey(config.secretKey, 'login-throttle'),
    formStamp: deriveKey(config.secretKey, 'form-timestamp'),
    dataKey: deriveKey(config.secretKey, 'data-key'),
  };
  const switches = new SwitchBoard(db);
  const countBoard = new CountBoard(db, switches);
  const deps: AppDeps = {
    config,
    database: options.database,
    logger,
    assets: await loadAssets(),
    keys,
    switches,
    countBoard,
    signing: {
      db,
      switches,
      sealer: new SupporterSealer(db),
      writer: new SignatureWriter(signatureStoreFor(options.database), (mails) => confirmationMailJobs(keys.dataKey, mails), options.onMailQueued),
      keys: { pepper: deriveKey(config.secretKey, 'signature-pepper'), formStamp: keys.formStamp, dataKey: keys.dataKey },
      // Ten signatures in a burst from one address, then one every six seconds, before they are marked for review;
      // sixty a burst and one a second before the address is refused for a while. A school or an office behind
      // one address can still sign; a script cannot flood the count.
      softLimiter: new TokenBucketLimiter({ capacity: 10, refillPerSecond: 1 / 6 }),
      hardLimiter: new TokenBucketLimiter({ capacity: 60, refillPerSecond: 1 }),
      usedProofs: new UsedProofs(),
    },
  };
  await countBoard.refresh();
  countBoard.start();
  app.addHook('onClose', async () => countBoard.stop());
  app.decorate('deps', deps);
  app.decorateRequest('user', undefined);

  // Only urlencoded forms (and JSON) are read; a text/plain body, which any site's form can send, is a 415.
  app.removeContentTypeParser('text/plain');
  await app.register(cookie);
  await app.register(formbody, { bodyLimit: 1024 * 1024 });

  registerSecurityHeaders(app, { https: config.secureCookies });
  registerErrorHandlers(app);
  registerRequestLog(app, logger);
  app.addHook('preHandler', async (request) => {
    // No route (a 404 on its way) has nothing to protect: let the not-found answer through.
    const routed = request.routeOptions.url !== undefined;
    if (routed && UNSAFE_METHODS.has(request.method) && request.routeOptions.config.csrf !== false) {
      assertValidCsrf(request, { key: deps.keys.csrf, secureCookies: config.secureCookies });
    }
  });

  registerAssetRoutes(app, deps.assets);
  registerHealthRoutes(app);
  const campaignPages = registerCampaignRoutes(app);
  registerPetitionRoutes(app, campaignPages.renderWithRejectedForm);
  await registerLiveRoutes(app);
  registerAdminRoutes(app);
  registerCampaignAdminRoutes(app);
  registerPetitionAdminRoutes(app);
  registerSwitchAdminRoutes(app);
  registerMailboxRoutes(app);
  return app;
}

/** One line per finished request: method, route pattern (never the raw URL), status and time. */
function registerRequestLog(app: FastifyInstance, logger: Logger): void {
  app.addHook('onResponse', (request, reply, done) => {
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
