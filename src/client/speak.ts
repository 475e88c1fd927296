// The intake pages (/speak, the conversation page, the codename page). With this script the person's own browser
// strips photos and encrypts everything before it leaves the device; without it the server encrypts on arrival. It
// keeps nothing on the device and makes no request of its own: the form's navigation is the only one.
import { encryptBytes, readRecipientKeys } from '../crypto/openpgp-messages.ts';
import { EnvelopeWriter, maxEnvelopeBytes, type EnvelopeKind } from '../crypto/envelope.ts';
import { solveProofOfWork } from './proof-of-work.ts';
import { imageTypeOf, stripImageMetadata } from '../web/image-metadata.ts';

interface Strings {
  encrypting: string;
  notSent: string;
  failed: string;
  chooseKind: string;
  choosePartner: string;
  empty: string;
  messageTooLong: string;
  contactTooLong: string;
  tooManyFiles: (count: number) => string;
  tooLarge: (megabytes: number) => string;
  unreadableFile: (name: string) => string;
  brokenPicture: (name: string) => string;
  practiceRight: string;
  practiceWrong: string;
}

// Here rather than in the feature's locale files: the script has no translator, and these are all it says.
const STRINGS: Readonly<Record<'en' | 'ru', Strings>> = {
  en: {
    encrypting: 'Encrypting…',
    notSent: 'Your message was NOT sent. Nothing left this device.',
    failed: 'Your browser could not encrypt it. Reload the page and try again.',
    chooseKind: 'Choose whether you are sharing what happened or asking for help.',
    choosePartner: 'Choose which organisation should receive your request.',
    empty: 'Write a message or attach a file.',
    messageTooLong: 'The message is too long. Please split it into several messages.',
    contactTooLong: 'The contact details are too long.',
    tooManyFiles: (count) => `Attach at most ${count} files.`,
    tooLarge: (megabytes) => `What you attached is too large: at most ${megabytes} MB in all. Please send fewer or smaller files.`,
    unreadableFile: (name) => `The file “${name}” could not be read. Choose it again, or leave it out.`,
    brokenPicture: (name) =>
      `“${name}” looks like a photo but could not be read, so the hidden details it may carry (such as where it was taken and with which camera) could not be removed. Leave it out, or try another copy of it.`,
    practiceRight: 'Correct. You can leave this page now.',
    practiceWrong: 'That is not the same codename. Look at it again and try once more.',
  },
  ru: {
    encrypting: 'Шифрование…',
    notSent: 'Ваше сообщение НЕ отправлено. С вашего устройства ничего не ушло.',
    failed: 'Вашему браузеру не удалось его зашифровать. Обновите страницу и попробуйте ещё раз.',
    chooseKind: 'Выберите, рассказываете ли вы о произошедшем или просите о помощи.',
    choosePartner: 'Выберите организацию, которая должна получить вашу просьбу.',
    empty: 'Напишите сообщение или приложите файл.',
    messageTooLong: 'Сообщение слишком длинное. Пожалуйста, разделите его на несколько сообщений.',
    contactTooLong: 'Контактные данные слишком длинные.',
    tooManyFiles: (count) => `Можно приложить не больше ${count} файлов.`,
    tooLarge: (megabytes) =>
      `Приложенные файлы слишком велики: всего не больше ${megabytes} МБ. Пожалуйста, отправьте меньше файлов или файлы меньшего размера.`,
    unreadableFile: (name) => `Не удалось прочитать файл «${name}». Выберите его ещё раз или не прикладывайте его.`,
    brokenPicture: (name) =>
      `Файл «${name}» похож на фотографию, но прочитать его не удалось, поэтому скрытые сведения, которые в нём могут быть (например, где и какой камерой сделан снимок), удалить нельзя. Не прикладывайте его или попробуйте другую его копию.`,
    practiceRight: 'Верно. Теперь можно закрыть эту страницу.',
    practiceWrong: 'Это не то кодовое имя. Посмотрите на него ещё раз и попробуйте снова.',
  },
};

const s: Strings = document.documentElement.lang === 'ru' ? STRINGS.ru : STRINGS.en;

