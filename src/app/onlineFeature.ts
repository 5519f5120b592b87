// The Online tab's wiring: the player's name and token (kept in this browser's localStorage),
// the last lap driven (one click submits it, or every lap when the player opts in), the world
// boards through the fetch client, racing a downloaded lap as a ghost, and watching a lap's
// model drive it here (does it reproduce?). The view is src/ui/onlineBoard.ts; the API is
// docs/api.md.

import type { Replay } from '../scoring/replay.ts';
import { formatLapTime } from '../scoring/rules.ts';
import { TICK_HZ } from '../sim/constants.ts';
import { downloadBytes } from '../ui/dom.ts';
import { createOnlineBoard, type OnlineBoard, type OnlineBoardPage } from '../ui/onlineBoard.ts';
import { OnlineClient, type OnlinePlayer } from './onlineClient.ts';
import type { LapEvent, Session } from './session.ts';
import type { WatchResult } from './watchModel.ts';

const PLAYER_KEY = 'deepsteer.online.player';
const AUTO_KEY = 'deepsteer.online.autoSubmit';

export interface OnlineFeatureHost {
  container: HTMLElement;
  session: Session;
  tracks(): readonly { id: string; name: string }[];
  notify(text: string, kind: 'info' | 'ok' | 'warn' | 'error'): void;
  /** Races this replay as a ghost (switching track and mode as needed). */
  race(replay: Replay, label: string): void;
  /** The zip of a saved model, uploaded once (by hash) with the autopilot laps it drove. */
  exportModel?(modelId: string): Promise<Uint8Array>;
  /** Imports the model and drives the lap with it in lockstep (watchModel.ts); absent: the zip is only downloaded. */
  watchModel?(replay: Replay, zip: Uint8Array): Promise<WatchResult>;
  client?: OnlineClient;
}

export interface OnlineFeature {
  readonly board: OnlineBoard;
  dispose(): void;
}

function load<T>(key: string): T | null {
  try {
    return JSON.parse(localStorage.getItem(key) ?? 'null') as T | null;
  } catch {
    return null;
  }
}

export function createOnlineFeature(host: OnlineFeatureHost): OnlineFeature {
  const client = host.client ?? new OnlineClient();
  let player = load<OnlinePlayer>(PLAYER_KEY);
  let pending: { replay: Replay; label: string } | null = null;
  const save = (p: OnlinePlayer | null): void => {
    player = p;
    if (p) localStorage.setItem(PLAYER_KEY, JSON.stringify(p));
    else localStorage.removeItem(PLAYER_KEY);
  };
  const needPlayer = (): OnlinePlayer => {
    if (!player) throw new Error('pick a display name first');
    return player;
  };

  async function submit(replay: Replay): Promise<string> {
    const p = needPlayer();
    let modelHash: string | undefined;
    const modelId = replay.driver.modelId;
    if (modelId && host.exportModel) {
      // The model goes with its lap, so anyone can download it and drive it; stored once by hash.
      const zip = await host.exportModel(modelId).catch(() => null);
      if (zip) modelHash = (await client.uploadModel(p.token, zip)).hash;
      else host.notify('The model behind this lap is no longer saved here: the lap is submitted without it.', 'warn');
    }
    const r = await client.submitLap(p.token, JSON.stringify(replay), modelHash);
    const time = formatLapTime(replay.claim.ticks / TICK_HZ);
    return r.improved ? `Submitted ${time}: verified by the server, world rank ${r.rank}.` : `Verified, but your best on this board is faster: it stays at rank ${r.rank}.`;
  }

  const offLap = host.session.onLap((e: LapEvent) => {
    if (e.replay.car !== 'default') return;
    pending = { replay: e.replay, label: `${e.driver} ${formatLapTime(e.lap.ticks / TICK_HZ)}` };
    if (player && load<boolean>(AUTO_KEY)) {
      void submit(e.replay).then((m) => host.notify(m, 'ok'), (err) => host.notify(`Online: ${(err as Error).message}`, 'warn'));
    }
    if (!host.container.hidden) void board.refresh();
  });

  const board = createOnlineBoard(host.container, {
    status: () => client.offlineReason(),
    player: () => player,
    async join(name) {
      save(await client.join(name));
    },
    async rename(name) {
      const p = needPlayer();
      const r = await client.rename(p.token, name);
      save({ ...p, name: r.name });
    },
    async rotateToken() {
      save(await client.rotateToken(needPlayer().token));
    },
    board: (trackId, cls, offset) => client.board<OnlineBoardPage>(trackId, cls, offset, 20, player?.token),
    pendingLap: () => pending?.label ?? null,
    async submitPending() {
      if (!pending) throw new Error('drive a lap first');
      return submit(pending.replay);
    },
    autoSubmit(on) {
      if (on !== undefined) localStorage.setItem(AUTO_KEY, JSON.stringify(on));
      return Boolean(load<boolean>(AUTO_KEY));
    },
    async raceGhost(lap) {
      const replay = JSON.parse(await client.replayText(lap.id)) as Replay;
      host.race(replay, `${lap.name} ${formatLapTime(lap.lapTicks / TICK_HZ)} (online)`);
    },
    replayText: (lap) => client.replayText(lap.id),
    async watchModel(lap) {
      if (!lap.modelHash) throw new Error('no model was uploaded with this lap');
      const [zip, text] = await Promise.all([client.modelZip(lap.modelHash), client.replayText(lap.id)]);
      if (!host.watchModel) {
        const file = `${(lap.modelName ?? lap.modelHash.slice(0, 12)).replace(/\W+/g, '_')}.deepsteer-model.zip`;
        downloadBytes(zip, file);
        return { text: `Saved ${file}: import it in the Training panel, then drive it on ${lap.trackId} in lockstep with Autopilot.`, reproduces: null };
      }
      host.notify(`Driving ${lap.name}'s lap with ${lap.modelName ?? 'its model'} in lockstep…`, 'info');
      const v = await host.watchModel(JSON.parse(text) as Replay, zip);
      return { text: `${v.modelName} on ${lap.trackId} (${v.backend}): ${v.summary}`, reproduces: v.reproduces };
    },
    tracks: host.tracks,
    currentTrack: () => host.session.track.id,
    notify: host.notify,
  });

  return {
    board,
    dispose() {
      offLap();
      board.dispose();
    },
  };
}
