/**
 * Random bytes for the signing hot path (nonces, link secrets), drawn from the system's CSPRNG a page at a time:
 * every randomBytes call crosses into OpenSSL, and for a 12-byte nonce that crossing cost ten times the bytes.
 * Bytes are wiped from the pool as they are handed out, so a memory image holds none already in use.
 */
import { randomBytes, randomFillSync } from 'node:crypto';

const POOL_BYTES = 4096;
const pool = Buffer.alloc(POOL_BYTES);
let offset = POOL_BYTES;

export function pooledRandomBytes(size: number): Buffer {
  if (size > POOL_BYTES / 4) return randomBytes(size);
  if (offset + size > POOL_BYTES) {
    randomFillSync(pool);
    offset = 0;
  }
  const bytes = Buffer.allocUnsafe(size);
  pool.copy(bytes, 0, offset, offset + size);
  pool.fill(0, offset, offset + size);
  offset += size;
  return bytes;
}
