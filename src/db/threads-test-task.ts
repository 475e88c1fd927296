/** A task for threads.test.ts to run on a worker thread: a module of its own, as runOnThread bundles it by path. */
import type { ThreadTask } from './database.ts';

export const readLabelsOnThread: ThreadTask<{ after: number; fail?: boolean }, string[]> = async (database, input, post) => {
  if (input.fail) throw new Error('asked to fail');
  const labels: string[] = [];
  const pages = database.readPages({
    start: input.after,
    page: (after: number) =>
      database.db
        .withTables<{ pages_test: { id: number; label: string } }>()
        .selectFrom('pages_test')
        .select(['id', 'label'])
        .where('id', '>', after)
        .orderBy('id')
        .limit(4),
    keyOf: (row) => Number(row[0]),
  });
  for await (const page of pages) {
    post(page.length);
    for (const row of page) labels.push(row[1] as string);
  }
  return labels;
};
