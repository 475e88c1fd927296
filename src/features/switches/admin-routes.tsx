/** The kill switches page: everyone in the organisers' area sees their state; owners and editors flip them. */
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors.ts';
import { asFormBody } from '../../web/form.ts';
import { pageContext } from '../../web/context.ts';
import { sendPage } from '../../web/layout.tsx';
import { requirePermission, requireUser } from '../admin/index.ts';
import { SwitchesPage } from './admin-views.tsx';
import { changeSwitch } from './service.ts';
import { SWITCH_NAMES, type SwitchName } from './switches.ts';

function isSwitchName(value: unknown): value is SwitchName {
  return typeof value === 'string' && (SWITCH_NAMES as readonly string[]).includes(value);
}

export function registerSwitchAdminRoutes(app: FastifyInstance): void {
  const { db } = app.deps.database;
  const { switches } = app;

  app.get<{ Querystring: { done?: unknown; switch?: unknown } }>(
    '/admin/switches',
    { preHandler: [requireUser, requirePermission('campaigns:view')] },
    async (request, reply) => {
      const ctx = pageContext(request, reply);
      // Read fresh, not from the one-second cache: the organiser must see what is really set.
      switches.invalidate();
      const current = await switches.get();
      const { done, switch: name } = request.query;
      const flash =
        (done === 'on' || done === 'off') && isSwitchName(name)
          ? ctx.t('switches.done', { name: ctx.t(`switches.${name}.label`), state: ctx.t(done === 'on' ? 'switches.on' : 'switches.off') })
          : done === 'unchanged'
            ? ctx.t('switches.unchanged')
            : undefined;
      return sendPage(reply, <SwitchesPage ctx={ctx} switches={current} flash={flash} />);
    },
  );

  app.post('/admin/switches', { preHandler: [requireUser, requirePermission('switches:edit')] }, async (request, reply) => {
    const body = asFormBody(request.body);
    const { name, state } = body;
    if (!isSwitchName(name) || (state !== 'on' && state !== 'off')) throw new AppError('bad_request', 'Name one switch and a state of on or off');
    const changed = await changeSwitch(db, { userId: request.user!.id, name, on: state === 'on' });
    // This process sees the change at once; every other process within its one-second refresh.
    switches.invalidate();
    const query = changed ? new URLSearchParams({ done: state, switch: name }) : new URLSearchParams({ done: 'unchanged' });
    return reply.redirect(`/admin/switches?${query}`, 303);
  });
}
