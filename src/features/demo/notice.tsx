import type { PageContext } from '../../web/context.ts';
import type { DashboardNotice } from '../campaigns/index.ts';
import { isDemoKeyOnServer } from './load.ts';

const COMMAND = 'outcry keys new';

/**
 * Shown on the dashboard while the demo's organisation secret key sits in DATA_DIR: anyone who takes the server
 * takes the key that opens every signer's name and address.
 */
function DemoKeyNotice({ ctx }: { ctx: PageContext }) {
  // The command is set in <code> wherever the translation puts it.
  const [before = '', after = ''] = ctx.t('demoNotice.keyOnServer', { command: '\u0000' }).split('\u0000');
  return (
    <p class="notice warning">
      <strong>{ctx.t('demoNotice.label')}</strong> {before}
      <code>{COMMAND}</code>
      {after}
    </p>
  );
}

/** The demo leaves the organisation's secret key on the server: the dashboard says so until the organisers make their own. */
export const demoKeyNotice: DashboardNotice = {
  render: ({ app, ctx }) => (isDemoKeyOnServer(app.deps.config.dataDir) ? <DemoKeyNotice ctx={ctx} /> : null),
};
