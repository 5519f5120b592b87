// Laps after they are driven: each completed lap's replay is re-verified (in slices, so the
// game keeps drawing) and, if ranked, goes to the leaderboard; the player's best on the track is
// the HUD's reference for sector deltas; race mode replays the best lap as a ghost; the
// Leaderboard panel exports replays and imports them through the same verifier, which refuses
// a modified car or an unranked track before simulating anything.

import type { LapStore } from '../data/index.ts';
import { openLapStore } from '../data/index.ts';
import type { ReferenceLap } from '../hud/hudView.ts';
import { type Replay, verifyReplayTextSliced } from '../scoring/replay.ts';
import { formatLapTime } from '../scoring/rules.ts';
import { TICK_HZ } from '../sim/constants.ts';
import { PRESET_NAMES, resolveTrack } from '../sim/tracks.ts';
import { createLeaderboardPanel, type LeaderboardPanel } from '../ui/leaderboardPanel.ts';
import type { ModeName, Shell } from '../ui/shell.ts';
import type { AutopilotOptions } from './autopilot.ts';
import { Ghost } from './ghost.ts';
import { createLapCommands } from './lapCommands.ts';
import { seedShippedExpert } from './lapEntries.ts';
import { createModelFingerprints } from './modelFingerprint.ts';
import { createOnlineFeature } from './onlineFeature.ts';
import type { LapEvent, Session } from './session.ts';
import type { WatchResult } from './watchModel.ts';

export { entryOf } from './lapEntries.ts';

/** The expert's lap of the oval shipped with the game (vite copies it into the build). */
const SHIPPED_EXPERT_URL = new URL('../../assets/replays/oval-expert.replay.json', import.meta.url).href;

export interface LapsFeatureHost {
  session: Session;
  shell: Shell;
  mode(): ModeName;
  setMode(m: ModeName): void;
  setTrack(id: string): void;
  /** The model the autopilot drives with, and its options in force (src/app/autopilot.ts). */
  autopilotModel(): { id: string; name: string } | null;
  autopilotOptions(): Pick<AutopilotOptions, 'governor' | 'throttle' | 'speedControl'>;
  /** The zip of a saved model (uploaded with autopilot laps submitted online). */
  exportModel?(modelId: string): Promise<Uint8Array>;
  /** Imports a downloaded model and drives the downloaded lap with it in lockstep (watchModel.ts). */
  watchModel?(replay: Replay, zip: Uint8Array): Promise<WatchResult>;
}

export interface LapsFeature {
  readonly laps: Promise<LapStore | null>;
  readonly ghost: Ghost | null;
  readonly leaderboard: LeaderboardPanel;
  /** The player's best lap on this track, for HUD deltas (null if none). */
  referenceFor(trackId: string): ReferenceLap | null;
  /** Loads the ghost of an entry, or of the best lap on the current track. */
  loadGhost(entryId: string | null): Promise<void>;
  /** The session moved to another track. */
  trackChanged(trackId: string): void;
  dispose(): void;
}

/** Verifies replay text in slices that leave the tab drawing between them (a frame at least every ~50 ms). */
export function verifyInTab(text: string, rankedOnly: boolean): ReturnType<typeof verifyReplayTextSliced> {
  return verifyReplayTextSliced(text, { rankedOnly, sliceTicks: 1500, yieldTo: () => new Promise((res) => setTimeout(res, 0)) });
}

