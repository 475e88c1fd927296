// The inbox's "read in this browser": the reviewer's private key is read from a file by this page, unlocked here and
// used here only. It is never sent and never stored (no storage API is touched); the plaintext lives only in this
// page's DOM and blob URLs, both dropped when the page is left. The only requests are GETs of the messages' ciphertext.
import type { PrivateKey } from 'openpgp';
import { decryptWithKey, EnvelopeUnreadable, readEnvelope, unlockPrivateKey, type EnvelopeFile, type OpenedEnvelope } from '../crypto/open-envelope.ts';

const STRING_NAMES = [
  'working',
  'done',
  'chooseKey',
  'keyUnreadable',
  'wrongPassphrase',
  'notForThisKey',
  'damaged',
  'downloadFailed',
  'failed',
  'contact',
  'files',
  'noText',
] as const;
type Strings = Readonly<Record<(typeof STRING_NAMES)[number], string>>;

interface ReadPanel {
  keyInput: HTMLInputElement;
  passphraseInput: HTMLInputElement;
  button: HTMLButtonElement;
  status: HTMLElement;
  output: HTMLElement;
  strings: Strings;
  /** Blob URLs of the files shown, revoked when the output is cleared. */
  objectUrls: string[];
}

/** A reviewer's key is a few kilobytes; a file far larger is not one, and is not read into memory. */
const MAX_KEY_FILE_BYTES = 1024 * 1024;

/** The fetch failed (network, logged out, gone): said apart from what decryption reports. */
class CiphertextUnavailable extends Error {}

function enhanceInboxReading(): void {
  const root = document.querySelector<HTMLElement>('[data-inbox-read]');
  // OpenPGP.js needs WebCrypto, which browsers give secure (https or localhost) pages only; elsewhere the note stays.
  if (!root || !window.isSecureContext) return;
  const panel = panelOf(root);
  if (!panel) return;
  for (const note of root.querySelectorAll<HTMLElement>('[data-inbox-read-needs-script]')) note.hidden = true;
  for (const controls of root.querySelectorAll<HTMLElement>('[data-inbox-read-controls]')) controls.hidden = false;
  panel.button.addEventListener('click', () => {
    void decryptMessages(panel);
  });
  window.addEventListener('pagehide', () => {
    clearOutput(panel);
    panel.status.textContent = '';
  });
}

function panelOf(root: HTMLElement): ReadPanel | undefined {
  const keyInput = root.querySelector<HTMLInputElement>('input[type="file"]');
  const passphraseInput = root.querySelector<HTMLInputElement>('input[type="password"]');
  const button = root.querySelector<HTMLButtonElement>('button');
  const status = root.querySelector<HTMLElement>('[data-inbox-read-status]');
  const output = root.querySelector<HTMLElement>('[data-inbox-read-output]');
  if (!keyInput || !passphraseInput || !button || !status || !output) return undefined;
  const strings = Object.fromEntries(STRING_NAMES.map((name) => [name, root.dataset[name] ?? ''])) as Strings;
  return { keyInput, passphraseInput, button, status, output, strings, objectUrls: [] };
}

/** Unlocks the chosen key, then opens every message on the page with it, in order. */
async function decryptMessages(panel: ReadPanel): Promise<void> {
  const passphrase = panel.passphraseInput.value;
  panel.passphraseInput.value = '';
  const keyFile = panel.keyInput.files?.[0];
  clearOutput(panel);
  if (!keyFile) {
    panel.status.textContent = panel.strings.chooseKey;
    panel.keyInput.focus();
    return;
  }
  panel.button.disabled = true;
  panel.status.textContent = panel.strings.working;
  try {
    const key = await unlockKeyFile(keyFile, passphrase);
    const list = document.createElement('ol');
    list.className = 'conversation';
    panel.output.append(list);
    for (const link of document.querySelectorAll<HTMLAnchorElement>('a[data-ciphertext-url]')) list.append(await openMessage(panel, link, key));
    panel.status.textContent = panel.strings.done;
  } catch (error) {
    panel.status.textContent = problemWords(panel.strings, error);
    if (error instanceof EnvelopeUnreadable && error.problem === 'wrong-passphrase') panel.passphraseInput.focus();
  } finally {
    panel.button.disabled = false;
  }
}

