// The proof-of-work step for signing forms, when organisers switch it on during an attack (see
// src/features/petitions/proof-of-work.ts). The signing form (sign-form.ts) solves it in the background as soon as
// the page loads, so by the time a person has filled the form it is usually done.

function leadingZeroBits(bytes: Uint8Array): number {
  let bits = 0;
  for (const byte of bytes) {
    if (byte === 0) {
      bits += 8;
      continue;
    }
    return bits + Math.clz32(byte) - 24;
  }
  return bits;
}

export async function solveProofOfWork(stamp: string, bits: number): Promise<string> {
  const encoder = new TextEncoder();
  for (let n = 0; ; n += 1) {
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(`${stamp}:${n}`)));
    if (leadingZeroBits(digest) >= bits) return String(n);
    // Let the page breathe now and then.
    if (n % 2000 === 1999) await new Promise((resolve) => setTimeout(resolve, 0));
  }
}

/** Solves the form's puzzle for `stamp`, saying so in its status line, and puts the answer in its `pow` field. */
export async function proveForm(form: HTMLFormElement, stamp: string): Promise<void> {
  const bits = Number(form.dataset['powBits']);
  const answer = form.querySelector<HTMLInputElement>('input[name="pow"]');
  const status = form.querySelector<HTMLElement>('[data-pow-status]');
  if (!bits || !answer || !crypto?.subtle) return;
  if (status) status.textContent = status.dataset['working'] ?? status.textContent;
  answer.value = await solveProofOfWork(stamp, bits);
  if (status) status.textContent = status.dataset['done'] ?? '';
}