// The server's own limits for a message it encrypts itself (features/intake/receive.ts), kept the same here.
const MAX_MESSAGE_CHARS = 100_000;
const MAX_CONTACT_CHARS = 1000;
const MAX_FILES = 20;
/** A whole number of base64 lines (57 bytes each), so nothing waits in the writer between slices. */
const SLICE_BYTES = 57 * 1024;
/** What the server reads before the ciphertext to know where a message goes (features/intake/speak-routes.tsx). */
const ROUTING_FIELDS = new Set(['lang', 'campaign', 'mode', 'kind', 'partner', 'codename', 'stamp', 'pow']);

type FormControl = HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement | HTMLButtonElement;

/** Why a message was not sent, in the person's words, and the control that needs their attention. */
class NotSent extends Error {
  constructor(
    readonly reason: string,
    readonly control?: HTMLElement | null,
  ) {
    super(reason);
  }
}

interface SpeakForm {
  form: HTMLFormElement;
  status: HTMLElement;
  mode: HTMLInputElement;
  submit: HTMLButtonElement;
  message: HTMLTextAreaElement;
  contact: HTMLInputElement;
  files: HTMLInputElement;
}

interface Outgoing {
  kind: EnvelopeKind;
  armoredKeys: string[];
  message: string;
  contact: string;
  files: File[];
}

/** Web Crypto exists only on secure pages, and old browsers cannot build a file input's list: the server encrypts then. */
function canEncryptHere(): boolean {
  try {
    return Boolean(globalThis.crypto?.subtle && typeof crypto.getRandomValues === 'function' && new DataTransfer().items);
  } catch {
    return false;
  }
}

/** The form's parts this script works with; undefined leaves the page to the server, which encrypts on arrival. */
function speakFormOf(form: HTMLFormElement): SpeakForm | undefined {
  const status = document.getElementById('speak-status');
  const mode = form.querySelector<HTMLInputElement>('input[name="mode"]');
  const submit = form.querySelector<HTMLButtonElement>('button[type="submit"]');
  const message = form.querySelector<HTMLTextAreaElement>('textarea[name="message"]');
  const contact = form.querySelector<HTMLInputElement>('input[name="contact"]');
  const files = form.querySelector<HTMLInputElement>('input[name="files"]');
  return status && mode && submit && message && contact && files ? { form, status, mode, submit, message, contact, files } : undefined;
}

function showBrowserMode(): void {
  const banner = document.getElementById('speak-mode');
  const text = banner?.dataset['browserText'];
  if (banner && text) banner.textContent = text;
}

/** The keys embedded in the page, read at each sending: what the page says is what the message is encrypted to. */
function readKeysData(): Record<string, unknown> {
  const data: unknown = JSON.parse(document.getElementById('speak-keys')?.textContent ?? '');
  if (typeof data !== 'object' || data === null) throw new NotSent(s.failed);
  return data as Record<string, unknown>;
}

function armoredKeysIn(value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0 || !value.every((key) => typeof key === 'string')) throw new NotSent(s.failed);
  return value;
}

function checkedValue(form: HTMLFormElement, name: string): string | undefined {
  return form.querySelector<HTMLInputElement>(`input[name="${name}"]:checked`)?.value;
}

/** The envelope kind and the keys to encrypt to, from the keys data and the choices made in the form. */
function recipientsOf(form: HTMLFormElement): Pick<Outgoing, 'kind' | 'armoredKeys'> {
  const data = readKeysData();
  if ('follow-up' in data) return { kind: 'follow-up', armoredKeys: armoredKeysIn(data['follow-up']) };
  const kind = checkedValue(form, 'kind');
  if (kind === 'testimony') return { kind, armoredKeys: armoredKeysIn(data['testimony']) };
  if (kind !== 'help') throw new NotSent(s.chooseKind, form.querySelector('input[name="kind"]'));
  const partner = checkedValue(form, 'partner');
  if (!partner) throw new NotSent(s.choosePartner, form.querySelector('input[name="partner"]'));
  const partners = (data['help'] ?? {}) as Record<string, unknown>;
  return { kind, armoredKeys: armoredKeysIn(partners[partner]) };
}

