// Baseline for the signing benchmark: bare node:http that reads the JSON body, parses it and answers 202,
// which is the least any signing endpoint must do. Outcry's ratio against this is the cost of everything else.
import { createServer } from 'node:http';

const server = createServer((request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    try {
      JSON.parse(Buffer.concat(chunks).toString('utf8'));
      response.writeHead(202, { 'content-type': 'application/json' });
      response.end('{"status":"pending"}');
    } catch {
      response.writeHead(400);
      response.end();
    }
  });
});
server.listen(Number(process.argv[2]), '127.0.0.1', () => process.stdout.write('ready\n'));