export function createLapsFeature(host: LapsFeatureHost): LapsFeature {
  const { session, shell } = host;
  const fingerprints = createModelFingerprints();
  session.assistsOf = () => ({ governor: host.autopilotOptions().governor });
  session.modelOf = () => {
    const m = host.autopilotModel();
    if (!m) return null;
    const sha256 = fingerprints.get(m.id);
    const { throttle, speedControl } = host.autopilotOptions();
    return { id: m.id, name: m.name, ...(sha256 ? { sha256 } : {}), autopilot: { throttle, speedControl } };
  };
  // The shipped expert lap joins the oval's board (verified first) before anyone reads the
  // store, so Race on a fresh database has its ghost.
  const laps: Promise<LapStore | null> = openLapStore()
    .then(async (st) => {
      const r = await seedShippedExpert(st, {
        load: async () => {
          const res = await fetch(SHIPPED_EXPERT_URL);
          if (!res.ok) throw new Error(`HTTP ${res.status}`);
          return res.text();
        },
        verify: (text) => verifyInTab(text, true),
      });
      if (r.kind === 'skipped') console.warn(`The shipped expert lap was not added to the oval's board: ${r.reason}`);
      return st;
    })
    .catch(() => null);
  let ghost: Ghost | null = null;
  let reference: (ReferenceLap & { trackId: string }) | null = null;

  // Every lap added to the store goes through the lap commands (verified first).
  const commands = createLapCommands({ laps, verify: verifyInTab, newId: () => crypto.randomUUID() });

  async function onLap(e: LapEvent): Promise<void> {
    const time = formatLapTime(e.lap.ticks / TICK_HZ);
    try {
      const r = await commands.addDrivenLap(e.replay);
      if (r.kind === 'refused') shell.notify(`Lap ${time} not ranked: its replay does not verify (${r.reason})`, 'warn');
      if (r.kind !== 'added') return;
      if (r.rank === 1) shell.notify(`New best ${e.driver} lap on ${session.track.name}: ${time}.`, 'ok');
      await refreshReference();
      void leaderboard.refresh();
    } catch (err) {
      shell.notify(`Lap ${time} not saved: ${(err as Error).message}`, 'warn');
    }
  }
  const offLap = session.onLap((e) => void onLap(e));

  async function refreshReference(): Promise<void> {
    const st = await laps;
    const id = session.track.id;
    const best = st ? (await st.list({ trackId: id, driverClass: 'human' }).catch(() => []))[0] : undefined;
    if (!st || !best) {
      reference = null;
      return;
    }
    const replay = (await st.replay(best.id)) as unknown as Replay;
    reference = replay?.claim ? { trackId: id, ticks: replay.claim.ticks, sectorTicks: replay.claim.sectorTicks } : null;
  }

  async function loadGhost(entryId: string | null): Promise<void> {
    ghost = null;
    const st = await laps;
    if (!st) return;
    const trackId = session.track.id;
    let id = entryId;
    if (!id) {
      const best = (await st.list({ trackId, driverClass: 'human' }))[0] ?? (await st.list({ trackId, driverClass: 'autopilot' }))[0] ?? (await st.list({ trackId, driverClass: 'expert' }))[0];
      id = best?.id ?? null;
    }
    if (!id) {
      shell.notify('No lap on this track to race yet: your first lap becomes the ghost.', 'info');
      return;
    }
    const entry = await st.get(id);
    const replay = (await st.replay(id)) as unknown as Replay;
    if (replay.version !== 2) {
      shell.notify('That lap was stored in the old replay format (version 1): drive it again to race its ghost.', 'warn');
      return;
    }
    if (replay.track.id !== trackId) host.setTrack(replay.track.id);
    ghost = new Ghost(replay, `${entry.driverName} ${formatLapTime(entry.lapTicks / TICK_HZ)}`);
    shell.notify(`Racing ${ghost.label}.`, 'info');
  }

  const leaderboard = createLeaderboardPanel(shell.panelBody('leaderboard'), {
    list: async (trackId) => {
      const st = await laps;
      return st ? st.list({ trackId }) : [];
    },
    replayText: async (entryId) => {
      const st = await laps;
      if (!st) throw new Error('the leaderboard is unavailable');
      return `${JSON.stringify(await st.replay(entryId), null, 2)}\n`;
    },
    importReplay: (text) => commands.importReplay(text),
    raceGhost: (entryId) => {
      void loadGhost(entryId).then(() => {
        if (host.mode() !== 'race') host.setMode('race');
      });
    },
    tracks: () => PRESET_NAMES.map((id) => ({ id, name: resolveTrack(id).name })),
    currentTrack: () => session.track.id,
    notify: (t, k) => shell.notify(t, k),
  });
  void refreshReference();

  // The Online tab (onlineFeature.ts): world boards; a downloaded lap races as the ghost.
  const online = createOnlineFeature({
    container: leaderboard.onlineBody,
    session,
    tracks: () => PRESET_NAMES.map((id) => ({ id, name: resolveTrack(id).name })),
    notify: (t, k) => shell.notify(t, k),
    exportModel: host.exportModel,
    watchModel: host.watchModel,
    race(replay, label) {
      if (replay.track.id !== session.track.id) host.setTrack(replay.track.id);
      ghost = new Ghost(replay, label);
      if (host.mode() !== 'race') host.setMode('race');
      shell.notify(`Racing ${label}.`, 'info');
    },
  });
  leaderboard.onlineBody.addEventListener('show', () => void online.board.refresh());

  return {
    laps,
    get ghost() {
      return ghost;
    },
    leaderboard,
    referenceFor: (trackId) => (reference && reference.trackId === trackId ? reference : null),
    loadGhost,
    trackChanged(trackId) {
      if (ghost && ghost.trackId !== trackId) ghost = null;
      void refreshReference();
      void leaderboard.refresh();
    },
    dispose() {
      offLap();
      online.dispose();
      leaderboard.dispose();
      void laps.then((st) => st?.close());
    },
  };
}
