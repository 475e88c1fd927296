/**
 * The development mailbox in the admin, for owners only (it holds supporters' addresses in the clear). With SMTP
 * configured mail leaves the server and nothing is kept: the page says so and lists nothing.
 */
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors.ts';
import { pageContext } from '../../web/context.ts';
import { sendPage } from '../../web/layout.tsx';
import { mailFolder } from '../../jobs/mailer.ts';
import { requirePermission, requireUser } from '../admin/index.ts';
import { listMail, readMail } from './mailbox.ts';
import { MailboxPage, MailMessagePage } from './views.tsx';

const LIST_LIMIT = 200;

export function registerMailboxRoutes(app: FastifyInstance): void {
  const { config } = app.deps;
  const owner = { preHandler: [requireUser, requirePermission('mailbox:view')] };

  app.get('/admin/mail', owner, async (request, reply) => {
    const ctx = pageContext(request, reply);
    const folder = mailFolder(config);
    if (config.smtpUrl) return sendPage(reply, <MailboxPage ctx={ctx} smtp={true} folder={folder} messages={[]} total={0} />);
    const { messages, total } = await listMail(folder, { limit: LIST_LIMIT });
    return sendPage(reply, <MailboxPage ctx={ctx} smtp={false} folder={folder} messages={messages} total={total} />);
  });

  app.get<{ Params: { name: string } }>('/admin/mail/:name', owner, async (request, reply) => {
    if (config.smtpUrl) throw new AppError('not_found', 'No such message');
    const message = await readMail(mailFolder(config), request.params.name);
    return sendPage(reply, <MailMessagePage ctx={pageContext(request, reply)} message={message} publicUrl={config.publicUrl} />);
  });
}
