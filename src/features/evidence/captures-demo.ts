/**
 * The demo's source copy: the news report the demo is built from, shipped with the code as a WARC file (a `resource`
 * record holding the article's text, named honestly as an uploaded copy: the original page is not fetched here). It is
 * kept as an uploaded copy of each demo source whose quoted passage it contains. No timestamp is asked for at demo
 * time; with a timestamp authority configured, the hourly head timestamp covers the ledger that names its hash.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { DatabaseHandle } from '../../db/database.ts';
import { SRC_DIR } from '../../paths.ts';
import { keepUploadedCopy } from './captures.ts';
import { listSourcesOfCampaign } from './queries.ts';

export const DEMO_ARTICLE_WARC = path.join(SRC_DIR, 'features', 'evidence', 'demo', 'eyes-on-chechnya-article.warc');

const normalise = (text: string) => text.replace(/\s+/g, ' ').trim();

/** Keeps the article's copy on each of the campaign's sources that quotes it; returns how many. */
export async function addDemoArticleCopy(context: { database: DatabaseHandle; campaignId: number }): Promise<number> {
  const warc = await readFile(DEMO_ARTICLE_WARC);
  const text = normalise(warc.toString('utf8'));
  let kept = 0;
  for (const source of await listSourcesOfCampaign(context.database.db, context.campaignId)) {
    const quote = normalise(source.quote);
    if (quote === '' || !text.includes(quote)) continue;
    await keepUploadedCopy(context.database, { userId: null, sourceId: source.id, bytes: warc, maxBytes: warc.length });
    kept += 1;
  }
  return kept;
}
