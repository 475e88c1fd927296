/**
 * `GET /metrics` for Prometheus (text format, prom-client): the process (CPU, memory, handles, event-loop delay, GC),
 * HTTP requests by route pattern and status class, the job queue, and what features register into `app.metrics`
 * (signing outcomes, the group commit, live streams). Labels are closed sets only (route patterns, status classes,
 * outcomes): never a slug, an id, an address or a name.
 *
 * Only connections whose own peer address is in METRICS_ALLOW may read it. A request that carries forwarding headers
 * came through a proxy, and a proxy on this host makes every visitor look local, so it is refused too. Anyone refused
 * gets the ordinary 404: the page is not advertised.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { Database } from '../db/database.ts';
import { measureJobQueue, type JobQueueMeasure } from '../jobs/queue.ts';
import { isInList, parseAddressList } from './address-ranges.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Where features register their counters, gauges and histograms (prom-client), all exported at /metrics. */
    metrics: Registry;
  }
}

let processRegistry: Registry | undefined;

/** Once per process: the event-loop monitor and GC observer belong to the process, however many apps (tests) it builds. */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/**
 * A counter over a small closed set of values whose increment is one Map write: prom-client's labelled `inc` hashes
 * its labels each time (about 0.3 µs), which every request would pay. The numbers are handed over at scrape time.
 */
export function countByLabel<V extends string>(
  registry: Registry,
  options: { name: string; help: string; label: string; values: readonly V[] },
): (value: V) => void {
  const counts = new Map<V, number>(options.values.map((value) => [value, 0]));
  new Counter({
    name: options.name,
    help: options.help,
    labelNames: [options.label],
    registers: [registry],
    collect() {
      this.reset();
      for (const [value, count] of counts) this.inc({ [options.label]: value }, count);
    },
  });
  return (value) => void counts.set(value, (counts.get(value) ?? 0) + 1);
}

const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;

/** Finished requests by method, route pattern and status class, in plain maps (see countByLabel). */
export class RequestCounts {
  private readonly byMethod = new Map<string, Map<string, number[]>>();

  constructor(registry: Registry) {
    const byMethod = this.byMethod;
    new Counter({
      name: 'outcry_http_requests_total',
      help: 'Finished HTTP requests by method, route pattern (never the URL itself) and status class.',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [method, routes] of byMethod) {
          for (const [route, counts] of routes) {
            for (const [i, count] of counts.entries()) if (count > 0) this.inc({ method, route, status: STATUS_CLASSES[i]! }, count);
          }
        }
      },
    });
  }

  /** `route` is the pattern (`/c/:slug`), or undefined when nothing matched. */
  count(method: string, route: string | undefined, status: number): void {
    let routes = this.byMethod.get(method);
    if (!routes) this.byMethod.set(method, (routes = new Map()));
    const key = route ?? '(unmatched)';
    let counts = routes.get(key);
    if (!counts) routes.set(key, (counts = [0, 0, 0, 0, 0]));
    const at = Math.min(4, Math.max(0, Math.floor(status / 100) - 1));
    counts[at]! += 1;
  }
}

/** The job queue, read from the database at scrape time (one query's answer serves both gauges). */
function registerJobQueueGauges(registry: Registry, db: Database): void {
  let reading: Promise<JobQueueMeasure | undefined> | undefined;
  const measure = () =>
    (reading ??= measureJobQueue(db)
      .catch(() => undefined)
      .finally(() => {
        reading = undefined;
      }));
  new Gauge({
    name: 'outcry_job_queue_depth',
    help: 'Jobs in the queue: due now (running ones included), or waiting for a later time (retries).',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      const queue = await measure();
      this.reset();
      if (!queue) return;
      this.set({ state: 'due' }, queue.due);
      this.set({ state: 'later' }, queue.later);
    },
  });
  new Gauge({
    name: 'outcry_job_queue_oldest_due_age_seconds',
    help: 'How long the oldest due job has been due (0 when none is).',
    registers: [registry],
    async collect() {
      const queue = await measure();
      this.reset();
      if (!queue) return;
      this.set(queue.oldestDueAt === null ? 0 : Math.max(0, (Date.now() - Date.parse(queue.oldestDueAt)) / 1000));
    },
  });
}

/**
 * Gives the app its registry (`app.metrics`) and the `/metrics` route; returns the request counter the app's
 * response hook feeds.
 */
export function registerMetrics(app: FastifyInstance, options: { allow: readonly string[]; db: Database }): RequestCounts {
  const registry = new Registry();
  app.decorate('metrics', registry);
  const requests = new RequestCounts(registry);
  registerJobQueueGauges(registry, options.db);
  const processWide = processMetrics();
  const allowed = parseAddressList(options.allow);

  const mayRead = (request: FastifyRequest) => {
    const peer = request.raw.socket?.remoteAddress;
    if (peer === undefined || !isInList(allowed, peer)) return false;
    const { headers } = request;
    return headers['x-forwarded-for'] === undefined && headers['forwarded'] === undefined && headers['x-real-ip'] === undefined;
  };

  app.get('/metrics', { exposeHeadRoute: false }, async (request, reply) => {
    if (!mayRead(request)) return reply.callNotFound();
    // Merged at each scrape: features register into `registry` after this route is made.
    const merged = Registry.merge([processWide, registry]);
    return reply
      .header('cache-control', 'no-store')
      .type(merged.contentType)
      .send(await merged.metrics());
  });
  return requests;
}
