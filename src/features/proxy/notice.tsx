import type { PageContext } from '../../web/context.ts';
import type { DashboardNotice } from '../campaigns/index.ts';
import type { ProxyProblem } from './sanity.ts';

function ProxyNotice({ ctx, problem }: { ctx: PageContext; problem: ProxyProblem }) {
  return (
    <p class="notice warning" role="alert">
      <strong>{ctx.t('proxyNotice.label')}</strong> {ctx.t(`proxyNotice.${problem}`)} {ctx.t('proxyNotice.fix')}
    </p>
  );
}

/** Until TRUST_PROXY is set, the dashboard says that every visitor shares one address's limits. */
export const proxyNotice: DashboardNotice = {
  render: ({ app, ctx }) => {
    const problem = app.proxySanity.problem;
    return problem ? <ProxyNotice ctx={ctx} problem={problem} /> : null;
  },
};
