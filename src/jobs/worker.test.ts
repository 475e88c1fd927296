/** Stopping the worker: it finishes the job in hand and gives back the rest of its batch, due again and untried. */
import { expect, it } from 'vitest';
import { describeEachDialect } from '../../test/helpers/app.ts';
import { defineJob } from './job.ts';
import { enqueueJobs } from './queue.ts';
import { startWorker } from './worker.ts';

describeEachDialect('worker', (ctx) => {
  it('on stop, finishes the job it is running and releases the others it claimed', async () => {
    const { app, db } = ctx();
    const { deps } = app;
    let started!: () => void;
    const firstStarted = new Promise<void>((resolve) => (started = resolve));
    let finish!: () => void;
    const gate = new Promise<void>((resolve) => (finish = resolve));
    const ran: number[] = [];
    const slow = defineJob<{ n: number }>('test-slow', async (_ctx, { n }) => {
      started();
      await gate;
      ran.push(n);
    });
    await enqueueJobs(
      db,
      [1, 2, 3].map((n) => slow.toJob(deps.keys.dataKey, { n })),
    );

    const worker = startWorker({ database: deps.database, logger: deps.logger, config: deps.config, dataKey: deps.keys.dataKey, jobs: [slow], tasks: [] });
    await firstStarted;
    const stopped = worker.stop();
    finish();
    await stopped;

    expect(ran).toEqual([1]);
    const left = await db.selectFrom('jobs').select(['kind', 'attempts', 'locked_until']).where('kind', '=', 'test-slow').execute();
    expect(left).toEqual([
      { kind: 'test-slow', attempts: 0, locked_until: null },
      { kind: 'test-slow', attempts: 0, locked_until: null },
    ]);
  });
});
