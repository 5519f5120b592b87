// The page frame: top bar (modes, track, theme, camera), the viewport that holds the 3D canvas
// and the HUD, the notice stack, the side drawer for panels, and overlays (help, pause, fatal).
// It shows what it is told and reports what the player asks for; it owns no game state.
// The bar wraps onto a second row when it must, and on a phone everything but the modes folds
// into a Menu button; its measured height (--topbar-h) places the viewport, drawer and notices.
// Esc closes the topmost thing only (help, then an open panel) and goes no further.

import { el } from './dom.ts';
export type ModeName = 'drive' | 'record' | 'train' | 'autopilot' | 'race';
export const MODE_LABELS: Record<ModeName, string> = {
  drive: 'Drive',
  record: 'Record',
  train: 'Train',
  autopilot: 'Autopilot',
  race: 'Race',
};

export interface ShellChoices {
  presets: readonly { id: string; name: string }[];
  themes: readonly string[];
  cameras: readonly string[];
}

export interface ShellIntents {
  mode(m: ModeName): void;
  track(id: string): void;
  randomTrack(): void;
  theme(t: string): void;
  camera(c: string): void;
  panel(name: PanelName | null): void;
  help(): void;
}

export type PanelName = 'library' | 'training' | 'leaderboard' | 'settings';
/** Panels with a button of their own in the top bar (training opens with the Train mode). */
const BAR_PANELS: readonly PanelName[] = ['library', 'leaderboard', 'settings'];
const PANEL_LABELS: Record<PanelName, string> = {
  library: 'Library',
  training: 'Training',
  leaderboard: 'Leaderboard',
  settings: 'Settings',
};

export type NoticeKind = 'info' | 'ok' | 'warn' | 'error';

export interface HelpOptions {
  onClose?: () => void;
  /** Extra content under the key table (the guide's button, touch hints). */
  extra?: readonly HTMLElement[];
  /** The heading above the key table. */
  title?: string;
}

/** How long an error notice stays unless dismissed, ms. */
const ERROR_NOTICE_MS = 20_000;

export interface Shell {
  readonly viewport: HTMLElement;
  readonly hudLayer: HTMLElement;
  /** The drawer body for a panel (created on first use). */
  panelBody(name: PanelName): HTMLElement;
  setMode(m: ModeName): void;
  setTrack(id: string): void;
  setTheme(t: string): void;
  setCamera(c: string): void;
  setBadge(text: string, title?: string): void;
  openPanel(name: PanelName | null): void;
  readonly openPanelName: PanelName | null;
  /** Shows a notice; each has a dismiss button and fades after `ms` (errors after 20 s). */
  /** A notice; `action` adds a button (e.g. Undo) that runs it and closes the notice. */
  notify(text: string, kind?: NoticeKind, ms?: number, action?: NoticeAction): void;
  showPaused(paused: boolean): void;
  /** Shows the help overlay; `onClose` runs once when it closes (a click, Esc or any key). */
  showHelp(rows: readonly { keys: string; action: string }[], opts?: HelpOptions): void;
  readonly helpOpen: boolean;
  /** Replaces the viewport with a message (no WebGL and the like). */
  showFatal(title: string, message: string): void;
  dispose(): void;
}

/** A button on a notice: its label and what it does. */
export interface NoticeAction {
  readonly label: string;
  run(): void;
}

