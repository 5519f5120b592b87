// The Online tab of the Leaderboard panel: the world board of a track and class (best first,
// paginated, the player's own rank, the expert's lap as the reference line), picking a name,
// submitting a lap, and racing or downloading any lap's ghost and model. A view: it shows what
// its deps return and emits intents; the fetch client and the game are behind the deps.
//
// Test ids: online-status, online-name (input), online-join, online-rename, online-rotate,
// online-player, online-submit, online-auto (checkbox), online-track, online-class-{human,
// autopilot,expert}, online-row (data-lap-id, data-rank, data-name), online-me, online-reference,
// online-ghost, online-replay, online-model (watch the lap's model drive it), online-reproduce
// (data-state reproduces|differs), online-prev, online-next, online-page.

import { downloadBytes, el, messageOf } from './dom.ts';
import { type DriverClass, formatLapTime } from '../scoring/rules.ts';

export interface OnlineLap {
  id: string;
  name: string;
  class: string;
  trackId: string;
  lapTicks: number;
  scoreS: number;
  penaltyS: number;
  autonomyPct: number;
  modelName: string | null;
  modelHash: string | null;
  rank?: number;
}

export interface OnlineBoardPage {
  total: number;
  offset: number;
  limit: number;
  laps: OnlineLap[];
  me: OnlineLap | null;
  reference: OnlineLap | null;
}

export interface OnlineBoardDeps {
  /** null when the server answers, else why it is offline. */
  status(): Promise<string | null>;
  player(): { name: string } | null;
  join(name: string): Promise<void>;
  rename(name: string): Promise<void>;
  rotateToken(): Promise<void>;
  board(trackId: string, cls: DriverClass, offset: number): Promise<OnlineBoardPage>;
  /** A description of the lap one click would submit, or null. */
  pendingLap(): string | null;
  submitPending(): Promise<string>;
  autoSubmit(on?: boolean): boolean;
  raceGhost(lap: OnlineLap): Promise<void>;
  replayText(lap: OnlineLap): Promise<string>;
  /**
   * Downloads the lap's model zip and replay, imports the model and drives the lap with it in
   * lockstep; resolves with what happened and whether the lap reproduced (null: not driven).
   */
  watchModel(lap: OnlineLap): Promise<{ text: string; reproduces: boolean | null }>;
  tracks(): readonly { id: string; name: string }[];
  currentTrack(): string;
  notify(text: string, kind: 'info' | 'ok' | 'warn' | 'error'): void;
}

export interface OnlineBoard {
  refresh(): Promise<void>;
  dispose(): void;
}

const CLASSES: readonly DriverClass[] = ['human', 'autopilot', 'expert'];
const LABELS: Record<DriverClass, string> = { human: 'Human', autopilot: 'Autopilot', expert: 'Expert' };
const PAGE = 20;

