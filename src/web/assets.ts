/**
 * The site's own CSS and scripts, built in memory at start (esbuild bundles the TypeScript islands) and served under
 * content-hashed names with a year-long immutable cache. The organisers' script (passkeys), intake's (encryption) and the
 * inbox's (decryption) are files of their own, so other pages never load them. There are five files; a static-file plugin would add nothing.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { SRC_DIR } from '../paths.ts';
import { build } from 'esbuild';
import type { FastifyInstance } from 'fastify';

export interface Asset {
  readonly url: string;
  readonly body: Buffer;
  readonly contentType: string;
}

export interface Assets {
  readonly css: Asset;
  readonly js: Asset;
  /** Loaded by the organisers' pages only. */
  readonly adminJs: Asset;
  /** Loaded by the intake pages only: encrypts in the browser (OpenPGP.js), so no other page carries its weight. */
  readonly speakJs: Asset;
  /** Loaded by the inbox's submission page only: decrypts there with the reader's own key (OpenPGP.js). */
  readonly inboxJs: Asset;
}

const here = (relative: string) => path.join(SRC_DIR, 'web', relative);
let built: Promise<Assets> | undefined;

export function loadAssets(): Promise<Assets> {
  built ??= buildAssets();
  return built;
}

async function buildAssets(): Promise<Assets> {
  const css = await readFile(here('./assets/styles.css'));
  const [js, adminJs, speakJs, inboxJs] = await Promise.all([
    bundleScript('enhance'),
    bundleScript('admin'),
    bundleScript('speak'),
    bundleScript('intake-inbox'),
  ]);
  return {
    css: fingerprint('styles', 'css', css, 'text/css; charset=utf-8'),
    js: fingerprint('enhance', 'js', js, 'text/javascript; charset=utf-8'),
    adminJs: fingerprint('admin', 'js', adminJs, 'text/javascript; charset=utf-8'),
    speakJs: fingerprint('speak', 'js', speakJs, 'text/javascript; charset=utf-8'),
    inboxJs: fingerprint('intake-inbox', 'js', inboxJs, 'text/javascript; charset=utf-8'),
  };
}

async function bundleScript(name: string): Promise<Buffer> {
  const bundle = await build({
    entryPoints: [here(`../client/${name}.ts`)],
    bundle: true,
    write: false,
    format: 'esm',
    minify: true,
    target: 'es2020',
    legalComments: 'none',
  });
  return Buffer.from(bundle.outputFiles[0]!.contents);
}

function fingerprint(name: string, extension: string, body: Buffer, contentType: string): Asset {
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
  return { url: `/assets/${name}.${hash}.${extension}`, body, contentType };
}

export function registerAssetRoutes(app: FastifyInstance, assets: Assets): void {
  for (const asset of [assets.css, assets.js, assets.adminJs, assets.speakJs, assets.inboxJs]) {
    app.get(asset.url, (_request, reply) => {
      reply.header('cache-control', 'public, max-age=31536000, immutable').type(asset.contentType).send(asset.body);
    });
  }
  app.get('/favicon.ico', (_request, reply) => {
    // A tiny inline SVG mark instead of a 404 on every first visit.
    reply.header('cache-control', 'public, max-age=86400').type('image/svg+xml').send(FAVICON);
  });
}

const FAVICON =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#7a1f1f"/><path d="M8 3v7M8 12v1" stroke="#fff" stroke-width="2" stroke-linecap="round"/></svg>';
