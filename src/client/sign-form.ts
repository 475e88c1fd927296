// The signing form's own stamp. The campaign page may come from a shared cache, its form stamp the same for everyone
// who got that copy; as soon as the person starts on the form, this asks the server for a stamp of their own (spent
// once), and with the proof-of-work switch on solves the puzzle for that one. Without this script, or if the request
// fails, the form goes with the page's stamp, which the server accepts once per client.
import { proveForm } from './proof-of-work.ts';

/** How long a press of the button waits for the visitor's own stamp before sending the page's. */
const STAMP_WAIT_MS = 5000;

async function fetchOwnStamp(url: string): Promise<string | undefined> {
  try {
    const signal = typeof AbortSignal.timeout === 'function' ? AbortSignal.timeout(STAMP_WAIT_MS) : undefined;
    const response = await fetch(url, { headers: { accept: 'application/json' }, credentials: 'omit', cache: 'no-store', signal });
    if (!response.ok) return undefined;
    const body = (await response.json()) as { stamp?: unknown };
    return typeof body.stamp === 'string' ? body.stamp : undefined;
  } catch {
    return undefined;
  }
}

export function enhanceSignForm(form: HTMLFormElement): void {
  const url = form.dataset['stampUrl'];
  const stampField = form.querySelector<HTMLInputElement>('input[name="ts"]');
  if (!url || !stampField) return;
  const needsProof = Boolean(form.dataset['powBits']);
  let preparing: Promise<void> | undefined;
  let isReady = false;
  const prepare = (): Promise<void> =>
    (preparing ??= (async () => {
      const own = await fetchOwnStamp(url);
      if (own) stampField.value = own;
      if (needsProof) await proveForm(form, stampField.value);
      isReady = true;
    })());

  // The puzzle takes about a second: start it at once. Otherwise ask only once someone starts on the form, so the
  // crowd that only reads the page costs the server nothing.
  if (needsProof) void prepare();
  else form.addEventListener('focusin', () => void prepare(), { once: true });
  form.addEventListener('submit', (event) => {
    if (isReady) return;
    event.preventDefault();
    void prepare().then(() => form.submit());
  });
}
