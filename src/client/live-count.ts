// The live counter: keeps each petition's count on the page current while it is open. Progressive enhancement only:
// the server renders the count, and without this script the page is simply as fresh as its last load.
//
// One EventSource per events address (a campaign's petitions share one); each `count` event names its petition.
// Where EventSource is missing, or the server refuses the stream, count.json is polled every 10 seconds instead.
// The number counts up over ~600 ms (not with prefers-reduced-motion), and a polite live region tells screen-reader
// users the new count at most every 10 seconds, not at every tick.

interface CountData {
  petitionId: number | null;
  signatures: number;
  goal: number;
}

const ANIMATION_MS = 600;
const ANNOUNCE_EVERY_MS = 10_000;
const POLL_EVERY_MS = 10_000;
const RECONNECT_AFTER_MS = 30_000;
const COUNT_SLOT = '{count}';
const GOAL_SLOT = '{goal}';

function isCountData(value: unknown): value is CountData {
  const v = value as Partial<CountData> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.signatures === 'number' &&
    Number.isFinite(v.signatures) &&
    typeof v.goal === 'number' &&
    (typeof v.petitionId === 'number' || v.petitionId === null || v.petitionId === undefined)
  );
}

function splitTemplate(template: string): [string, string] {
  const at = template.indexOf(COUNT_SLOT);
  return at < 0 ? [template, ''] : [template.slice(0, at), template.slice(at + COUNT_SLOT.length)];
}

class LiveCount {
  readonly petitionId: number | undefined;
  private readonly numberEl: HTMLElement | null;
  private readonly line: HTMLElement | null;
  private readonly progress: HTMLProgressElement | null;
  private readonly progressText: HTMLElement | null;
  private readonly forms: Record<string, string>;
  private readonly progressTemplate: string | undefined;
  private readonly format: Intl.NumberFormat;
  private readonly plurals: Intl.PluralRules;
  private readonly announcer: HTMLElement;
  private readonly reducedMotion: MediaQueryList | undefined;
  private shown: number;
  private target: number;
  private goal: number;
  private frame = 0;
  private lastAnnouncedAt = Number.NEGATIVE_INFINITY;
  private announceTimer: number | undefined;
  private announced: number;

  constructor(readonly section: HTMLElement) {
    const id = Number(section.dataset['petition']);
    this.petitionId = Number.isSafeInteger(id) ? id : undefined;
    this.numberEl = section.querySelector<HTMLElement>('.count-number');
    this.line = this.numberEl?.closest<HTMLElement>('.count-line') ?? null;
    this.progress = section.querySelector<HTMLProgressElement>('.petition-count progress');
    this.progressText = section.querySelector<HTMLElement>('.petition-count .goal');
    const block = section.querySelector<HTMLElement>('.petition-count');
    let forms: Record<string, string> = {};
    try {
      forms = JSON.parse(block?.dataset['countForms'] ?? '{}') as Record<string, string>;
    } catch {
      forms = {};
    }
    this.forms = forms;
    this.progressTemplate = block?.dataset['progressTemplate'];
    const lang = document.documentElement.lang || undefined;
    this.format = new Intl.NumberFormat(lang);
    this.plurals = new Intl.PluralRules(lang);
    this.reducedMotion = typeof window.matchMedia === 'function' ? window.matchMedia('(prefers-reduced-motion: reduce)') : undefined;
    const rendered = Number(this.numberEl?.dataset['count']);
    this.shown = this.target = this.announced = Number.isFinite(rendered) ? rendered : 0;
    this.goal = this.progress ? Number(this.progress.max) : 0;

    // Made now, empty, so that assistive technology knows the region before anything is said in it.
    this.announcer = document.createElement('p');
    this.announcer.className = 'visually-hidden';
    this.announcer.setAttribute('aria-live', 'polite');
    this.announcer.setAttribute('aria-atomic', 'true');
    this.announcer.dataset['liveAnnouncer'] = '';
    (block ?? section).appendChild(this.announcer);
  }

  /** True when this is the petition count.json speaks for: the first open one (it has a form), else the first. */
  static main(counts: LiveCount[]): LiveCount | undefined {
    return counts.find((c) => c.section.querySelector('form.sign-form') !== null) ?? counts[0];
  }

  show(data: CountData): void {
    if (Number.isFinite(data.goal) && data.goal > 0) this.goal = data.goal;
    const next = Math.max(0, Math.round(data.signatures));
    if (this.numberEl) this.numberEl.dataset['count'] = String(next);
    this.updateProgress(next);
    if (next === this.target) return;
    this.target = next;
    this.animateTo(next);
    this.scheduleAnnouncement();
  }

  private updateProgress(total: number): void {
    if (this.progress && this.goal > 0) {
      this.progress.max = this.goal;
      this.progress.value = Math.min(total, this.goal);
      this.progress.textContent = `${Math.min(100, Math.round((total / this.goal) * 100))}%`;
    }
    if (this.progressText && this.progressTemplate) {
      this.progressText.textContent = this.progressTemplate
        .split(COUNT_SLOT)
        .join(this.format.format(total))
        .split(GOAL_SLOT)
        .join(this.format.format(this.goal));
    }
  }

