// The live-counter crowd for bench/proxy.ts, in a process of its own: COUNT visitors open the live counter through the
// proxy (https, a TLS handshake each, as browsers would), spread evenly over SPREAD seconds, each from its own loopback
// source address (127.2.0.0 onwards: nginx sees each as a client of its own, with no header to believe), and each keeps
// it open HOLD seconds. Prints one JSON line: how many opened, refusals by status, errors, the most open at once, and
// the time from asking to the first count event (p50, p99).
//
// node bench/proxy-listeners.js URL CA_FILE COUNT SPREAD_SECONDS HOLD_SECONDS FIRST_INDEX
import { readFileSync } from 'node:fs';
import https from 'node:https';

const [url, caFile, count, spreadSeconds, holdSeconds, firstIndex] = process.argv.slice(2);
const ca = readFileSync(caFile, 'utf8');
const total = Number(count);
const spreadMs = Number(spreadSeconds) * 1000;
const holdMs = Number(holdSeconds) * 1000;
const first = Number(firstIndex);

const firstEventMs = [];
const refused = {};
let errors = 0;
let firstError;
let open = 0;
let maxOpen = 0;
let finished = 0;

function addressFor(i) {
  return `127.${2 + Math.floor(i / 65536)}.${Math.floor(i / 256) % 256}.${i % 256}`;
}

function done() {
  finished += 1;
  if (finished < total) return;
  firstEventMs.sort((a, b) => a - b);
  const at = (q) => (firstEventMs.length ? Number(firstEventMs[Math.min(firstEventMs.length - 1, Math.floor(q * firstEventMs.length))].toFixed(1)) : null);
  process.stdout.write(
    `${JSON.stringify({ asked: total, opened: firstEventMs.length, refused, errors, firstError, maxOpen, firstEventP50Ms: at(0.5), firstEventP99Ms: at(0.99) })}\n`,
  );
  process.exit(0);
}

function listen(i) {
  const askedAt = performance.now();
  let settled = false;
  const settle = () => {
    if (settled) return;
    settled = true;
    done();
  };
  const request = https.get(url, { ca, agent: false, localAddress: addressFor(first + i), headers: { accept: 'text/event-stream' } }, (response) => {
    if (response.statusCode !== 200) {
      refused[response.statusCode] = (refused[response.statusCode] ?? 0) + 1;
      response.resume();
      response.on('end', settle);
      return;
    }
    open += 1;
    maxOpen = Math.max(maxOpen, open);
    response.on('error', () => undefined); // the visitor leaving (destroy) aborts it
    let buffer = '';
    let counted = false;
    response.setEncoding('utf8');
    response.on('data', (chunk) => {
      if (counted) return;
      buffer += chunk;
      if (/^event: count$/m.test(buffer)) {
        counted = true;
        firstEventMs.push(performance.now() - askedAt);
      }
    });
    const closed = () => {
      open -= 1;
      settle();
    };
    response.once('close', closed);
    setTimeout(() => request.destroy(), holdMs);
  });
  request.on('error', (error) => {
    if (!settled) {
      errors += 1;
      firstError ??= String(error);
    }
    settle();
  });
}

// Opens the streams on schedule, a few at a time every 5 ms, rather than a timer each.
const startedAt = performance.now();
let next = 0;
const timer = setInterval(() => {
  const due = Math.min(total, Math.floor(((performance.now() - startedAt) / spreadMs) * total) + 1);
  while (next < due) listen(next++);
  if (next >= total) clearInterval(timer);
}, 5);
