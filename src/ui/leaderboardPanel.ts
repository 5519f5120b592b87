// The Leaderboard panel: the best laps of a track per class (human, autopilot, expert), ranked
// by score (lap time plus penalties) with deltas, personal bests and the model behind each
// autopilot lap; export a lap's replay, race its ghost, or import a replay (verified first).
//
// Two views: Local (this browser's laps) and Online (`onlineBody`, filled by the online board,
// src/ui/onlineBoard.ts; it gets a 'show' event each time it is opened).
//
// Test ids: leaderboard-panel, board-track (select), board-class-{human,autopilot,expert},
// board-row (data-entry-id, data-rank), board-export, board-ghost, replay-import (file input),
// score-formula, board-view-local, board-view-online, online-board. A lap shipped with the game
// (the expert's reference lap, id prefix SHIPPED_ENTRY_PREFIX) has data-shipped=true.

import { downloadBytes, el } from './dom.ts';
import { type RankedEntry, rankBoard, type LeaderboardEntry } from '../scoring/leaderboard.ts';
import { type DriverClass, formatLapTime, SCORE_FORMULA } from '../scoring/rules.ts';
import { REPLAY_MAX_BYTES } from '../scoring/replayFormat.ts';

export interface LeaderboardDeps {
  /** Entries of a track (every class). */
  list(trackId: string): Promise<LeaderboardEntry[]>;
  /** The replay JSON text of an entry, for export. */
  replayText(entryId: string): Promise<string>;
  /** Verifies and adds a replay file; resolves with a message, rejects with the reason it was refused. */
  importReplay(text: string): Promise<string>;
  /** Races the ghost of this entry. */
  raceGhost(entryId: string): void;
  tracks(): readonly { id: string; name: string }[];
  currentTrack(): string;
  notify(text: string, kind: 'info' | 'ok' | 'warn' | 'error'): void;
}

export interface LeaderboardPanel {
  /** Where the Online view lives (hidden while the Local view shows). */
  readonly onlineBody: HTMLElement;
  refresh(): Promise<void>;
  dispose(): void;
}

/** Ids of laps shipped with the game (the expert's reference laps), marked as such on the board. */
export const SHIPPED_ENTRY_PREFIX = 'shipped-';

const CLASSES: readonly DriverClass[] = ['human', 'autopilot', 'expert'];
const CLASS_LABELS: Record<DriverClass, string> = { human: 'Human', autopilot: 'Autopilot', expert: 'Expert' };

