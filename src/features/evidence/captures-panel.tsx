/** The kept-copies panel on a source's admin page (admin-routes.tsx calls each source panel it is given). */
import { pageContext } from '../../web/context.ts';
import { flashFrom } from '../../web/flash.ts';
import { can } from '../admin/index.ts';
import type { SourcePanel } from './admin-routes.tsx';
import { SourceCapturesPanel } from './captures-views.tsx';
import { loadSourceCopies } from './captures.ts';

const FLASH_KEYS = { 'capture-requested': 'evidence.captures.done.captureRequested', 'copy-uploaded': 'evidence.captures.done.copyUploaded' } as const;

export const capturesPanel: SourcePanel = async ({ app, request, reply, source }) => {
  const ctx = pageContext(request, reply);
  const { evidence } = app.deps.config;
  const flash = flashFrom(request, reply, FLASH_KEYS);
  return (
    <>
      {flash ? (
        <p class="notice ok" role="status">
          {flash}
        </p>
      ) : null}
      <SourceCapturesPanel
        ctx={ctx}
        sourceId={source.id}
        copies={await loadSourceCopies(app.deps.database.db, source.id)}
        canEdit={request.user !== undefined && can(request.user.role, 'campaigns:edit')}
        timestampsConfigured={evidence.tsaUrls.length > 0}
        maxBytes={evidence.captureMaxBytes}
      />
    </>
  );
};
