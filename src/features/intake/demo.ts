/**
 * The demo's intake: a reviewer and a partner whose private keys the demo writes into the data folder, clearly named,
 * so that `npm start` shows /speak working end to end and a tester can decrypt what they send. Over https the server
 * refuses to start while these files are there (main.ts): a real campaign's readers keep their keys to themselves.
 */
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateKey } from 'openpgp';
import type { DemoContext } from '../../feature.ts';
import { addRecipient, listRecipients } from './recipients.ts';

const DEMO_READERS = [
  { kind: 'reviewer', name: 'Demo reviewer', description: '', region: '', file: 'DEMO-ONLY-intake-reviewer-private.asc' },
  {
    kind: 'partner',
    name: 'Demo partner: safe passage',
    description: 'DEMO ONLY. Stands for an organisation that helps people at risk leave the region and find safe housing.',
    region: 'North Caucasus',
    file: 'DEMO-ONLY-intake-partner-private.asc',
  },
] as const;

/** The demo's private key files still in the data folder. */
export function demoIntakeKeysOnServer(dataDir: string): string[] {
  return DEMO_READERS.map((reader) => path.join(dataDir, reader.file)).filter((file) => existsSync(file));
}

export async function addDemoIntakeReaders({ db, dataDir }: DemoContext): Promise<void> {
  if ((await listRecipients(db)).length > 0) return;
  for (const reader of DEMO_READERS) {
    const pair = await generateKey({ type: 'ecc', curve: 'curve25519Legacy', userIDs: [{ name: `${reader.name} (DEMO ONLY)` }], format: 'armored' });
    const file = path.join(dataDir, reader.file);
    writeFileSync(file, pair.privateKey, { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
    await addRecipient(db, {
      userId: null,
      input: { kind: reader.kind, name: reader.name, description: reader.description, region: reader.region, publicKey: pair.publicKey, notifyEmail: '' },
    });
  }
}
