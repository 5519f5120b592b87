// The Library panel and auto-record: the expert records over chosen tracks and themes while
// the game pauses, the dash camera borrowed from the view (and given back as it was), its
// frames shown in the picture-in-picture as they are captured.

import { createRng } from '../core/rng.ts';
import { browserImageCodec, type ClipStore } from '../data/index.ts';
import { isThemeName, poseOfCar, type Renderer, THEME_NAMES, type ThemeName } from '../render/index.ts';
import { PRESET_NAMES, resolveTrack } from '../sim/tracks.ts';
import type { DashPip } from '../ui/dashPip.ts';
import { type AutoRecordRequest, createLibraryPanel, type LibraryPanel, type LibraryPanelOptions, sideCameraSpecs } from '../ui/library/libraryPanel.ts';
import type { Shell } from '../ui/shell.ts';
import { autoRecord, type AutoRecordDeps, type AutoRecordPlan, type AutoRecordProgress, type AutoRecordResult, type Learner } from './autoRecord.ts';
import { createLibraryCommands, type LibraryCommandLayer } from './libraryCommands.ts';
import type { Session } from './session.ts';
import type { DeleteJournal } from './undoableDelete.ts';

export interface LibraryFeatureHost {
  store: Promise<ClipStore | null>;
  shell: Shell;
  session: Session;
  renderer(): Renderer | null;
  pip: DashPip;
  theme(): ThemeName;
  paused(): boolean;
  setPaused(paused: boolean): void;
  /** The dash camera was used for something else: cached frames are stale. */
  dashChanged(): void;
  /** Saliency of a recorded frame by the driving model (overlaysFeature.ts), for playback. */
  saliency?: LibraryPanelOptions['saliency'];
  /** Where pending deletions are written down, so a tab closed within the undo window still deletes. */
  journal?: DeleteJournal | null;
  /** Records and trains at once (the form's "Train while recording"; trainingFeature.ts): resolves when recording ends. */
  trainWhileRecording?(plan: AutoRecordPlan, onProgress: (p: AutoRecordProgress) => void, signal: AbortSignal): Promise<AutoRecordResult>;
}

export interface LibraryFeature {
  /** Records with the expert, pausing the game meanwhile. */
  /** With a learner: a DAgger rollout (the model steers, the expert labels). `onClipStarted`: AutoRecordDeps'. */
  runAutoRecord(plan: AutoRecordPlan, onProgress?: (p: AutoRecordProgress) => void, signal?: AbortSignal, learner?: Learner, onClipStarted?: AutoRecordDeps['onClipStarted']): Promise<AutoRecordResult>;
  readonly autoRecording: boolean;
  /** Re-reads the clip list (after anything recorded or deleted clips). */
  refresh(): void;
  dispose(): void;
}

/** The Library's auto-record request as a plan for the engine (random tracks drawn from its seed). */
export function planOf(req: AutoRecordRequest, currentTrackId: string): AutoRecordPlan {
  const rng = createRng(`auto-record:${req.seed}`);
  const trackIds = req.tracks.kind === 'current'
    ? [currentTrackId]
    : req.tracks.kind === 'list'
      ? [...req.tracks.ids]
      : Array.from({ length: req.tracks.count }, () => String(rng.int(0, 999_999)));
  return {
    minutes: req.minutes,
    trackIds,
    themes: req.themes,
    steerNoise: req.steerNoiseG,
    weaveRate: req.weaveRatePerS,
    speedNoise: req.speedNoise ?? 0,
    cameras: sideCameraSpecs(req),
    rateHz: req.rateHz,
    frameWidth: req.frameWidth,
    frameHeight: req.frameHeight,
    seed: req.seed,
    // Absent in the request: the engine's default ('standing').
    ...(req.start ? { start: req.start } : {}),
  };
}

