// The load generator, run in its own process: POSTs signatures with unique addresses, each from one of many client
// addresses (X-Forwarded-For; the server trusts loopback as its proxy), so per-client limits apply as in real life.
import autocannon from 'autocannon';
import { randomBytes } from 'node:crypto';

const [url, connections, duration] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
let n = 0;
const run = autocannon({
  url,
  connections,
  duration,
  requests: [
    {
      method: 'POST',
      setupRequest(request) {
        n += 1;
        const [a, b, c] = randomBytes(3);
        return {
          ...request,
          headers: { 'content-type': 'application/json', accept: 'application/json', 'x-forwarded-for': `10.${a}.${b}.${c}` },
          body: JSON.stringify({ name: `Bench Signer ${n}`, email: `bench-${n}-${randomBytes(4).toString('hex')}@example.org`, country: 'DE', consent: true }),
        };
      },
    },
  ],
});
run.on('done', (result) => {
  const accepted = result['2xx'];
  process.stdout.write(`${JSON.stringify({ acceptedPerSecond: accepted / result.duration, p99Ms: result.latency.p99, p50Ms: result.latency.p50, non2xx: result.non2xx, errors: result.errors })}\n`);
});
