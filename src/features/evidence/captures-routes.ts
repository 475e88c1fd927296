/**
 * Kept copies over HTTP. Organisers (edit permission) ask for a capture or upload a copy; they download any source's
 * copies and tokens. The public downloads a public source's copy and the tokens over it. A copy is someone else's
 * page: it is only ever sent as an attachment, in a sandbox with nothing allowed, never sniffed, never shown inline.
 */
import { Readable } from 'node:stream';
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply } from 'fastify';
import { AppError } from '../../errors.ts';
import { asFormBody, parseId } from '../../web/form.ts';
import { requirePermission, requireUser } from '../admin/index.ts';
import { getPublicCampaign } from '../campaigns/index.ts';
import { findCaptureById, findTimestampById, readCaptureBytes, type CaptureRecord } from './captures-store.ts';
import { copyFileName, timestampFileName } from './captures-views.tsx';
import { requestSourceCapture, timestampReplyOf, uploadSourceCopy } from './captures.ts';
import { COPY_TYPES } from './copy-types.ts';
import { getSource } from './service.ts';

type FileParams = { Params: { slug?: string; id: string; file: string } };
type IdParams = { Params: { id: string } };

/** Where the organisers' page of a source is: the capture forms come back to it. */
export function sourceAdminPath(sourceId: number): string {
  return `/admin/evidence/sources/${sourceId}`;
}

const DOWNLOAD_CSP = "sandbox; default-src 'none'";

// Route-level onSend runs after the app's own (security-headers.ts), so this policy replaces the page policy.
const downloadHeaders = {
  onSend: async (_request: unknown, reply: FastifyReply) => {
    reply.header('content-security-policy', DOWNLOAD_CSP);
    reply.header('x-content-type-options', 'nosniff');
  },
};

function notFound(): AppError {
  return new AppError('not_found', 'No such copy.');
}

function sendAttachment(reply: FastifyReply, options: { type: string; name: string; size: number; body: Buffer | Readable; cache: string }) {
  return reply
    .header('content-disposition', `attachment; filename="${options.name}"`)
    .header('content-length', String(options.size))
    .header('cache-control', options.cache)
    .type(options.type)
    .send(options.body);
}

export async function registerCaptureRoutes(app: FastifyInstance): Promise<void> {
  const { database, config, keys } = app.deps;
  const { db } = database;
  const view = { preHandler: [requireUser, requirePermission('campaigns:view')] };
  const edit = { preHandler: [requireUser, requirePermission('campaigns:edit')] };

  /** The capture named by the URL, when its file name is the one it is served under and it is stored. */
  async function storedCapture(id: string, file: string): Promise<CaptureRecord> {
    const captureId = parseId(id);
    const capture = captureId === undefined ? undefined : await findCaptureById(db, captureId);
    if (capture?.state !== 'stored' || copyFileName(capture) !== file) throw notFound();
    return capture;
  }

  /** A public campaign's capture of a public source, or a 404 that says nothing of what exists. */
  async function publicCapture(slug: string, id: string, file: string): Promise<CaptureRecord> {
    const campaign = await getPublicCampaign(db, slug);
    const capture = await storedCapture(id, file);
    if (capture.campaignId !== campaign.id) throw notFound();
    const source = await getSource(db, capture.sourceId);
    if (!source.public) throw notFound();
    return capture;
  }

  function sendCopy(reply: FastifyReply, capture: CaptureRecord, cache: string) {
    return sendAttachment(reply, {
      type: COPY_TYPES[capture.fileType ?? 'warc'].contentType,
      name: copyFileName(capture),
      size: capture.size ?? 0,
      body: Readable.from(readCaptureBytes(db, capture.id)),
      cache,
    });
  }

  async function sendToken(reply: FastifyReply, id: string, file: string, captureOf: (captureId: number) => Promise<unknown>, cache: string) {
    const timestampId = parseId(id);
    const timestamp = timestampId === undefined ? undefined : await findTimestampById(db, timestampId);
    if (!timestamp?.token || timestamp.captureId === null || timestampFileName(timestamp) !== file) throw notFound();
    await captureOf(timestamp.captureId);
    const body = timestampReplyOf(timestamp.token);
    return sendAttachment(reply, { type: 'application/timestamp-reply', name: file, size: body.length, body, cache });
  }

  // A source may be made internal later: public copies are cached briefly, like the pages that link them.
  const PUBLIC_CACHE = 'public, max-age=300';
  app.get<FileParams>('/c/:slug/evidence/copies/:id/:file', downloadHeaders, async (request, reply) => {
    const { slug = '', id, file } = request.params;
    return sendCopy(reply, await publicCapture(slug, id, file), PUBLIC_CACHE);
  });

  app.get<FileParams>('/c/:slug/evidence/timestamps/:id/:file', downloadHeaders, async (request, reply) => {
    const { slug = '', id, file } = request.params;
    const captureOf = async (captureId: number) => {
      const capture = await findCaptureById(db, captureId);
      if (!capture) throw notFound();
      return publicCapture(slug, String(captureId), copyFileName(capture));
    };
    return sendToken(reply, id, file, captureOf, PUBLIC_CACHE);
  });

  app.get<FileParams>('/admin/evidence/copies/:id/:file', { ...view, ...downloadHeaders }, async (request, reply) => {
    return sendCopy(reply, await storedCapture(request.params.id, request.params.file), 'no-store');
  });

  app.get<FileParams>('/admin/evidence/timestamps/:id/:file', { ...view, ...downloadHeaders }, async (request, reply) => {
    const captureOf = async (captureId: number) => {
      if (!(await findCaptureById(db, captureId))) throw notFound();
    };
    return sendToken(reply, request.params.id, request.params.file, captureOf, 'no-store');
  });

  app.post<IdParams>('/admin/evidence/sources/:id/capture', edit, async (request, reply) => {
    const sourceId = parseId(request.params.id);
    if (sourceId === undefined) throw new AppError('not_found', 'No such source.');
    await requestSourceCapture(database, { userId: request.user!.id, sourceId, dataKey: keys.dataKey });
    app.deps.onJobQueued();
    return reply.redirect(`${sourceAdminPath(sourceId)}?done=capture-requested`, 303);
  });

  // Multipart is read on this one route only (its own plugin scope), bounded by the copy size limit.
  const copyUpload: FastifyPluginAsync = async (scope) => {
    await scope.register(multipart, {
      attachFieldsToBody: 'keyValues',
      limits: { fileSize: config.evidence.captureMaxBytes, files: 1, fields: 2, parts: 3, fieldSize: 1024 },
    });
    scope.post<IdParams>('/admin/evidence/sources/:id/copies', { ...edit, bodyLimit: config.evidence.captureMaxBytes + 64 * 1024 }, async (request, reply) => {
      const sourceId = parseId(request.params.id);
      if (sourceId === undefined) throw new AppError('not_found', 'No such source.');
      const file = asFormBody(request.body)['copy'];
      const bytes = Buffer.isBuffer(file) ? file : Buffer.alloc(0);
      // A refused file is a 400 page saying why in the organiser's language; nothing is stored.
      await uploadSourceCopy(database, { userId: request.user!.id, sourceId, bytes, settings: config.evidence });
      return reply.redirect(`${sourceAdminPath(sourceId)}?done=copy-uploaded`, 303);
    });
  };
  await app.register(copyUpload);
}
