/**
 * The owners' page for intake's recipients: who they are, their key's fingerprint, adding and removing them, and for
 * each partner its ID, how many accounts of its own it has, and the command that makes one.
 */
import type { FastifyInstance } from 'fastify';
import type { FieldErrors } from '../../errors.ts';
import { groupedFingerprint } from '../../crypto/openpgp-keys.ts';
import type { PageContext } from '../../web/context.ts';
import { ErrorSummary, SelectField, TextArea, TextField, type FormValues } from '../../web/fields.tsx';
import { flashFrom } from '../../web/flash.ts';
import { asFormBody, parseId } from '../../web/form.ts';
import { formatDate } from '../../web/i18n.ts';
import { CsrfField, sendPage } from '../../web/layout.tsx';
import { pageContext } from '../../web/context.ts';
import { isAppError } from '../../errors.ts';
import { AdminLayout, requirePermission, requireUser } from '../admin/index.ts';
import { countPartnerAccounts } from './partner-accounts.ts';
import { addRecipient, listRecipients, parseRecipientForm, RECIPIENT_KINDS, type Recipient, removeRecipient } from './recipients.ts';

const FLASH_KEYS = { added: 'intake.done.added', removed: 'intake.done.removed' } as const;

/** A partner's ID, its own accounts, and the command (run on the server) that makes another. */
function PartnerAccounts({ ctx, recipient, accounts }: { ctx: PageContext; recipient: Recipient; accounts: number }) {
  if (recipient.kind !== 'partner') return <>—</>;
  return (
    <>
      <p>
        {ctx.t('intake.partnerId', { id: recipient.id })} · {ctx.t('intake.accountsLinked', { count: accounts })}
      </p>
      <code>{`outcry intake partner-account --email ${ctx.t('intake.emailPlaceholder')} --partner ${recipient.id}`}</code>
    </>
  );
}

function RecipientsPage({
  ctx,
  recipients,
  accounts,
  values,
  errors,
  flash,
}: {
  ctx: PageContext;
  recipients: readonly Recipient[];
  /** Partner accounts linked to each recipient, by id. */
  accounts: ReadonlyMap<number, number>;
  values: FormValues;
  errors: FieldErrors;
  flash?: string | undefined;
}) {
  const { t, locale } = ctx;
  const labels = {
    kind: t('intake.kind'),
    name: t('intake.name'),
    description: t('intake.description'),
    region: t('intake.region'),
    public_key: t('intake.publicKey'),
    notify_email: t('intake.notifyEmail'),
  };
  return (
    <AdminLayout ctx={ctx} title={t('intake.title')} flash={flash}>
      <h1>{t('intake.title')}</h1>
      <p>{t('intake.intro')}</p>
      {recipients.length === 0 ? (
        <p>{t('intake.none')}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{labels.name}</th>
              <th scope="col">{labels.kind}</th>
              <th scope="col">{t('intake.fingerprint')}</th>
              <th scope="col">{t('intake.keyExpires')}</th>
              <th scope="col">{t('intake.accounts')}</th>
              <th scope="col">{t('admin.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {recipients.map((r) => (
              <tr>
                <th scope="row">
                  {r.name}
                  {r.region ? <span class="office">{r.region}</span> : null}
                </th>
                <td>{t(`intake.kind_${r.kind}`)}</td>
                <td>
                  <code class="fingerprint">{groupedFingerprint(r.fingerprint)}</code>
                  <span class="office">{r.algorithm}</span>
                </td>
                <td>{r.keyExpiresAt ? formatDate(locale, r.keyExpiresAt, { dateStyle: 'medium' }) : t('intake.never')}</td>
                <td>
                  <PartnerAccounts ctx={ctx} recipient={r} accounts={accounts.get(r.id) ?? 0} />
                </td>
                <td>
                  <form method="post" action={`/admin/intake/recipients/${r.id}/remove`} class="inline">
                    <CsrfField ctx={ctx} />
                    <button type="submit">{t('intake.remove', { name: r.name })}</button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p>{t('intake.partnerAccountsHint')}</p>
      <h2 id="add">{t('intake.add')}</h2>
      <ErrorSummary ctx={ctx} errors={errors} labels={labels} />
      <form method="post" action="/admin/intake/recipients" class="stacked" novalidate>
        <CsrfField ctx={ctx} />
        <SelectField
          ctx={ctx}
          name="kind"
          label={labels.kind}
          errors={errors}
          values={values}
          options={RECIPIENT_KINDS.map((k) => ({ value: k, label: t(`intake.kind_${k}`) }))}
        />
        <TextField ctx={ctx} name="name" label={labels.name} required errors={errors} values={values} maxLength={200} />
        <TextArea
          ctx={ctx}
          name="description"
          label={labels.description}
          hint={t('intake.descriptionHint')}
          errors={errors}
          values={values}
          rows={3}
          maxLength={2000}
        />
        <TextField ctx={ctx} name="region" label={labels.region} errors={errors} values={values} maxLength={200} />
        <TextArea ctx={ctx} name="public_key" label={labels.public_key} hint={t('intake.publicKeyHint')} required errors={errors} values={values} rows={8} />
        <TextField
          ctx={ctx}
          name="notify_email"
          label={labels.notify_email}
          hint={t('intake.notifyEmailHint')}
          type="email"
          errors={errors}
          values={values}
          maxLength={254}
        />
        <button type="submit" class="primary">
          {t('intake.add')}
        </button>
      </form>
    </AdminLayout>
  );
}

export function registerIntakeAdminRoutes(app: FastifyInstance): void {
  const { db } = app.deps.database;
  const manage = { preHandler: [requireUser, requirePermission('intake:manage')] };

  app.get('/admin/intake/recipients', manage, async (request, reply) => {
    const page = (
      <RecipientsPage
        ctx={pageContext(request, reply)}
        recipients={await listRecipients(db)}
        accounts={await countPartnerAccounts(db)}
        values={{}}
        errors={{}}
        flash={flashFrom(request, reply, FLASH_KEYS)}
      />
    );
    return sendPage(reply, page);
  });

  app.post('/admin/intake/recipients', { ...manage, bodyLimit: 256 * 1024 }, async (request, reply) => {
    const body = asFormBody(request.body);
    const { input, errors } = parseRecipientForm(body);
    try {
      if (Object.keys(errors).length === 0) {
        await addRecipient(db, { userId: request.user!.id, input });
        return reply.redirect('/admin/intake/recipients?done=added', 303);
      }
    } catch (error) {
      if (!isAppError(error) || error.code !== 'validation_failed') throw error;
      Object.assign(errors, error.fields);
    }
    // A pasted private key is never sent back into the page (nor into a browser's form history or a proxy's cache).
    const values = errors['public_key'] === 'intake.keyProblems.private' ? { ...body, public_key: '' } : body;
    reply.header('cache-control', 'no-store');
    const page = (
      <RecipientsPage
        ctx={pageContext(request, reply)}
        recipients={await listRecipients(db)}
        accounts={await countPartnerAccounts(db)}
        values={values}
        errors={errors}
      />
    );
    return sendPage(reply, page, 400);
  });

  app.post<{ Params: { id: string } }>('/admin/intake/recipients/:id/remove', manage, async (request, reply) => {
    await removeRecipient(db, { userId: request.user!.id, id: parseId(request.params.id) });
    return reply.redirect('/admin/intake/recipients?done=removed', 303);
  });
}
