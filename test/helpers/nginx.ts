/**
 * Debian's nginx in front of a real Outcry, configured by deploy/nginx/outcry.conf itself: the same directives, with
 * its paths, ports and certificate swapped for a temporary folder, loopback ports and a self-signed certificate.
 * nginx runs as a child process of the test (`nginx -p DIR -c FILE -g 'daemon off;'`), its logs and pid in DIR.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http2 from 'node:http2';
import https from 'node:https';
import { createConnection, createServer, type AddressInfo } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NGINX_PATH } from './environment.ts';

export const DEPLOY_CONF = fileURLToPath(new URL('../../deploy/nginx/outcry.conf', import.meta.url));

export interface ProxyResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface ProxyRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** The loopback address the request comes from (127.0.0.2…): a visitor of its own. */
  localAddress?: string;
}

export interface RunningNginx {
  /** `https://127.0.0.1:PORT`. */
  readonly origin: string;
  readonly httpPort: number;
  /** The self-signed certificate (PEM) to trust. */
  readonly ca: string;
  /** What the deploy file's /var/www/html became: certbot --webroot writes its challenges under it. */
  readonly webroot: string;
  /** An HTTPS/1.1 request through the proxy. */
  request(pathAndQuery: string, options?: ProxyRequest): Promise<ProxyResponse>;
  /** An HTTP/2 GET through the proxy: its status and the protocol the connection settled on. */
  requestHttp2(pathAndQuery: string): Promise<{ status: number; alpn: string | false }>;
  /** What nginx wrote to its error logs. */
  errors(): string;
  stop(): Promise<void>;
}

/** Swaps one exact piece of the deploy file, failing loudly if the file no longer has it (so this never drifts silently). */
function swap(text: string, from: string, to: string): string {
  if (!text.includes(from)) throw new Error(`deploy/nginx/outcry.conf no longer contains ${JSON.stringify(from)}: update test/helpers/nginx.ts`);
  return text.split(from).join(to);
}

/** The deploy configuration with this run's paths, ports and certificate; everything else as shipped. */
export function proxyConfig(source: string, options: { dir: string; upstreamPorts: readonly number[]; httpPort: number; httpsPort: number }): string {
  const { dir } = options;
  let conf = source;
  // The deploy file's upstream names one process (a second commented out): one server line per process here.
  const servers = options.upstreamPorts.map((port) => `server 127.0.0.1:${port};`).join('\n    ');
  conf = swap(conf, 'server 127.0.0.1:3000;', servers);
  conf = swap(conf, 'proxy_cache_path /var/cache/nginx/outcry ', `proxy_cache_path ${dir}/cache `);
  conf = swap(conf, 'listen 80;', `listen 127.0.0.1:${options.httpPort};`);
  conf = swap(conf, 'listen [::]:80;', '');
  conf = swap(conf, 'listen 443 ssl http2;', `listen 127.0.0.1:${options.httpsPort} ssl http2;`);
  conf = swap(conf, 'listen [::]:443 ssl http2;', '');
  conf = swap(conf, '/etc/letsencrypt/live/campaign.example.org/fullchain.pem', `${dir}/cert.pem`);
  conf = swap(conf, '/etc/letsencrypt/live/campaign.example.org/privkey.pem', `${dir}/key.pem`);
  conf = swap(conf, 'error_log /var/log/nginx/outcry.error.log crit;', `error_log ${dir}/outcry.error.log warn;`);
  conf = swap(conf, 'root /var/www/html;', `root ${dir}/acme;`);
  return conf;
}

/** What a benchmark changes (bench/proxy.ts); the tests take nginx as the deploy file and Debian's defaults make it. */
export interface NginxTuning {
  /** A change to the derived site configuration (say, realip for a load generator, or the cache off). */
  edit?: (conf: string) => string;
  /** worker_processes, worker_connections and worker_rlimit_nofile (README, Deploy: raised for a crowd). */
  workers?: { processes: number; connections: number; rlimitNofile: number };
  /** The command line nginx runs with (say, pinned to a core with taskset). */
  launch?: (command: string, args: string[]) => [string, string[]];
}