async function unlockKeyFile(keyFile: File, passphrase: string): Promise<PrivateKey> {
  if (keyFile.size > MAX_KEY_FILE_BYTES) throw new EnvelopeUnreadable('key-unreadable');
  return unlockPrivateKey(await keyFile.text(), passphrase === '' ? undefined : passphrase);
}

/** One message as a list item: its heading, then what it holds, or in words why it could not be read. */
async function openMessage(panel: ReadPanel, link: HTMLAnchorElement, key: PrivateKey): Promise<HTMLLIElement> {
  const item = document.createElement('li');
  item.append(element('h3', link.dataset['messageHeading'] ?? ''));
  try {
    const plaintext = await decryptWithKey(await fetchCiphertext(link.dataset['ciphertextUrl'] ?? ''), key);
    item.append(...envelopeNodes(panel, await readEnvelope(plaintext)));
  } catch (error) {
    item.append(element('p', problemWords(panel.strings, error)));
  }
  return item;
}

/** An authenticated GET on this origin; a redirect (to the login page, when the session ended) is a failure. */
async function fetchCiphertext(url: string): Promise<Uint8Array> {
  if (new URL(url, window.location.href).origin !== window.location.origin) throw new CiphertextUnavailable(url);
  let response: Response;
  try {
    response = await fetch(url, { credentials: 'same-origin', redirect: 'error', cache: 'no-store' });
  } catch {
    throw new CiphertextUnavailable(url);
  }
  if (!response.ok) throw new CiphertextUnavailable(`HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

function envelopeNodes(panel: ReadPanel, envelope: OpenedEnvelope): HTMLElement[] {
  const { strings } = panel;
  const nodes: HTMLElement[] = [envelope.message ? element('p', envelope.message, 'reply-text') : element('p', strings.noText)];
  if (envelope.contact) nodes.push(element('h4', strings.contact), element('p', envelope.contact, 'reply-text'));
  if (envelope.files.length > 0) {
    const list = document.createElement('ul');
    list.append(...envelope.files.map((file) => fileItem(panel, file)));
    nodes.push(element('h4', strings.files), list);
  }
  return nodes;
}

/** A download link only: octet-stream, so the browser saves the file and never renders what the sender chose. */
function fileItem(panel: ReadPanel, file: EnvelopeFile): HTMLLIElement {
  // slice(): a Blob takes bytes on an ArrayBuffer, and the parser's may sit on any buffer.
  const url = URL.createObjectURL(new Blob([file.bytes.slice()], { type: 'application/octet-stream' }));
  panel.objectUrls.push(url);
  const link = element('a', file.name);
  link.href = url;
  link.download = file.name;
  const item = document.createElement('li');
  item.append(link, ` (${formatSize(file.bytes.length)})`);
  return item;
}

function formatSize(bytes: number): string {
  const lang = document.documentElement.lang || undefined;
  const [amount, unit] = bytes < 1024 * 1024 ? [bytes / 1024, 'kilobyte'] : [bytes / (1024 * 1024), 'megabyte'];
  return new Intl.NumberFormat(lang, { style: 'unit', unit, maximumFractionDigits: 1 }).format(amount);
}

/** Text goes in as textContent only: what a sender wrote is never markup here. */
function element<K extends keyof HTMLElementTagNameMap>(tag: K, text: string, className?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.textContent = text;
  if (className) node.className = className;
  return node;
}

function problemWords(strings: Strings, error: unknown): string {
  if (error instanceof CiphertextUnavailable) return strings.downloadFailed;
  if (!(error instanceof EnvelopeUnreadable)) return strings.failed;
  const words: Record<EnvelopeUnreadable['problem'], string> = {
    'key-unreadable': strings.keyUnreadable,
    'wrong-passphrase': strings.wrongPassphrase,
    'not-for-this-key': strings.notForThisKey,
    damaged: strings.damaged,
  };
  return words[error.problem];
}

/** Drops what an earlier run showed: its plaintext from the page and its files' blob URLs from memory. */
function clearOutput(panel: ReadPanel): void {
  for (const url of panel.objectUrls.splice(0)) URL.revokeObjectURL(url);
  panel.output.replaceChildren();
}

enhanceInboxReading();
