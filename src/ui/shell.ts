// The page frame: top bar (modes, track, theme, camera), the viewport that holds the 3D canvas
// and the HUD, the notice stack, the side drawer for panels, and overlays (help, pause, fatal).
// It shows what it is told and reports what the player asks for; it owns no game state.

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
  /** Shows a notice; errors stay until dismissed, others fade after `ms`. */
  notify(text: string, kind?: NoticeKind, ms?: number): void;
  showPaused(paused: boolean): void;
  showHelp(rows: readonly { keys: string; action: string }[]): void;
  /** Replaces the viewport with a message (no WebGL and the like). */
  showFatal(title: string, message: string): void;
  dispose(): void;
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
  top.append(trackField);

  const themeField = el('div', { class: 'ds-field', title: 'Theme: light and colours' });
  const themeSelect = el('select', { 'data-testid': 'theme-select', 'aria-label': 'Theme' });
  for (const t of choices.themes) themeSelect.append(el('option', { value: t }, t[0].toUpperCase() + t.slice(1)));
  themeSelect.addEventListener('change', () => intents.theme(themeSelect.value));
  themeField.append(themeSelect);
  top.append(themeField);

  const camField = el('div', { class: 'ds-field', title: 'Camera (C)' });
  const camSelect = el('select', { 'data-testid': 'camera-select', 'aria-label': 'Camera' });
  for (const c of choices.cameras) camSelect.append(el('option', { value: c }, `${c[0].toUpperCase()}${c.slice(1)} cam`));
  camSelect.addEventListener('change', () => intents.camera(camSelect.value));
  camField.append(camSelect);
  top.append(camField);

  top.append(el('div', { class: 'ds-spacer' }));
  const badge = el('span', { class: 'ds-badge', 'data-testid': 'backend-badge' }, '');
  badge.hidden = true;
  top.append(badge);
  const panelButtons = new Map<PanelName, HTMLButtonElement>();
  for (const p of BAR_PANELS) {
    const b = el('button', { class: 'ds-iconbtn', 'data-testid': `panel-${p}`, 'aria-pressed': 'false', type: 'button' }, PANEL_LABELS[p]);
    b.addEventListener('click', () => intents.panel(openName === p ? null : p));
    panelButtons.set(p, b);
    top.append(b);
  }
  const helpBtn = el('button', { class: 'ds-iconbtn', title: 'Keys (?)', type: 'button' }, '?');
  helpBtn.addEventListener('click', () => intents.help());
  top.append(helpBtn);

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
    notify(text, kind = 'info', ms = 6000) {
      const n = el('div', { class: `ds-notice ${kind}`, role: kind === 'error' ? 'alert' : 'status', 'data-testid': `notice-${kind}` });
      const p = el('p', {}, text);
      const x = el('button', { type: 'button', 'aria-label': 'Dismiss' }, '✕');
      x.addEventListener('click', () => n.remove());
      n.append(p, x);
      notices.append(n);
      while (notices.children.length > 5) notices.firstElementChild?.remove();
      if (kind !== 'error') setTimeout(() => n.remove(), ms);
    },
    showPaused(p) {
      paused.hidden = !p;
    },
    showHelp(rows) {
      const overlay = el('div', { class: 'ds-help', 'data-testid': 'help' });
      const box = el('div');
      box.append(el('h2', {}, 'Keys'));
      const table = el('table');
      for (const r of rows) {
        const tr = el('tr');
        tr.append(el('td', {}, r.keys), el('td', {}, r.action));
        table.append(tr);
      }
      box.append(table, el('p', { class: 'ds-muted' }, 'Click or press any key to close.'));
      overlay.append(box);
      const close = (): void => {
        overlay.remove();
        window.removeEventListener('keydown', close, true);
      };
      overlay.addEventListener('click', close);
      window.addEventListener('keydown', close, true);
      root.append(overlay);
    },
    showFatal(title, message) {
      const f = el('div', { class: 'ds-fatal', role: 'alert', 'data-testid': 'fatal' });
      const box = el('div');
      box.append(el('h2', {}, title), el('p', {}, message));
      f.append(box);
      viewport.replaceChildren(f);
    },
    dispose() {
      root.replaceChildren();
    },
  };
  return shell;
}
