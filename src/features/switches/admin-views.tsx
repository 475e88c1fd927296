import type { PageContext } from '../../web/context.ts';
import { CsrfField } from '../../web/layout.tsx';
import { AdminLayout, can } from '../admin/index.ts';
import { SWITCH_NAMES, type Switches } from './switches.ts';

export function SwitchesPage({ ctx, switches, flash }: { ctx: PageContext; switches: Switches; flash: string | undefined }) {
  const { t, user } = ctx;
  const canEdit = user !== undefined && can(user.role, 'switches:edit');
  return (
    <AdminLayout ctx={ctx} title={t('switches.title')} flash={flash}>
      <h1>{t('switches.title')}</h1>
      <p>{t('switches.intro')}</p>
      {canEdit ? null : <p class="notice">{t('switches.readOnly')}</p>}
      {SWITCH_NAMES.map((name) => {
        const on = switches[name];
        const label = t(`switches.${name}.label`);
        return (
          <section class={on ? 'switch is-on' : 'switch'} aria-labelledby={`switch-${name}`}>
            <h2 id={`switch-${name}`}>{label}</h2>
            <p class="switch-state">
              {`${t('switches.state')} `}
              <strong>{t(on ? 'switches.on' : 'switches.off')}</strong>
            </p>
            <p>{t(`switches.${name}.explain`)}</p>
            <p class="hint">{t(`switches.${name}.when`)}</p>
            {canEdit ? (
              <form method="post" action="/admin/switches">
                <CsrfField ctx={ctx} />
                <input type="hidden" name="name" value={name} />
                <input type="hidden" name="state" value={on ? 'off' : 'on'} />
                <button type="submit" class={on ? 'primary' : 'danger'}>
                  {t(on ? 'switches.turnOff' : 'switches.turnOn')}
                  <span class="visually-hidden">{`: ${label}`}</span>
                </button>
              </form>
            ) : null}
          </section>
        );
      })}
    </AdminLayout>
  );
}