export function createLibraryFeature(host: LibraryFeatureHost): LibraryFeature {
  const { store, shell, session, pip } = host;
  let autoRecording = false;
  let library: LibraryPanel | null = null;
  let abort: AbortController | null = null;
  let commands: LibraryCommandLayer | null = null;

  async function runAutoRecord(plan: AutoRecordPlan, onProgress?: (p: AutoRecordProgress) => void, signal?: AbortSignal, learner?: Learner, onClipStarted?: AutoRecordDeps['onClipStarted']): Promise<AutoRecordResult> {
    const st = await store;
    const r = host.renderer();
    if (!st || !r) throw new Error('recording needs storage and the 3D view');
    if (autoRecording) throw new Error('an auto-record is already running');
    autoRecording = true;
    const wasPaused = host.paused();
    host.setPaused(true);
    const viewTrack = session.track;
    const viewTheme = host.theme();
    const d = { width: plan.frameWidth, height: plan.frameHeight };
    const before = { width: r.dashWidth, height: r.dashHeight };
    if (d.width !== before.width || d.height !== before.height) r.setDashSize(d.width, d.height);
    try {
      return await autoRecord(plan, {
        store: st,
        prepare: (trackId, th) => {
          r.setTrack(resolveTrack(trackId));
          if (isThemeName(th)) r.setTheme(th);
        },
        render: (w, cam) => r.renderDash(poseOfCar(w.car), { lateralM: cam.lateralM, yawRad: cam.yawRad }) ?? new Uint8Array(d.width * d.height * 3),
        renderViews: (w, cams, outs) => r.renderDashViews(poseOfCar(w.car), cams, outs),
        onFrame: (w, last) => {
          const f = last ?? r.renderDash(poseOfCar(w.car));
          if (f) pip.show(f, r.dashWidth, r.dashHeight);
        },
        now: () => Date.now(),
        onProgress: (p) => onProgress?.(p),
        ...(signal ? { signal } : {}),
        ...(learner ? { learner } : {}),
        ...(onClipStarted ? { onClipStarted } : {}),
      });
    } finally {
      if (d.width !== before.width || d.height !== before.height) r.setDashSize(before.width, before.height);
      r.setTrack(viewTrack);
      r.setTheme(viewTheme);
      host.dashChanged();
      autoRecording = false;
      host.setPaused(wasPaused);
      void library?.refresh();
    }
  }

  void store.then(async (st) => {
    if (!st) return;
    const codec = browserImageCodec();
    commands = createLibraryCommands({
      store: st,
      codec,
      notify: (t, k, ms, action) => shell.notify(t, k, ms, action),
      changed: () => void library?.refresh(),
      journal: host.journal ?? null,
    });
    // Deletions a closed tab left within their undo window, finished before the list is first shown.
    await commands.finishOrphans();
    library = createLibraryPanel({
      container: shell.panelBody('library'),
      store: st,
      commands,
      codec,
      notify: (t, k) => shell.notify(t, k),
      now: () => Date.now(),
      presets: PRESET_NAMES.map((id) => ({ id, name: resolveTrack(id).name })),
      themes: THEME_NAMES,
      ...(host.saliency ? { saliency: host.saliency } : {}),
      onAutoRecord: async (req) => {
        abort = new AbortController();
        try {
          const plan = planOf(req, session.track.id);
          const progress = (p: AutoRecordProgress): void => library?.setAutoRecordProgress(p);
          const r = req.trainWhileRecording && host.trainWhileRecording
            ? await host.trainWhileRecording(plan, progress, abort.signal)
            : await runAutoRecord(plan, progress, abort.signal);
          const frames = r.clips.reduce((n, c) => n + c.frameCount, 0);
          if (r.error) shell.notify(r.error.message, 'error');
          else shell.notify(`${r.cancelled ? 'Cancelled: kept' : 'Recorded'} ${r.clips.length} clip${r.clips.length === 1 ? '' : 's'}, ${frames} frames.`, 'ok');
        } finally {
          abort = null;
          library?.setAutoRecordProgress(null);
          await library?.refresh();
        }
      },
      onCancelAutoRecord: () => abort?.abort(),
    });
  });

  return {
    runAutoRecord,
    get autoRecording() {
      return autoRecording;
    },
    refresh() {
      void library?.refresh();
    },
    dispose() {
      void commands?.flush();
      abort?.abort();
      library?.dispose();
    },
  };
}