  private animateTo(next: number): void {
    if (this.frame) cancelAnimationFrame(this.frame);
    this.frame = 0;
    const from = this.shown;
    if (this.reducedMotion?.matches || typeof requestAnimationFrame !== 'function' || document.hidden) {
      this.render(next);
      return;
    }
    const start = performance.now();
    const step = (now: number) => {
      const t = Math.min(1, (now - start) / ANIMATION_MS);
      const eased = 1 - (1 - t) ** 3;
      this.render(t >= 1 ? next : Math.round(from + (next - from) * eased));
      this.frame = t >= 1 ? 0 : requestAnimationFrame(step);
    };
    this.frame = requestAnimationFrame(step);
  }

  private render(value: number): void {
    this.shown = value;
    if (!this.numberEl) return;
    this.numberEl.textContent = this.format.format(value);
    this.renderWords(value);
  }

  /** The words around the number follow its plural form ("1 person has signed", "2 people have signed"). */
  private renderWords(value: number): void {
    const template = this.forms[this.plurals.select(value)] ?? this.forms['other'];
    if (!template || !this.line || !this.numberEl) return;
    const [before, after] = splitTemplate(template);
    const first = this.line.firstChild;
    const last = this.line.lastChild;
    if (first !== this.numberEl && first?.nodeType === Node.TEXT_NODE) {
      if (first.textContent !== before) first.textContent = before;
    } else if (before) this.line.insertBefore(document.createTextNode(before), this.numberEl);
    if (last !== this.numberEl && last?.nodeType === Node.TEXT_NODE) {
      if (last.textContent !== after) last.textContent = after;
    } else if (after) this.line.appendChild(document.createTextNode(after));
  }

  /** The whole line ("1,235 people have signed"), said at most once every ten seconds, always the latest number. */
  private scheduleAnnouncement(): void {
    if (this.announceTimer !== undefined) return;
    const wait = Math.max(0, this.lastAnnouncedAt + ANNOUNCE_EVERY_MS - Date.now());
    this.announceTimer = window.setTimeout(() => {
      this.announceTimer = undefined;
      if (this.target === this.announced) return;
      this.announced = this.target;
      this.lastAnnouncedAt = Date.now();
      const template = this.forms[this.plurals.select(this.target)] ?? this.forms['other'];
      this.announcer.textContent = template ? template.split(COUNT_SLOT).join(this.format.format(this.target)) : this.format.format(this.target);
    }, wait);
  }
}

/** Polls count.json for the petition it speaks for; returns the interval, to stop it. */
function poll(countUrl: string, counts: LiveCount[]): number | undefined {
  const main = LiveCount.main(counts);
  if (!main) return undefined;
  const tick = () => {
    fetch(countUrl, { headers: { accept: 'application/json' }, credentials: 'same-origin' })
      .then((response) => (response.ok ? response.json() : undefined))
      .then((data: unknown) => {
        if (isCountData(data)) main.show(data);
      })
      .catch(() => undefined);
  };
  return window.setInterval(tick, POLL_EVERY_MS);
}

function listen(eventsUrl: string, countUrl: string | undefined, counts: LiveCount[]): void {
  if (typeof EventSource !== 'function') {
    if (countUrl) poll(countUrl, counts);
    return;
  }
  let poller: number | undefined;
  const connect = () => {
    const source = new EventSource(eventsUrl);
    source.addEventListener('open', () => {
      if (poller !== undefined) window.clearInterval(poller);
      poller = undefined;
    });
    source.addEventListener('count', (event) => {
      let data: unknown;
      try {
        data = JSON.parse((event as MessageEvent<string>).data);
      } catch {
        return;
      }
      if (!isCountData(data)) return;
      const target = data.petitionId === null || data.petitionId === undefined ? LiveCount.main(counts) : counts.find((c) => c.petitionId === data.petitionId);
      target?.show(data);
    });
    source.addEventListener('error', () => {
      // A dropped connection the browser retries by itself. A refusal (busy, restarting) is final for this
      // EventSource: poll meanwhile, and try a stream again in a while (spread out, so a crowd does not return at once).
      if (source.readyState !== EventSource.CLOSED) return;
      if (countUrl && poller === undefined) poller = poll(countUrl, counts);
      window.setTimeout(connect, RECONNECT_AFTER_MS + Math.random() * RECONNECT_AFTER_MS);
    });
  };
  connect();
}

export function enhanceLiveCounts(root: ParentNode = document): void {
  const groups = new Map<string, { countUrl: string | undefined; counts: LiveCount[] }>();
  root.querySelectorAll<HTMLElement>('[data-events-url]').forEach((section) => {
    const eventsUrl = section.dataset['eventsUrl'];
    if (!eventsUrl) return;
    const group = groups.get(eventsUrl) ?? { countUrl: section.dataset['countUrl'], counts: [] };
    group.counts.push(new LiveCount(section));
    groups.set(eventsUrl, group);
  });
  for (const [eventsUrl, group] of groups) listen(eventsUrl, group.countUrl, group.counts);
}
