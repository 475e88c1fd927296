/**
 * `GET /c/{slug}/events`: the live counter as Server-Sent Events.
 *
 * On connect: `retry: 5000`, then one `event: count` per petition of the campaign with its current number
 * (`{"slug","petitionId","signatures","goal","updatedAt"}`; a campaign without petitions gets one event like
 * count.json, with `petitionId: null`). After that, one broadcast per campaign per second at most, carrying an
 * `event: count` for each petition whose number moved, and a `: ping` comment every 25 seconds.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { OutgoingHttpHeaders } from 'node:http';
import { Gauge } from 'prom-client';
import { clientKey } from '../../web/client-key.ts';
import { setSecurityHeaders } from '../../web/security-headers.ts';
import { exemptFromTimeouts } from '../../web/timeouts.ts';
import { getPublicCampaign } from '../campaigns/index.ts';
import { petitionsOfCampaign } from '../petitions/index.ts';
import { LIVE_LIMITS, LiveHub, type LiveLimits, type Refusal } from './hub.ts';

const REFUSALS: Record<Refusal, { status: number; code: string; message: string }> = {
  closing: { status: 503, code: 'unavailable', message: 'The server is restarting. Please try again in a moment.' },
  full: { status: 503, code: 'unavailable', message: 'Too many live listeners on this server. The count still updates when the page is reloaded.' },
  client_limit: { status: 429, code: 'rate_limited', message: 'Too many live connections from this address.' },
};

const hubs = new WeakMap<FastifyInstance, LiveHub>();

/** The app's hub, for tests and benchmarks that look at it (listener counts, the last broadcast). */
export function liveHubOf(app: FastifyInstance): LiveHub | undefined {
  return hubs.get(app);
}

/** Registers the events route and starts what feeds it; everything stops when the app closes. */
export function registerLiveRoutes(app: FastifyInstance, options: { limits?: LiveLimits } = {}): LiveHub {
  const { deps } = app;
  const { db } = deps.database;
  const { logger, config } = deps;
  const { countBoard } = app;
  const hub = new LiveHub(
    countBoard,
    (campaignId) => petitionsOfCampaign(db, campaignId),
    options.limits ?? LIVE_LIMITS,
    (err) => logger.warn({ event: 'live-goals-unavailable', err }, 'live counter could not read the goals'),
  );
  hubs.set(app, hub);
  new Gauge({
    name: 'outcry_live_listeners',
    help: 'Live-counter streams (Server-Sent Events) open in this process.',
    registers: [app.metrics],
    collect() {
      this.set(hub.size);
    },
  });
  // preClose runs before the server stops accepting and waits for connections: open streams would hold it forever.
  app.addHook('preClose', async () => hub.close());

  app.get<{ Params: { slug: string } }>('/c/:slug/events', { exposeHeadRoute: false }, async (request, reply) => {
    const campaign = await getPublicCampaign(db, request.params.slug);
    const petitions = await petitionsOfCampaign(db, campaign.id);
    // From here to hub.add nothing waits, so the check and the count it guards cannot be raced.
    const client = clientKey(request.ip);
    const refused = hub.refusal(client);
    if (refused) return refuse(reply, refused);

    setSecurityHeaders(reply, { https: config.secureCookies });
    reply
      .header('content-type', 'text/event-stream; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('x-accel-buffering', 'no')
      // One stream per connection: when it ends, the connection goes too, so a shutdown never waits on it.
      .header('connection', 'close');
    const headers = reply.getHeaders() as OutgoingHttpHeaders;
    // A stream is quiet between counts for longer than a connection may idle; the hub cuts readers that fall behind.
    exemptFromTimeouts(request, reply);
    reply.hijack();
    const stream = reply.raw;
    stream.writeHead(200, headers);
    stream.socket?.setNoDelay(true);
    hub.add({
      campaign: { id: campaign.id, slug: campaign.slug, goal: campaign.goal, updatedAt: campaign.updatedAt },
      petitions: petitions.map((p) => ({ id: p.id, goal: p.goal })),
      clientKey: client,
      stream,
    });
    return reply;
  });

  return hub;
}

function refuse(reply: FastifyReply, refusal: Refusal): FastifyReply {
  const { status, code, message } = REFUSALS[refusal];
  // EventSource gives up on any answer but 200; the page then polls count.json instead.
  return reply
    .code(status)
    .header('cache-control', 'no-store')
    .header('retry-after', '30')
    .type('application/json; charset=utf-8')
    .send({ error: { code, message } });
}
