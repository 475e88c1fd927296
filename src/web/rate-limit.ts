/**
 * In-memory token buckets. Keys may be derived from client addresses: they live only in this process's memory,
 * are never written anywhere, and are swept once their bucket is full again.
 */
export interface TokenBucketOptions {
  /** Most requests allowed in a burst. */
  capacity: number;
  /** Tokens restored per second. */
  refillPerSecond: number;
  /** Upper bound on tracked keys, so a flood of distinct keys cannot exhaust memory. */
  maxKeys?: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export class TokenBucketLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly maxKeys: number;

  constructor(
    private readonly options: TokenBucketOptions,
    private readonly now: () => number = Date.now,
  ) {
    this.maxKeys = options.maxKeys ?? 100_000;
  }

  /** Takes one token for `key`; false means the caller is over the limit. */
  take(key: string, cost = 1): boolean {
    const bucket = this.refilled(key);
    if (bucket.tokens < cost) return false;
    bucket.tokens -= cost;
    return true;
  }

  /** Gives back a token taken for an attempt that turned out legitimate (a successful login). */
  refund(key: string, cost = 1): void {
    const bucket = this.buckets.get(key);
    if (bucket) bucket.tokens = Math.min(this.options.capacity, bucket.tokens + cost);
  }

  /** Forgets a key: its next request starts with a full bucket. */
  reset(key: string): void {
    this.buckets.delete(key);
  }

  private refilled(key: string): Bucket {
    const now = this.now();
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size >= this.maxKeys) this.sweep();
      bucket = { tokens: this.options.capacity, updatedAt: now };
      this.buckets.set(key, bucket);
      return bucket;
    }
    const elapsedSeconds = (now - bucket.updatedAt) / 1000;
    bucket.tokens = Math.min(this.options.capacity, bucket.tokens + elapsedSeconds * this.options.refillPerSecond);
    bucket.updatedAt = now;
    return bucket;
  }

  /**
   * Makes room when the map is full: forgets the oldest tenth of the keys at once (insertion order), so a flood of
   * new keys costs amortised constant time per request rather than a scan of every bucket each time.
   * A forgotten key simply starts again with a full bucket.
   */
  private sweep(): void {
    let drop = Math.max(1, Math.floor(this.maxKeys / 10));
    for (const key of this.buckets.keys()) {
      if (drop-- <= 0) break;
      this.buckets.delete(key);
    }
  }
}
