/**
 * Encrypting to intake's recipients with OpenPGP, in this process (JavaScript off, replies) or in the browser (the
 * same settings, imported by the page's script): messages GnuPG 2.2 decrypts — a version 3 session key packet per
 * recipient and a version 1 integrity-protected data packet, never the newer AEAD packets — and never compressed, so
 * that the padding the plaintext carries is what a seized server sees, not a size that reveals the content.
 */
import { createMessage, encrypt, enums, readKey, type Key, type PartialConfig } from 'openpgp';

export const INTAKE_ENCRYPT_CONFIG: PartialConfig = {
  aeadProtect: false,
  preferredCompressionAlgorithm: enums.compression.uncompressed,
  preferredSymmetricAlgorithm: enums.symmetric.aes256,
};

export async function readRecipientKeys(armoredKeys: readonly string[]): Promise<Key[]> {
  return Promise.all(armoredKeys.map((armoredKey) => readKey({ armoredKey })));
}

/** The ids of the keys a message to these recipients is encrypted to (their encryption subkeys), as the checker wants them. */
export async function encryptionKeyIds(keys: readonly Key[], now = new Date()): Promise<string[]> {
  return Promise.all(keys.map(async (key) => (await key.getEncryptionKey(undefined, now)).getKeyID().toHex()));
}

/** Encrypts a stream as it flows: a chunk in, a chunk out, whatever the size. */
export async function encryptStream(
  keys: readonly Key[],
  plaintext: ReadableStream<Uint8Array>,
  filename = 'message.eml',
): Promise<ReadableStream<Uint8Array>> {
  const message = await createMessage({ binary: plaintext, filename, format: 'binary' });
  return encrypt({ message, encryptionKeys: [...keys], format: 'binary', config: INTAKE_ENCRYPT_CONFIG }) as Promise<ReadableStream<Uint8Array>>;
}

export async function encryptBytes(keys: readonly Key[], plaintext: Uint8Array, filename = 'message.eml'): Promise<Uint8Array> {
  const message = await createMessage({ binary: plaintext, filename, format: 'binary' });
  return encrypt({ message, encryptionKeys: [...keys], format: 'binary', config: INTAKE_ENCRYPT_CONFIG });
}
