/**
 * Every refusal ends here: an AppError keeps its code; Fastify's own client errors are mapped onto the same codes;
 * anything else is a bug, logged (without request data) and answered as a bare 500 that leaks nothing.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, isAppError, type ErrorCode } from '../errors.ts';
import { pageContext, type PageContext } from './context.ts';
import { Layout, sendPage } from './layout.tsx';

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad_request',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'bad_request',
  FST_ERR_CTP_INVALID_JSON_BODY: 'bad_request',
  FST_ERR_VALIDATION: 'validation_failed',
};

export function toAppError(error: unknown): AppError {
  if (isAppError(error)) return error;
  const fastifyError = error as Partial<FastifyError>;
  const mapped = fastifyError.code ? FASTIFY_CODES[fastifyError.code] : undefined;
  if (mapped) return new AppError(mapped, messageFor(mapped));
  if (fastifyError.validation) return new AppError('validation_failed', messageFor('validation_failed'));
  const status = fastifyError.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const code: ErrorCode =
      status === 404
        ? 'not_found'
        : status === 413
          ? 'payload_too_large'
          : status === 415
            ? 'unsupported_media_type'
            : status === 429
              ? 'rate_limited'
              : 'bad_request';
    return new AppError(code, messageFor(code));
  }
  return new AppError('internal', messageFor('internal'), { cause: error });
}

const ENGLISH_MESSAGES: Partial<Record<ErrorCode, string>> = {
  bad_request: 'The request could not be understood.',
  validation_failed: 'Some of the information is not valid.',
  not_found: 'There is nothing at this address.',
  payload_too_large: 'What you sent is too large.',
  unsupported_media_type: 'This kind of content is not accepted here.',
  rate_limited: 'Too many attempts. Please wait a few minutes and try again.',
  internal: 'Something went wrong on our side.',
};

function messageFor(code: ErrorCode): string {
  return ENGLISH_MESSAGES[code] ?? code;
}

export function wantsJson(request: FastifyRequest): boolean {
  if (request.url.startsWith('/api/')) return true;
  const accept = request.headers.accept ?? '';
  return accept.includes('application/json') && !accept.includes('text/html');
}

export function sendError(request: FastifyRequest, reply: FastifyReply, error: AppError): FastifyReply {
  if (error.code === 'rate_limited') reply.header('retry-after', '60');
  reply.header('cache-control', 'no-store');
  if (wantsJson(request)) {
    const body: { code: ErrorCode; message: string; fields?: Record<string, string> } = { code: error.code, message: error.message };
    if (error.fields) body.fields = error.fields;
    return reply.code(error.status).type('application/json; charset=utf-8').send({ error: body });
  }
  const ctx = pageContext(request, reply);
  return sendPage(reply, <ErrorPage ctx={ctx} error={error} />, error.status);
}

function ErrorPage({ ctx, error }: { ctx: PageContext; error: AppError }) {
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t('errors.title')}>
      <h1>{t('errors.title')}</h1>
      <p>{t(error.messageKey)}</p>
      <p>
        <a href="/">{t('errors.back')}</a>
      </p>
    </Layout>
  );
}

export function registerErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const appError = toAppError(error);
    if (appError.status >= 500) request.log.error({ err: error, route: request.routeOptions.url }, 'request failed');
    return sendError(request, reply, appError);
  });
  app.setNotFoundHandler((request, reply) => sendError(request, reply, new AppError('not_found', messageFor('not_found'))));
}
