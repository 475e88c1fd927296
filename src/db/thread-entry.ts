/** The worker thread's side of runOnThread (threads.ts): open the database, run the task, post its result, close. */
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase, type ThreadTask } from './database.ts';

export async function serveThread(task: ThreadTask<unknown, unknown>): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('serveThread runs on a worker thread');
  const { url, input } = workerData as { url: string; input: unknown };
  const database = openDatabase({ url, poolSize: 1, mustExist: true });
  try {
    const result = await task(database, input, (message) => port.postMessage({ message }));
    port.postMessage({ result });
  } catch (error) {
    port.postMessage({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  } finally {
    await database.close();
  }
}