/** What the form says to send, checked as the server checks what it encrypts itself. */
function outgoingOf(parts: SpeakForm, maxBytes: number): Outgoing {
  const message = parts.message.value;
  const contact = parts.contact.value;
  const files = Array.from(parts.files.files ?? []);
  if (message.length > MAX_MESSAGE_CHARS) throw new NotSent(s.messageTooLong, parts.message);
  if (contact.length > MAX_CONTACT_CHARS) throw new NotSent(s.contactTooLong, parts.contact);
  if (files.length > MAX_FILES) throw new NotSent(s.tooManyFiles(MAX_FILES), parts.files);
  const words = new TextEncoder().encode(message + contact).length;
  if (files.reduce((total, file) => total + file.size, words) > maxBytes) throw tooLarge(maxBytes, parts.files);
  if (message.trim() === '' && files.length === 0) throw new NotSent(s.empty, parts.message);
  return { ...recipientsOf(parts.form), message, contact, files };
}

function tooLarge(maxBytes: number, control?: HTMLElement): NotSent {
  return new NotSent(s.tooLarge(Math.floor(maxBytes / (1024 * 1024))), control);
}

/** A file's bytes as they go into the envelope: a photo without its metadata, anything else as it is. */
async function fileContent(file: File): Promise<{ bytes: Uint8Array; type: string }> {
  const name = file.name.length > 80 ? `${file.name.slice(0, 79)}…` : file.name;
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await file.arrayBuffer());
  } catch {
    throw new NotSent(s.unreadableFile(name));
  }
  if (!imageTypeOf(bytes)) return { bytes, type: file.type };
  const picture = stripImageMetadata(bytes);
  if (!picture) throw new NotSent(s.brokenPicture(name));
  return picture;
}

/** The padded MIME envelope (crypto/envelope.ts) of the whole message, in one piece. */
async function envelopeOf(outgoing: Outgoing, maxBytes: number): Promise<Uint8Array> {
  const writer = new EnvelopeWriter(crypto.getRandomValues(new Uint8Array(16)));
  const pieces = [writer.start(outgoing.kind), writer.text('message', outgoing.message), writer.text('contact', outgoing.contact)];
  for (const file of outgoing.files) {
    const content = await fileContent(file);
    pieces.push(writer.fileStart(file.name, content.type));
    for (let at = 0; at < content.bytes.length; at += SLICE_BYTES) pieces.push(writer.fileBytes(content.bytes.subarray(at, at + SLICE_BYTES)));
    pieces.push(writer.fileEnd());
    if (writer.length > maxEnvelopeBytes(maxBytes)) throw tooLarge(maxBytes);
  }
  pieces.push(writer.finish());
  return joinBytes(pieces);
}

function joinBytes(pieces: readonly Uint8Array[]): Uint8Array {
  const joined = new Uint8Array(pieces.reduce((total, piece) => total + piece.length, 0));
  let at = 0;
  for (const piece of pieces) {
    joined.set(piece, at);
    at += piece.length;
  }
  return joined;
}

/** Encrypts and checks the size the server takes: it stops reading a ciphertext past maxEnvelopeBytes(maxBytes). */
async function ciphertextOf(parts: SpeakForm, maxBytes: number): Promise<Uint8Array> {
  const outgoing = outgoingOf(parts, maxBytes);
  const envelope = await envelopeOf(outgoing, maxBytes);
  const ciphertext = await encryptBytes(await readRecipientKeys(outgoing.armoredKeys), envelope);
  if (ciphertext.length > maxEnvelopeBytes(maxBytes)) throw tooLarge(maxBytes);
  return ciphertext;
}

function controlsOf(form: HTMLFormElement): FormControl[] {
  return Array.from(form.elements).filter(
    (element): element is FormControl =>
      element instanceof HTMLInputElement ||
      element instanceof HTMLTextAreaElement ||
      element instanceof HTMLSelectElement ||
      element instanceof HTMLButtonElement,
  );
}

/** Whether the form, as it stands, would send the routing fields and this ciphertext and nothing else. */
function sendsOnlyCiphertext(form: HTMLFormElement, ciphertext: Uint8Array): boolean {
  const data = new FormData(form);
  const file = data.get('ciphertext');
  const names = Array.from(data.keys());
  return file instanceof File && file.size === ciphertext.length && names.every((name) => name === 'ciphertext' || ROUTING_FIELDS.has(name));
}

/**
 * Sends the ciphertext as the form's last part and nothing the person wrote: every control but the routing fields is
 * disabled, and disabled controls are left out of a form's submission. A normal navigation: the server answers with
 * the next page.
 */
