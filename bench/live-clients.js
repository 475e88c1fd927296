// The listeners for bench/live.ts, in a process of their own: N Server-Sent Events connections, spread over many
// loopback source addresses (the server allows 20 streams per address). Plain JavaScript, forked with IPC.
//
// Parent -> child: { type: 'open', url, count, from } (from: first index, so processes use different addresses)   child -> parent: { type: 'ready', opened, failed }
//                  { type: 'expect', signatures } child -> parent: { type: 'expecting' }, later { type: 'arrived', arrivals }
//                  (Date.now() when each stream saw that number; one clock for both processes on one machine)
//                  { type: 'close' }
import http from 'node:http';

const streams = [];
let waiting;

function addressFor(i) {
  const n = Math.floor(i / 10) + 1;
  return `127.${100 + Math.floor(n / 65536)}.${Math.floor(n / 256) % 256}.${n % 256}`;
}

function open(url, index) {
  return new Promise((resolve) => {
    const request = http.get(url, { localAddress: addressFor(index), agent: false, headers: { accept: 'text/event-stream' } }, (response) => {
      if (response.statusCode !== 200) {
        response.resume();
        resolve(false);
        return;
      }
      const stream = { buffer: '', last: -1, request };
      streams.push(stream);
      response.setEncoding('utf8');
      let first = true;
      response.on('data', (chunk) => {
        stream.buffer += chunk;
        let end;
        while ((end = stream.buffer.indexOf('\n\n')) >= 0) {
          const frame = stream.buffer.slice(0, end);
          stream.buffer = stream.buffer.slice(end + 2);
          const data = /^data: (.*)$/m.exec(frame);
          if (data && /^event: count$/m.test(frame)) {
            stream.last = JSON.parse(data[1]).signatures;
            if (first) {
              first = false;
              resolve(true);
            }
            if (waiting && stream.last === waiting.signatures) {
              waiting.arrivals.push(Date.now());
              if (waiting.arrivals.length === streams.length) {
                process.send({ type: 'arrived', arrivals: waiting.arrivals });
                waiting = undefined;
              }
            }
          }
        }
      });
      response.on('error', () => undefined);
    });
    request.on('error', () => resolve(false));
  });
}

process.on('message', async (message) => {
  if (message.type === 'open') {
    let opened = 0;
    let failed = 0;
    const batch = 200;
    for (let i = 0; i < message.count; i += batch) {
      const results = await Promise.all(Array.from({ length: Math.min(batch, message.count - i) }, (_, j) => open(message.url, (message.from ?? 0) + i + j)));
      for (const ok of results) ok ? (opened += 1) : (failed += 1);
    }
    process.send({ type: 'ready', opened, failed });
  } else if (message.type === 'expect') {
    waiting = { signatures: message.signatures, arrivals: [] };
    process.send({ type: 'expecting' });
  } else if (message.type === 'close') {
    for (const stream of streams) stream.request.destroy();
    streams.length = 0;
    process.send({ type: 'closed' });
  }
});
