// Progressive enhancement only: every page works without this script.
import { enhanceLiveCounts } from './live-count.ts';
import { enhanceSignForm } from './sign-form.ts';
// Adds "copy link" and the device's own share sheet to the share section.

function enhanceShare(section: HTMLElement): void {
  const url = section.dataset['shareUrl'];
  const text = section.dataset['shareText'];
  const tools = section.querySelector<HTMLElement>('[data-share-tools]');
  const status = section.querySelector<HTMLElement>('[data-share-status]');
  if (!url || !tools || !status) return;

  const copyButton = tools.querySelector<HTMLButtonElement>('[data-copy]');
  if (copyButton && navigator.clipboard) {
    copyButton.hidden = false;
    copyButton.addEventListener('click', () => {
      navigator.clipboard.writeText(url).then(
        () => {
          status.textContent = copyButton.dataset['done'] ?? '';
        },
        () => {
          status.textContent = url;
        },
      );
    });
  }
  const nativeButton = tools.querySelector<HTMLButtonElement>('[data-native-share]');
  if (nativeButton && typeof navigator.share === 'function') {
    nativeButton.hidden = false;
    nativeButton.addEventListener('click', () => {
      navigator.share({ url, text }).catch(() => undefined);
    });
  }
  tools.hidden = false;
}

document.querySelectorAll<HTMLElement>('[data-share-url]').forEach(enhanceShare);
document.querySelectorAll<HTMLFormElement>('form[data-stamp-url]').forEach(enhanceSignForm);
enhanceLiveCounts();