function submitCiphertext(parts: SpeakForm, ciphertext: Uint8Array): void {
  const transfer = new DataTransfer();
  // OpenPGP.js returns an ordinary (not shared) buffer, which is what a File is made of.
  transfer.items.add(new File([ciphertext as Uint8Array<ArrayBuffer>], 'message.gpg', { type: 'application/octet-stream' }));
  const input = document.createElement('input');
  input.type = 'file';
  input.name = 'ciphertext';
  input.hidden = true;
  input.files = transfer.files;
  parts.form.append(input);
  parts.mode.value = 'browser';
  for (const control of controlsOf(parts.form)) if (control !== input && !ROUTING_FIELDS.has(control.name)) control.disabled = true;
  if (!sendsOnlyCiphertext(parts.form, ciphertext)) throw new NotSent(s.failed);
  parts.form.submit();
}

/** The form as the server sent it (nothing disabled), so that a later try, or the page restored by Back, starts clean. */
function restoreForm(parts: SpeakForm): void {
  for (const input of parts.form.querySelectorAll('input[name="ciphertext"]')) input.remove();
  parts.mode.value = 'server';
  for (const control of controlsOf(parts.form)) control.disabled = false;
}

function showNotSent(parts: SpeakForm, error: unknown): void {
  restoreForm(parts);
  const reason = error instanceof NotSent ? error.reason : s.failed;
  parts.status.textContent = `${s.notSent} ${reason}`;
  if (error instanceof NotSent) error.control?.focus();
}

/** While the proof-of-work switch is on, the page's puzzle is solved alongside the encryption (a few seconds). */
async function solveWhileEncrypting(form: HTMLFormElement): Promise<void> {
  const bits = Number(form.dataset['powBits']);
  const stamp = form.querySelector<HTMLInputElement>('input[name="stamp"]')?.value;
  const answer = form.querySelector<HTMLInputElement>('input[name="pow"]');
  if (!bits || !stamp || !answer || answer.value) return;
  answer.value = await solveProofOfWork(stamp, bits);
}

function enhanceSpeakForm(parts: SpeakForm): void {
  const maxBytes = Number(parts.form.dataset['maxBytes']) || Number.POSITIVE_INFINITY;
  let working = false;
  parts.form.addEventListener('submit', (event) => {
    // Before anything else and whatever follows: the browser must never send this form by itself.
    event.preventDefault();
    if (working) return;
    working = true;
    parts.submit.disabled = true;
    parts.status.textContent = s.encrypting;
    const proof = solveWhileEncrypting(parts.form);
    ciphertextOf(parts, maxBytes)
      .then(async (ciphertext) => {
        await proof;
        submitCiphertext(parts, ciphertext);
      })
      .catch((error: unknown) => {
        working = false;
        showNotSent(parts, error);
      });
  });
  window.addEventListener('pageshow', (event) => {
    if (!event.persisted) return;
    working = false;
    restoreForm(parts);
    parts.status.textContent = '';
  });
}

/** As the server reads a codename: case, spaces, hyphens and punctuation between words forgiven. */
function normaliseCodename(text: string): string {
  return text
    .toLowerCase()
    .split(/[\s\-_.,]+/u)
    .filter(Boolean)
    .join(' ');
}

/** Checks the practice attempt on the device: the codename need not travel again. */
function enhancePractice(form: HTMLFormElement): void {
  const codename = form.querySelector<HTMLInputElement>('input[name="codename"]');
  const attempt = form.querySelector<HTMLInputElement>('input[name="attempt"]');
  if (!codename || !attempt) return;
  const result = document.createElement('p');
  result.id = 'practice-result';
  result.setAttribute('role', 'status');
  form.after(result);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const right = normaliseCodename(attempt.value) === normaliseCodename(codename.value);
    result.className = right ? 'notice' : 'error-summary';
    result.textContent = right ? s.practiceRight : s.practiceWrong;
  });
}

const speakForm = document.querySelector<HTMLFormElement>('form#speak-form');
const parts = speakForm ? speakFormOf(speakForm) : undefined;
if (parts && canEncryptHere()) {
  showBrowserMode();
  enhanceSpeakForm(parts);
}
const practiceForm = document.querySelector<HTMLFormElement>('form#practice-form');
if (practiceForm) enhancePractice(practiceForm);
