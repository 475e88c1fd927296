// The organisers' pages: passkeys, which need the browser's WebAuthn API and so JavaScript. Every page works without
// this script; an authenticator app is the second factor that needs none.
import { browserSupportsWebAuthn, startAuthentication, startRegistration } from '@simplewebauthn/browser';

interface PasskeyPanel {
  root: HTMLElement;
  status: HTMLElement;
  csrf: string;
}

async function postJson(url: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
    credentials: 'same-origin',
  });
  const json = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok) {
    const error = json['error'] as { message?: unknown } | undefined;
    throw new Error(typeof error?.message === 'string' ? error.message : `HTTP ${response.status}`);
  }
  return json;
}

function panelOf(root: HTMLElement): PasskeyPanel | undefined {
  const status = root.querySelector<HTMLElement>('[data-passkey-status]');
  const csrf = root.dataset['csrf'];
  if (!status || !csrf) return undefined;
  return { root, status, csrf };
}

/** Runs one passkey ceremony, saying in the live region what happens, and goes where the server says on success. */
async function ceremony(panel: PasskeyPanel, run: () => Promise<Record<string, unknown>>): Promise<void> {
  const { status } = panel;
  status.textContent = panel.root.dataset['waiting'] ?? '';
  try {
    const result = await run();
    const redirect = result['redirect'];
    if (typeof redirect === 'string' && redirect.startsWith('/')) window.location.assign(redirect);
  } catch (error) {
    // A cancelled prompt is a DOMException (NotAllowedError); say it did not work, and what the server said if it spoke.
    const message = error instanceof Error && !(error instanceof DOMException) ? error.message : '';
    status.textContent = [panel.root.dataset['failed'] ?? '', message].filter(Boolean).join(' ');
  }
}

function enhancePasskeyLogin(root: HTMLElement): void {
  const panel = panelOf(root);
  const button = root.querySelector<HTMLButtonElement>('button');
  if (!panel || !button) return;
  button.addEventListener('click', () => {
    void ceremony(panel, async () => {
      const optionsJSON = await postJson('/admin/login/passkey/options', { _csrf: panel.csrf });
      const response = await startAuthentication({ optionsJSON: optionsJSON as never });
      return postJson('/admin/login/passkey', { _csrf: panel.csrf, response, next: root.dataset['next'] ?? '/admin' });
    });
  });
}

function enhancePasskeyRegistration(root: HTMLElement): void {
  const panel = panelOf(root);
  const form = root.querySelector<HTMLFormElement>('form');
  if (!panel || !form) return;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const label = new FormData(form).get('label');
    void ceremony(panel, async () => {
      const optionsJSON = await postJson('/admin/security/passkey/options', { _csrf: panel.csrf });
      const response = await startRegistration({ optionsJSON: optionsJSON as never });
      return postJson('/admin/security/passkey', { _csrf: panel.csrf, response, label: typeof label === 'string' ? label : '' });
    });
  });
}

if (browserSupportsWebAuthn()) {
  for (const root of document.querySelectorAll<HTMLElement>('[data-passkey]')) {
    root.hidden = false;
    for (const note of document.querySelectorAll<HTMLElement>('[data-passkey-needs-script]')) note.hidden = true;
    if (root.dataset['passkey'] === 'login') enhancePasskeyLogin(root);
    else enhancePasskeyRegistration(root);
  }
}
