// The baseline: bare node:http answering every request with the same bytes. Whatever Outcry does on top of
// this (routing, database, rendering, headers) is what the ratio measures.
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';

const body = readFileSync(process.argv[2]);
const server = createServer((_request, response) => {
  response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': body.length });
  response.end(body);
});
server.listen(Number(process.argv[3]), '127.0.0.1', () => process.stdout.write('ready\n'));
