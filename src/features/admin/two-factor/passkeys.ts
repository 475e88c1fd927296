/**
 * Passkeys (WebAuthn) through @simplewebauthn/server. The relying party is the public URL's host: a passkey made here
 * answers only this origin, so a look-alike phishing site gets nothing it can replay. No attestation is asked for
 * (organisers bring whatever authenticator they own); user verification is preferred, not required.
 */
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';

export interface RelyingParty {
  id: string;
  origin: string;
  name: string;
}

export function relyingPartyFor(publicUrl: string, name: string): RelyingParty {
  const url = new URL(publicUrl);
  return { id: url.hostname, origin: url.origin, name };
}

export interface StoredPasskey {
  credentialId: string;
  publicKey: Buffer;
  signCount: number;
  transports: string[];
}

export function passkeyRegistrationOptions(
  rp: RelyingParty,
  user: { id: number; email: string },
  existing: readonly StoredPasskey[],
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  return generateRegistrationOptions({
    rpName: rp.name,
    rpID: rp.id,
    userName: user.email,
    userID: new TextEncoder().encode(`outcry-user-${user.id}`),
    attestationType: 'none',
    excludeCredentials: existing.map((p) => ({ id: p.credentialId, transports: p.transports })),
    authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
  });
}

/** The new passkey, or undefined when the browser's answer does not verify against the challenge this session holds. */
export async function verifyPasskeyRegistration(rp: RelyingParty, response: unknown, challenge: string): Promise<StoredPasskey | undefined> {
  try {
    const result = await verifyRegistrationResponse({
      response: response as RegistrationResponseJSON,
      expectedChallenge: challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      requireUserVerification: false,
    });
    if (!result.verified) return undefined;
    const { credential } = result.registrationInfo;
    return {
      credentialId: credential.id,
      publicKey: Buffer.from(credential.publicKey),
      signCount: credential.counter,
      transports: credential.transports ?? [],
    };
  } catch {
    // A malformed or forged answer: the library throws for each kind; to the person it is one "did not work".
    return undefined;
  }
}

export function passkeyAuthenticationOptions(rp: RelyingParty, passkeys: readonly StoredPasskey[]): Promise<PublicKeyCredentialRequestOptionsJSON> {
  return generateAuthenticationOptions({
    rpID: rp.id,
    allowCredentials: passkeys.map((p) => ({ id: p.credentialId, transports: p.transports })),
    userVerification: 'preferred',
  });
}

/** The credential id that answered (the caller checks it is one of the account's), or undefined. */
export function answeringCredentialId(response: unknown): string | undefined {
  const id = (response as { id?: unknown } | null)?.id;
  return typeof id === 'string' && /^[A-Za-z0-9_-]{1,1366}$/.test(id) ? id : undefined;
}

/** The passkey's new signature counter when the answer verifies, otherwise undefined. */
export async function verifyPasskeyAuthentication(rp: RelyingParty, response: unknown, challenge: string, passkey: StoredPasskey): Promise<number | undefined> {
  try {
    const result = await verifyAuthenticationResponse({
      response: response as AuthenticationResponseJSON,
      expectedChallenge: challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      credential: { id: passkey.credentialId, publicKey: new Uint8Array(passkey.publicKey), counter: passkey.signCount, transports: passkey.transports },
      requireUserVerification: false,
    });
    return result.verified ? result.authenticationInfo.newCounter : undefined;
  } catch {
    return undefined;
  }
}
