/**
 * Counts across processes (scaled mode): a process that changes a count (a confirmation, a withdrawal, a moderator's
 * restore) says so on a channel, and every web process reads the counts again at once instead of at its next
 * one-second refresh, which stays as the safety net. The database decides how: PostgreSQL's LISTEN/NOTIFY; the
 * embedded database has one process and nothing to say.
 */
import type { DatabaseHandle } from '../../../db/database.ts';
import type { Logger } from '../../../log.ts';
import type { CountBoard } from './count-board.ts';

export const COUNTS_CHANNEL = 'outcry_counts';

/** Starts listening and announcing; returns what stops both. */
export async function connectCountSignals(options: { database: DatabaseHandle; board: CountBoard; logger: Logger }): Promise<() => Promise<void>> {
  const { database, board, logger } = options;
  const listening = await database.listen(COUNTS_CHANNEL, { name: 'count', logger, onSignal: () => void board.refresh().catch(() => undefined) });
  // One notification in flight at a time; changes made meanwhile share the next one.
  let announcing = false;
  let again = false;
  const announce = (): void => {
    if (announcing) {
      again = true;
      return;
    }
    announcing = true;
    database
      .notify(COUNTS_CHANNEL)
      .catch((err: unknown) => logger.warn({ event: 'count-notify-failed', err }, 'could not tell other processes about a count change'))
      .finally(() => {
        announcing = false;
        if (again) {
          again = false;
          announce();
        }
      });
  };
  const unsubscribe = board.onChangedHere(announce);
  return async () => {
    unsubscribe();
    await listening.stop();
  };
}