export function createShell(root: HTMLElement, choices: ShellChoices, intents: ShellIntents): Shell {
  root.replaceChildren();
  const top = el('div', { class: 'ds-topbar' });
  const brand = el('div', { class: 'ds-brand' });
  brand.innerHTML = 'Deep<span>Steer</span>';
  top.append(brand);

  const modes = el('div', { class: 'ds-modes', role: 'group', 'aria-label': 'Mode' });
  const modeButtons = new Map<ModeName, HTMLButtonElement>();
  for (const m of Object.keys(MODE_LABELS) as ModeName[]) {
    const b = el('button', { 'data-testid': `mode-${m}`, 'aria-pressed': 'false', type: 'button' }, MODE_LABELS[m]);
    b.addEventListener('click', () => intents.mode(m));
    modeButtons.set(m, b);
    modes.append(b);
  }
  top.append(modes);
  const menuBtn = el('button', { class: 'ds-iconbtn ds-menu-btn', type: 'button', 'aria-expanded': 'false', 'aria-controls': 'ds-more', 'data-testid': 'menu-toggle' }, 'Menu');
  top.append(menuBtn);
  const more = el('div', { class: 'ds-more', id: 'ds-more' });
  menuBtn.addEventListener('click', () => {
    const open = !top.classList.contains('menu-open');
    top.classList.toggle('menu-open', open);
    menuBtn.setAttribute('aria-expanded', String(open));
  });
  top.append(more);

  // Track: a preset list plus a seed box; the box shows whatever track is active.
  const trackField = el('div', { class: 'ds-field', title: 'Track: a preset, or any number as a seed' });
  const trackSelect = el('select', { 'data-testid': 'track-preset', 'aria-label': 'Preset track' });
  for (const p of choices.presets) trackSelect.append(el('option', { value: p.id }, p.name));
  trackSelect.append(el('option', { value: '' }, 'Seed…'));
  const seedInput = el('input', { 'data-testid': 'track-seed', 'aria-label': 'Track seed or preset', placeholder: 'seed', inputmode: 'numeric' });
  const randomBtn = el('button', { class: 'ds-iconbtn', 'data-testid': 'track-random', title: 'A random track', type: 'button' }, 'Random');
  trackSelect.addEventListener('change', () => {
    if (trackSelect.value) intents.track(trackSelect.value);
    else seedInput.focus();
  });
  const submitSeed = (): void => {
    const v = seedInput.value.trim();
    if (v) intents.track(v);
  };
  seedInput.addEventListener('keydown', (e) => {
    e.stopPropagation(); // typing a seed must not steer the car
    if (e.key === 'Enter') {
      submitSeed();
      seedInput.blur();
    }
  });
  seedInput.addEventListener('keyup', (e) => e.stopPropagation());
  seedInput.addEventListener('change', submitSeed);
  randomBtn.addEventListener('click', () => intents.randomTrack());
  trackField.append(trackSelect, seedInput, randomBtn);
  more.append(trackField);

  const themeField = el('div', { class: 'ds-field', title: 'Theme: light and colours' });
  const themeSelect = el('select', { 'data-testid': 'theme-select', 'aria-label': 'Theme' });
  for (const t of choices.themes) themeSelect.append(el('option', { value: t }, t[0].toUpperCase() + t.slice(1)));
  themeSelect.addEventListener('change', () => intents.theme(themeSelect.value));
  themeField.append(themeSelect);
  more.append(themeField);

  const camField = el('div', { class: 'ds-field', title: 'Camera (C)' });
  const camSelect = el('select', { 'data-testid': 'camera-select', 'aria-label': 'Camera' });
  for (const c of choices.cameras) camSelect.append(el('option', { value: c }, `${c[0].toUpperCase()}${c.slice(1)} cam`));
  camSelect.addEventListener('change', () => intents.camera(camSelect.value));
  camField.append(camSelect);
  more.append(camField);

  more.append(el('div', { class: 'ds-spacer' }));
  const badge = el('span', { class: 'ds-badge', 'data-testid': 'backend-badge' }, '');
  badge.hidden = true;
  more.append(badge);
  const panelButtons = new Map<PanelName, HTMLButtonElement>();
  for (const p of BAR_PANELS) {
    const b = el('button', { class: 'ds-iconbtn', 'data-testid': `panel-${p}`, 'aria-pressed': 'false', type: 'button' }, PANEL_LABELS[p]);
    b.addEventListener('click', () => intents.panel(openName === p ? null : p));
    panelButtons.set(p, b);
    more.append(b);
  }
  const helpBtn = el('button', { class: 'ds-iconbtn', title: 'Help and keys (?)', type: 'button', 'aria-label': 'Help', 'data-testid': 'help-button' }, '?');
  helpBtn.addEventListener('click', () => intents.help());
  more.append(helpBtn);

  const viewport = el('div', { class: 'ds-viewport' });
  const hudLayer = el('div', { class: 'ds-hud-layer' });
  viewport.append(hudLayer);
  const notices = el('div', { class: 'ds-notices', 'aria-live': 'polite', 'data-testid': 'notices' });
  const drawer = el('aside', { class: 'ds-drawer', 'data-testid': 'drawer' });
  const drawerHead = el('header');
  const drawerTitle = el('h2');
  const closeBtn = el('button', { class: 'ds-iconbtn', type: 'button', 'aria-label': 'Close panel' }, '✕');
  closeBtn.addEventListener('click', () => intents.panel(null));
  drawerHead.append(drawerTitle, closeBtn);
  const bodies = new Map<PanelName, HTMLElement>();
  drawer.append(drawerHead);
  const paused = el('div', { class: 'ds-paused' });
  paused.append(el('span', {}, 'PAUSED'));
  paused.hidden = true;
  viewport.append(paused);

  root.append(viewport, top, notices, drawer);
  let openName: PanelName | null = null;
  let closeHelp: (() => void) | null = null;

  // The bar's real height (one row, two, or the phone's open menu) places everything under it.
  const placeUnderBar = (): void => {
    root.style.setProperty('--topbar-h', `${Math.ceil(top.getBoundingClientRect().height)}px`);
  };
  const barObserver = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(placeUnderBar);
  barObserver?.observe(top);
  placeUnderBar();
  // Picking something from the phone's menu (or a mode) folds it again.
  modes.addEventListener('click', () => {
    top.classList.remove('menu-open');
    menuBtn.setAttribute('aria-expanded', 'false');
  });
  more.addEventListener('click', (e) => {
    if ((e.target as HTMLElement).tagName === 'BUTTON') {
      top.classList.remove('menu-open');
      menuBtn.setAttribute('aria-expanded', 'false');
    }
  });

  // Esc closes the topmost thing (help, then a panel) and nothing else: the game does not pause.
  const onEscape = (e: KeyboardEvent): void => {
    if (e.key !== 'Escape' || closeHelp) return; // the help overlay handles its own keys
    if (openName === null) return;
    const t = e.target as HTMLElement | null;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return; // Esc in a box cancels the edit there
    e.preventDefault();
    e.stopImmediatePropagation();
    intents.panel(null);
  };
  window.addEventListener('keydown', onEscape, true);

  const shell: Shell = {
    viewport,
    hudLayer,
    panelBody(name) {
      let b = bodies.get(name);
      if (!b) {
        b = el('div', { class: 'ds-body', 'data-testid': `panel-body-${name}` });
        b.hidden = true;
        bodies.set(name, b);
        drawer.append(b);
      }
      return b;
    },
    setMode(m) {
      for (const [k, b] of modeButtons) b.setAttribute('aria-pressed', String(k === m));
    },
    setTrack(id) {
      const preset = choices.presets.find((p) => p.id === id);
      trackSelect.value = preset ? preset.id : '';
      seedInput.value = id;
    },
    setTheme(t) {
      themeSelect.value = t;
    },
    setCamera(c) {
      camSelect.value = c;
    },
    setBadge(text, title) {
      badge.textContent = text;
      badge.title = title ?? '';
      badge.hidden = !text;
    },
    openPanel(name) {
      openName = name;
      drawer.classList.toggle('open', name !== null);
      root.classList.toggle('ds-drawer-open', name !== null);
      for (const [k, b] of panelButtons) b.setAttribute('aria-pressed', String(k === name));
      for (const [k, b] of bodies) b.hidden = k !== name;
      if (name) {
        drawerTitle.textContent = PANEL_LABELS[name];
        shell.panelBody(name).hidden = false;
      }
    },
    get openPanelName() {
      return openName;
    },
    notify(text, kind = 'info', ms = 6000, action) {
      const n = el('div', { class: `ds-notice ${kind}`, role: kind === 'error' ? 'alert' : 'status', 'data-testid': `notice-${kind}` });
      const p = el('p', {}, text);
      const x = el('button', { type: 'button', 'aria-label': 'Dismiss' }, '✕');
      x.addEventListener('click', () => n.remove());
      n.append(p);
      if (action) {
        const b = el('button', { type: 'button', class: 'ds-notice-action', 'data-testid': 'notice-action' }, action.label);
        b.addEventListener('click', () => {
          n.remove();
          action.run();
        });
        n.append(b);
      }
      n.append(x);
      notices.append(n);
      while (notices.children.length > 5) notices.firstElementChild?.remove();
      const life = kind === 'error' ? Math.max(ms, ERROR_NOTICE_MS) : ms;
      setTimeout(() => {
        n.classList.add('fading');
        setTimeout(() => n.remove(), 400);
      }, life);
    },
    showPaused(p) {
      paused.hidden = !p;
    },
    showHelp(rows, opts = {}) {
      if (closeHelp) return;
      const overlay = el('div', { class: 'ds-help', 'data-testid': 'help', role: 'dialog', 'aria-modal': 'true', 'aria-label': opts.title ?? 'Help' });
      const box = el('div', { class: 'ds-help-box' });
      box.append(el('h2', {}, opts.title ?? 'Keys'));
      const table = el('table');
      for (const r of rows) {
        const tr = el('tr');
        tr.append(el('td', {}, r.keys), el('td', {}, r.action));
        table.append(tr);
      }
      box.append(table, ...(opts.extra ?? []), el('p', { class: 'ds-muted' }, 'The game is paused. Click outside, press Esc or any key to close.'));
      overlay.append(box);
      const close = (): void => {
        if (!closeHelp) return;
        closeHelp = null;
        overlay.remove();
        window.removeEventListener('keydown', onKey, true);
        opts.onClose?.();
      };
      // The closing key goes no further: Esc must not also pause, nor a letter start something.
      const onKey = (e: KeyboardEvent): void => {
        if (e.key === 'Tab' || e.key === 'Enter' || e.key === ' ') return; // moving between the box's buttons
        e.preventDefault();
        e.stopImmediatePropagation();
        close();
      };
      overlay.addEventListener('click', (e) => {
        if (e.target === overlay) close();
      });
      box.addEventListener('click', (e) => {
        if ((e.target as HTMLElement).tagName === 'BUTTON') close();
      });
      window.addEventListener('keydown', onKey, true);
      closeHelp = close;
      root.append(overlay);
    },
    get helpOpen() {
      return closeHelp !== null;
    },
    showFatal(title, message) {
      const f = el('div', { class: 'ds-fatal', role: 'alert', 'data-testid': 'fatal' });
      const box = el('div');
      box.append(el('h2', {}, title), el('p', {}, message));
      f.append(box);
      viewport.replaceChildren(f);
    },
    dispose() {
      closeHelp?.();
      window.removeEventListener('keydown', onEscape, true);
      barObserver?.disconnect();
      root.replaceChildren();
    },
  };
  return shell;
}