/** The main configuration Debian's /etc/nginx/nginx.conf would be, pointing every file nginx writes into `dir`. */
function mainConfig(dir: string, workers: NginxTuning['workers'] = { processes: 1, connections: 1024, rlimitNofile: 0 }): string {
  // As root, nginx's workers would switch to `nobody`, who cannot enter the temporary folder.
  const user = process.getuid?.() === 0 ? `user ${userInfo().username};` : '';
  const mimeTypes = existsSync('/etc/nginx/mime.types') ? 'include /etc/nginx/mime.types;' : '';
  return `${user}
worker_processes ${workers.processes};
${workers.rlimitNofile ? `worker_rlimit_nofile ${workers.rlimitNofile};` : ''}
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections ${workers.connections}; }
http {
  ${mimeTypes}
  default_type application/octet-stream;
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  include ${dir}/outcry.conf;
}
`;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

function selfSignedCertificate(dir: string): void {
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      `${dir}/key.pem`,
      '-out',
      `${dir}/cert.pem`,
      '-days',
      '2',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
    ],
    { stdio: 'pipe' },
  );
}

/**
 * Starts nginx on loopback in front of the Outcry listening on `upstreamPort` (or the several web processes on
 * `upstreamPorts`, scaled mode); resolves once it accepts connections.
 */
export async function startNginx(options: ({ upstreamPort: number } | { upstreamPorts: readonly number[] }) & { tuning?: NginxTuning }): Promise<RunningNginx> {
  const tuning = options.tuning ?? {};
  const upstreamPorts = 'upstreamPorts' in options ? options.upstreamPorts : [options.upstreamPort];
  const dir = mkdtempSync(path.join(tmpdir(), 'outcry-nginx-'));
  mkdirSync(path.join(dir, 'acme'));
  selfSignedCertificate(dir);
  const [httpPort, httpsPort] = [await freePort(), await freePort()];
  writeFileSync(
    path.join(dir, 'outcry.conf'),
    (tuning.edit ?? ((conf: string) => conf))(proxyConfig(readFileSync(DEPLOY_CONF, 'utf8'), { dir, upstreamPorts, httpPort, httpsPort })),
  );
  const conf = path.join(dir, 'nginx.conf');
  writeFileSync(conf, mainConfig(dir, tuning.workers));
  const args = ['-p', dir, '-e', path.join(dir, 'error.log'), '-c', conf];
  const checked = spawnSync(NGINX_PATH, [...args, '-t'], { encoding: 'utf8' });
  if (checked.status !== 0) throw new Error(`nginx -t refused the configuration:\n${checked.stderr}`);

  const [command, commandArgs] = (tuning.launch ?? ((c: string, a: string[]) => [c, a] as [string, string[]]))(NGINX_PATH, [...args, '-g', 'daemon off;']);
  const child: ChildProcess = spawn(command, commandArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  let hasExited = false;
  void exited.then(() => (hasExited = true));
  const deadline = Date.now() + 15_000;
  while (!(await canConnect(httpsPort))) {
    if (hasExited || Date.now() > deadline) throw new Error(`nginx did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }

  const ca = readFileSync(path.join(dir, 'cert.pem'), 'utf8');
  const origin = `https://127.0.0.1:${httpsPort}`;
  const readLog = (name: string) => (existsSync(path.join(dir, name)) ? readFileSync(path.join(dir, name), 'utf8') : '');
  return {
    origin,
    httpPort,
    ca,
    webroot: path.join(dir, 'acme'),
    request(pathAndQuery, request = {}) {
      return new Promise((resolve, reject) => {
        const outgoing = https.request(
          `${origin}${pathAndQuery}`,
          {
            method: request.method ?? 'GET',
            headers: request.headers,
            ca,
            // A fresh connection per request, so each comes from the address it names.
            agent: false,
            ...(request.localAddress ? { localAddress: request.localAddress } : {}),
          },
          (response) => {
            let body = '';
            response.setEncoding('utf8');
            response.on('data', (chunk: string) => (body += chunk));
            response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
            response.on('error', reject);
          },
        );
        outgoing.on('error', reject);
        outgoing.end(request.body);
      });
    },
    requestHttp2(pathAndQuery) {
      return new Promise((resolve, reject) => {
        const session = http2.connect(origin, { ca });
        session.on('error', reject);
        const stream = session.request({ ':path': pathAndQuery });
        stream.on('response', (headers) => {
          const alpn = session.alpnProtocol ?? false;
          stream.resume();
          stream.on('end', () => {
            session.close();
            resolve({ status: Number(headers[':status']), alpn });
          });
        });
        stream.on('error', reject);
        stream.end();
      });
    },
    errors: () => `${readLog('error.log')}${readLog('outcry.error.log')}${output}`,
    async stop() {
      if (!hasExited) {
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