export function createOnlineBoard(container: HTMLElement, deps: OnlineBoardDeps): OnlineBoard {
  const status = el('p', { 'data-testid': 'online-status', class: 'ds-muted' }, 'Checking the online leaderboard…');
  const who = el('span', { 'data-testid': 'online-player' });
  const nameInput = el('input', { type: 'text', maxlength: 24, placeholder: 'Display name', 'data-testid': 'online-name', 'aria-label': 'Display name' });
  const joinBtn = el('button', { type: 'button', class: 'ds-btn primary', 'data-testid': 'online-join' }, 'Join');
  const renameBtn = el('button', { type: 'button', class: 'ds-btn', 'data-testid': 'online-rename' }, 'Rename');
  const rotateBtn = el('button', { type: 'button', class: 'ds-btn', 'data-testid': 'online-rotate', title: 'A new secret token for this browser; the old one stops working' }, 'New token');
  const playerRow = el('div', { class: 'ds-row' }, who, nameInput, joinBtn, renameBtn, rotateBtn);
  const submitBtn = el('button', { type: 'button', class: 'ds-btn primary', 'data-testid': 'online-submit' }, 'Submit lap');
  const auto = el('input', { type: 'checkbox', 'data-testid': 'online-auto' });
  const submitRow = el('div', { class: 'ds-row' }, submitBtn, el('label', { class: 'ds-muted' }, auto, ' submit my verified laps automatically'));
  const trackSel = el('select', { 'data-testid': 'online-track', 'aria-label': 'Track' });
  const tabs = el('div', { class: 'ds-tabs', role: 'tablist' });
  let cls: DriverClass = 'human';
  let offset = 0;
  const tabButtons = CLASSES.map((c) => {
    const b = el('button', { type: 'button', role: 'tab', 'data-testid': `online-class-${c}`, 'aria-selected': String(c === cls) }, LABELS[c]);
    b.addEventListener('click', () => {
      cls = c;
      offset = 0;
      for (const [i, x] of tabButtons.entries()) x.setAttribute('aria-selected', String(CLASSES[i] === c));
      void board.refresh();
    });
    tabs.append(b);
    return b;
  });
  const table = el('table', { class: 'ds-table' });
  const me = el('p', { 'data-testid': 'online-me', class: 'ds-muted' });
  const reference = el('p', { 'data-testid': 'online-reference', class: 'ds-muted' });
  const prev = el('button', { type: 'button', class: 'ds-btn', 'data-testid': 'online-prev' }, '‹ Prev');
  const next = el('button', { type: 'button', class: 'ds-btn', 'data-testid': 'online-next' }, 'Next ›');
  const pageLabel = el('span', { class: 'ds-muted', 'data-testid': 'online-page' });
  const reproduce = el('p', { 'data-testid': 'online-reproduce', role: 'status', hidden: true });
  const body = el('div', {}, playerRow, submitRow, el('div', { class: 'ds-row' }, trackSel, tabs), reference, table, me, reproduce, el('div', { class: 'ds-row' }, prev, pageLabel, next));
  container.replaceChildren(status, body);

  const act = (btn: HTMLButtonElement, f: () => Promise<string | void>): void => {
    btn.addEventListener('click', async () => {
      btn.disabled = true;
      try {
        const msg = await f();
        if (msg) deps.notify(msg, 'ok');
        await board.refresh();
      } catch (e) {
        deps.notify(messageOf(e), 'error');
      } finally {
        btn.disabled = false;
      }
    });
  };
  act(joinBtn, async () => {
    await deps.join(nameInput.value);
    return `Joined as ${deps.player()?.name}.`;
  });
  act(renameBtn, async () => {
    await deps.rename(nameInput.value);
    return `Renamed to ${deps.player()?.name}.`;
  });
  act(rotateBtn, async () => {
    await deps.rotateToken();
    return 'A new token is saved in this browser; the old one no longer works.';
  });
  act(submitBtn, () => deps.submitPending());
  auto.addEventListener('change', () => deps.autoSubmit(auto.checked));
  trackSel.addEventListener('change', () => {
    offset = 0;
    void board.refresh();
  });
  prev.addEventListener('click', () => {
    offset = Math.max(0, offset - PAGE);
    void board.refresh();
  });
  next.addEventListener('click', () => {
    offset += PAGE;
    void board.refresh();
  });

  const lapText = (l: OnlineLap): string => `${formatLapTime(l.lapTicks / 60)}${l.penaltyS > 0 ? ` +${l.penaltyS} s` : ''}`;

  function row(l: OnlineLap, best: number): HTMLTableRowElement {
    const tr = el('tr', { 'data-testid': 'online-row', 'data-lap-id': l.id, 'data-rank': String(l.rank ?? ''), 'data-name': l.name });
    tr.append(
      el('td', {}, String(l.rank ?? '')),
      el('td', {}, l.class === 'autopilot' && l.modelName ? `${l.name} (${l.modelName})` : l.name),
      el('td', {}, lapText(l)),
      el('td', {}, formatLapTime(l.scoreS)),
      el('td', {}, l.rank === 1 ? '' : `+${(l.scoreS - best).toFixed(3)}`),
    );
    const actions = el('td');
    const ghost = el('button', { type: 'button', class: 'ds-btn', 'data-testid': 'online-ghost', title: 'Race this lap as a ghost' }, 'Ghost');
    ghost.addEventListener('click', () => void deps.raceGhost(l).catch((e) => deps.notify(messageOf(e), 'error')));
    const rep = el('button', { type: 'button', class: 'ds-btn', 'data-testid': 'online-replay', title: 'Download the replay' }, 'Replay');
    rep.addEventListener('click', async () => {
      try {
        downloadBytes(new TextEncoder().encode(await deps.replayText(l)), `${l.trackId}-${l.name.replace(/\W+/g, '_')}-${l.lapTicks}.replay.json`, 'application/json');
      } catch (e) {
        deps.notify(messageOf(e), 'error');
      }
    });
    actions.append(ghost, rep);
    if (l.modelHash) {
      const model = el('button', { type: 'button', class: 'ds-btn', 'data-testid': 'online-model', title: 'Download the model and this lap, drive it here in lockstep and check the lap reproduces' }, 'Watch model');
      model.addEventListener('click', async () => {
        model.disabled = true;
        try {
          const r = await deps.watchModel(l);
          reproduce.hidden = false;
          reproduce.textContent = r.text;
          if (r.reproduces === null) delete reproduce.dataset.state;
          else reproduce.dataset.state = r.reproduces ? 'reproduces' : 'differs';
          deps.notify(r.text, r.reproduces === false ? 'warn' : 'ok');
        } catch (e) {
          deps.notify(messageOf(e), 'error');
        } finally {
          model.disabled = false;
        }
      });
      actions.append(model);
    }
    tr.append(actions);
    return tr;
  }

  const board: OnlineBoard = {
    async refresh() {
      const offline = await deps.status();
      status.textContent = offline ? `Offline: ${offline}. Your laps and the local leaderboard keep working.` : 'Online: laps are re-simulated by the server before they count.';
      status.dataset.state = offline ? 'offline' : 'online';
      body.hidden = Boolean(offline);
      if (offline) return;
      const p = deps.player();
      who.textContent = p ? `You are ${p.name}.` : 'Pick a display name to submit laps:';
      joinBtn.hidden = Boolean(p);
      renameBtn.hidden = rotateBtn.hidden = !p;
      const pending = deps.pendingLap();
      submitBtn.textContent = pending ? `Submit ${pending}` : 'Submit lap';
      submitBtn.disabled = !p || !pending;
      auto.checked = deps.autoSubmit();
      const tracks = deps.tracks();
      const current = trackSel.value || deps.currentTrack();
      trackSel.replaceChildren(...tracks.map((t) => el('option', { value: t.id }, t.name)));
      if (!tracks.some((t) => t.id === current)) trackSel.append(el('option', { value: current }, `Circuit ${current}`));
      trackSel.value = current;
      let page: OnlineBoardPage;
      try {
        page = await deps.board(current, cls, offset);
      } catch (e) {
        deps.notify(`Online board: ${messageOf(e)}`, 'error');
        return;
      }
      const best = offset === 0 && page.laps[0] ? page.laps[0].scoreS : page.laps[0]?.scoreS ?? 0;
      const headRow = el('tr');
      for (const h of ['#', cls === 'autopilot' ? 'Player (model)' : 'Player', 'Lap', 'Score', 'Delta', '']) headRow.append(el('th', {}, h));
      table.replaceChildren(el('thead', {}, headRow), el('tbody', {}, ...page.laps.map((l) => row(l, best))));
      me.textContent = page.me ? `Your best: rank ${page.me.rank} of ${page.total}, ${lapText(page.me)}.` : p ? 'No lap of yours on this board yet.' : '';
      reference.textContent = page.reference ? `Reference line: the expert, ${lapText(page.reference)}.` : '';
      pageLabel.textContent = page.total ? `${page.offset + 1}–${page.offset + page.laps.length} of ${page.total}` : 'No laps yet on this board.';
      prev.disabled = page.offset === 0;
      next.disabled = page.offset + page.laps.length >= page.total;
    },
    dispose() {
      container.replaceChildren();
    },
  };
  return board;
}
