/**
 * Seals supporter records for this process: one HPKE window per second at most (see crypto/hpke.ts). The window's
 * row is written by the signature writer in the same transaction as the first signature sealed in it.
 */
import { keyIdOf, openSealingWindow, sealRecord, type SealingWindow } from '../../../crypto/hpke.ts';
import type { Database } from '../../../db/database.ts';
import { AppError } from '../../../errors.ts';
import { findActiveOrganisationKey, type OrganisationPublicKey } from '../../keys/index.ts';

const WINDOW_MS = 1000;
const KEY_REFRESH_MS = 5000;

export interface SupporterRecord {
  name: string;
  email: string;
  postcode: string;
}

export interface SealedRecord {
  window: SealingWindow;
  sealed: Buffer;
}

/** What a sealed record is bound to: moving it to another petition makes it fail to open. */
export function recordAad(petitionId: number): Buffer {
  return Buffer.from(`outcry:signature:petition:${petitionId}`);
}

export class SupporterSealer {
  private window: SealingWindow | undefined;
  private opening: Promise<SealingWindow> | undefined;
  private key: { value: OrganisationPublicKey | undefined; loadedAt: number } = { value: undefined, loadedAt: 0 };

  constructor(
    private readonly db: Database,
    /** ORGANISATION_KEY_ID: seal to this key only, whatever the database says is active. */
    private readonly pinnedKeyId: string | null = null,
    private readonly now: () => number = Date.now,
  ) {}

  async seal(petitionId: number, record: SupporterRecord): Promise<SealedRecord> {
    const window = await this.currentWindow();
    const plaintext = Buffer.from(JSON.stringify(record), 'utf8');
    return { window, sealed: sealRecord(window.key, plaintext, recordAad(petitionId)) };
  }

  /** Is there an organisation key to seal to? Without one, nothing can be signed. */
  async isReady(): Promise<boolean> {
    return (await this.activeKey()) !== undefined;
  }

  private async activeKey(): Promise<OrganisationPublicKey | undefined> {
    const now = this.now();
    if (now - this.key.loadedAt > KEY_REFRESH_MS) this.key = { value: await findActiveOrganisationKey(this.db), loadedAt: now };
    return this.key.value;
  }

  private async currentWindow(): Promise<SealingWindow> {
    const now = this.now();
    if (this.window && now - this.window.openedAt < WINDOW_MS) return this.window;
    this.opening ??= this.openWindow().finally(() => (this.opening = undefined));
    return this.opening;
  }

  private async openWindow(): Promise<SealingWindow> {
    const key = await this.activeKey();
    if (!key)
      throw new AppError('unavailable', 'Signing is not set up yet: the organisation has no public key (outcry keys new).', {
        messageKey: 'petitions.errors.noKey',
      });
    // The id is the public key's own hash: a row that names the pinned id beside another public key is refused too.
    if (this.pinnedKeyId !== null && (key.keyId !== this.pinnedKeyId || keyIdOf(key.publicKey) !== this.pinnedKeyId)) {
      throw new AppError('unavailable', 'The active organisation key is not the one this server is pinned to (ORGANISATION_KEY_ID).', {
        messageKey: 'petitions.errors.noKey',
      });
    }
    const window = await openSealingWindow(key.publicKey, this.now());
    this.window = window;
    // Wipe the window key once the window is long over (sealing takes microseconds after a window is handed out),
    // so a memory dump taken later holds nothing that opens earlier records.
    setTimeout(() => {
      if (this.window === window) this.window = undefined;
      window.key.fill(0);
    }, WINDOW_MS * 3).unref();
    return window;
  }

  /** Forget the cached key so a newly activated one is used at once. */
  keyChanged(): void {
    this.key.loadedAt = 0;
    this.window = undefined;
  }
}
