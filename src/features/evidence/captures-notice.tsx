import type { FastifyInstance } from 'fastify';
import type { PageContext } from '../../web/context.ts';
import type { DashboardNotice } from '../campaigns/index.ts';

/**
 * Without a timestamp authority, a kept copy proves only what this server says about when it was made: the dashboard
 * says so once the site keeps evidence sources, until EVIDENCE_TSA_URLS is set.
 */
async function renderTimestampNotice({ app, ctx }: { app: FastifyInstance; ctx: PageContext }) {
  if (app.deps.config.evidence.tsaUrls.length > 0) return null;
  const source = await app.deps.database.db.selectFrom('evidence_sources').select('id').limit(1).executeTakeFirst();
  if (!source) return null;
  const [before = '', after = ''] = ctx.t('evidence.captures.notice', { setting: '\u0000' }).split('\u0000');
  return (
    <p class="notice warning">
      {before}
      <code>EVIDENCE_TSA_URLS</code>
      {after}
    </p>
  );
}

export const timestampNotice: DashboardNotice = { render: renderTimestampNotice };