export function createLeaderboardPanel(container: HTMLElement, deps: LeaderboardDeps): LeaderboardPanel {
  const root = el('div', { 'data-testid': 'leaderboard-panel' });
  const head = el('div', { class: 'ds-row' });
  const trackSel = el('select', { 'data-testid': 'board-track', 'aria-label': 'Track' });
  const tabs = el('div', { class: 'ds-tabs', role: 'tablist' });
  let cls: DriverClass = 'human';
  const tabButtons = CLASSES.map((c) => {
    const b = el('button', { type: 'button', role: 'tab', 'data-testid': `board-class-${c}`, 'aria-selected': String(c === cls) }, CLASS_LABELS[c]);
    b.addEventListener('click', () => {
      cls = c;
      for (const [i, x] of tabButtons.entries()) x.setAttribute('aria-selected', String(CLASSES[i] === c));
      void panel.refresh();
    });
    tabs.append(b);
    return b;
  });
  head.append(trackSel, tabs);
  const table = el('table', { class: 'ds-table' });
  const empty = el('p', { class: 'ds-muted' }, 'No laps yet on this track in this class. Drive one!');
  const importRow = el('div', { class: 'ds-row' });
  const importLabel = el('label', { class: 'ds-btn' }, 'Import a replay…');
  const importInput = el('input', { type: 'file', accept: '.json,application/json', 'data-testid': 'replay-import' });
  importInput.style.display = 'none';
  importLabel.append(importInput);
  importRow.append(importLabel, el('span', { class: 'ds-muted' }, 'Replays are re-simulated tick for tick before they count.'));
  const formula = el('p', { class: 'ds-muted', 'data-testid': 'score-formula' }, `Scoring: ${SCORE_FORMULA}.`);
  const local = el('div', {}, head, table, empty, importRow, formula);
  const onlineBody = el('div', { 'data-testid': 'online-board', hidden: true });
  const views = el('div', { class: 'ds-tabs', role: 'tablist' });
  const viewButtons = (['local', 'online'] as const).map((v) => {
    const b = el('button', { type: 'button', role: 'tab', 'data-testid': `board-view-${v}`, 'aria-selected': String(v === 'local') }, v === 'local' ? 'Local' : 'Online');
    b.addEventListener('click', () => {
      for (const x of viewButtons) x.setAttribute('aria-selected', String(x === b));
      local.hidden = v !== 'local';
      onlineBody.hidden = v !== 'online';
      if (v === 'online') onlineBody.dispatchEvent(new Event('show'));
    });
    views.append(b);
    return b;
  });
  root.append(views, local, onlineBody);
  container.replaceChildren(root);

  importInput.addEventListener('change', async () => {
    const file = importInput.files?.[0];
    importInput.value = '';
    if (!file) return;
    try {
      // The byte cap before reading the file (the verifier checks the text again).
      if (file.size > REPLAY_MAX_BYTES) throw new Error(`'${file.name}' is ${file.size} bytes; a replay is at most ${REPLAY_MAX_BYTES}`);
      const msg = await deps.importReplay(await file.text());
      deps.notify(msg, 'ok');
      await panel.refresh();
    } catch (e) {
      deps.notify(`Replay refused: ${(e as Error).message}`, 'error');
    }
  });
  trackSel.addEventListener('change', () => void panel.refresh());

  const download = (name: string, text: string): void => downloadBytes(new TextEncoder().encode(text), name, 'application/json');

  function row(e: RankedEntry): HTMLTableRowElement {
    const shipped = e.id.startsWith(SHIPPED_ENTRY_PREFIX);
    const tr = el('tr', { 'data-testid': 'board-row', 'data-entry-id': e.id, 'data-rank': String(e.rank), ...(shipped ? { 'data-shipped': 'true' } : {}) });
    const who = shipped ? `${e.driverName} (the expert's lap, shipped with the game)` : e.driverName;
    tr.append(
      el('td', {}, String(e.rank)),
      el('td', {}, `${who}${e.personalBest ? ' ★' : ''}`),
      el('td', {}, formatLapTime(e.lapTicks / 60)),
      el('td', {}, e.penaltyS > 0 ? `+${e.penaltyS} s` : '–'),
      el('td', {}, formatLapTime(e.scoreS)),
      el('td', {}, e.rank === 1 ? '' : `+${e.deltaS.toFixed(3)}`),
      el('td', {}, e.driverClass === 'autopilot' ? `${e.autonomyPct.toFixed(0)}%` : ''),
    );
    const actions = el('td');
    const exp = el('button', { type: 'button', class: 'ds-btn', 'data-testid': 'board-export', title: 'Download the replay' }, 'Replay');
    exp.addEventListener('click', async () => {
      try {
        download(`${e.trackId}-${e.driverName.replace(/\W+/g, '_')}-${e.lapTicks}.replay.json`, await deps.replayText(e.id));
      } catch (err) {
        deps.notify((err as Error).message, 'error');
      }
    });
    const ghost = el('button', { type: 'button', class: 'ds-btn', 'data-testid': 'board-ghost', title: 'Race this lap as a ghost' }, 'Ghost');
    ghost.addEventListener('click', () => deps.raceGhost(e.id));
    actions.append(exp, ghost);
    tr.append(actions);
    return tr;
  }

  const panel: LeaderboardPanel = {
    onlineBody,
    async refresh() {
      const tracks = deps.tracks();
      const current = trackSel.value || deps.currentTrack();
      trackSel.replaceChildren(...tracks.map((t) => el('option', { value: t.id }, t.name)));
      if (!tracks.some((t) => t.id === current)) trackSel.append(el('option', { value: current }, `Circuit ${current}`));
      trackSel.value = current;
      let entries: LeaderboardEntry[] = [];
      try {
        entries = await deps.list(current);
      } catch (e) {
        deps.notify(`Leaderboard unavailable: ${(e as Error).message}`, 'error');
      }
      const board = rankBoard(entries, current, cls);
      const headRow = el('tr');
      for (const h of ['#', cls === 'autopilot' ? 'Model' : 'Driver', 'Lap', 'Penalty', 'Score', 'Delta', cls === 'autopilot' ? 'Autonomy' : '', '']) headRow.append(el('th', {}, h));
      table.replaceChildren(el('thead'), el('tbody'));
      table.tHead!.append(headRow);
      table.tBodies[0].append(...board.map(row));
      empty.hidden = board.length > 0;
    },
    dispose() {
      root.remove();
    },
  };
  return panel;
}
