/** A short section on the campaign page that tells people at risk where they can write safely. */
import { cachedRead } from '../../db/read-cache.ts';
import type { Database } from '../../db/database.ts';
import type { CampaignSection } from '../campaigns/index.ts';

/** Whether anyone can read what is sent (a reviewer or a partner exists); read at most every two seconds. */
function intakeIsOpen(db: Database): Promise<boolean> {
  return cachedRead(db, 'intake:open', async () => {
    const row = await db.selectFrom('intake_recipients').select('id').limit(1).executeTakeFirst();
    return row !== undefined;
  });
}

export const speakSafelySection: CampaignSection = {
  async version({ app }) {
    return (await intakeIsOpen(app.deps.database.db)) ? 'open' : 'closed';
  },
  async render({ app, ctx, campaign }) {
    if (!(await intakeIsOpen(app.deps.database.db))) return null;
    const { t } = ctx;
    return (
      <section class="speak-safely" aria-labelledby="speak-safely-heading">
        <h2 id="speak-safely-heading">{t('speak.section.heading')}</h2>
        <p>{t('speak.section.text')}</p>
        <p>
          <a class="button" href={`/speak?campaign=${encodeURIComponent(campaign.slug)}&lang=${ctx.locale}`}>
            {t('speak.section.link')}
          </a>
        </p>
      </section>
    );
  },
};
