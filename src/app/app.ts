// The composition root: builds the page, the renderer, the HUD and the input, the session and
// the main loop, and plugs the parts together. Wiring only: modes are in modes/, settings in
// settingsFeature.ts, key intents in intents.ts, per-frame figures in frameView.ts.

import { type ClipStore, openClipStore, openSettingsStore, type SettingsStore } from '../data/index.ts';
import { defaultTabLocks } from '../data/tabLocks.ts';
import { createHud, type Hud } from '../hud/createHud.ts';
import { hudView, type HudExtras } from '../hud/hudView.ts';
import { createHumanInput } from '../input/humanInput.ts';
import { trainerWasmThreads, WORKER_VERDICTS_KEY } from '../model/workerChoice.ts';
import { CAMERA_MODES, type CameraMode, interpolatePose, isThemeName, poseOfCar, type Renderer, THEME_NAMES, type ThemeName } from '../render/index.ts';
import { carSpeed } from '../sim/car.ts';
import { DT, TICK_HZ } from '../sim/constants.ts';
import { PRESET_NAMES, resolveTrack } from '../sim/tracks.ts';
import type { World } from '../sim/world.ts';
import { createDashPip } from '../ui/dashPip.ts';
import { createShell } from '../ui/shell.ts';
import type { App, AppOptions } from './appApi.ts';
import { trainingWorkersMode } from './appSettings.ts';
import { AutopilotController } from './autopilotController.ts';
import { workElsewhere } from './elsewhere.ts';
import { createFirstRunFeature } from './firstRunFeature.ts';
import { guideAutoRecordPlan } from './guideAutoRecord.ts';
import { backendBadge, DashCache, FpsMeter, raceGhostView } from './frameView.ts';
import { type IntentActions, performIntent } from './intents.ts';
import { createLapsFeature } from './lapsFeature.ts';
import { type Mode, parseLaunchParams } from './launchParams.ts';
import { createLibraryFeature } from './libraryFeature.ts';
import { createLoop } from './loop.ts';
import { createAppModes } from './modes/appModes.ts';
import { createOverlaysFeature } from './overlaysFeature.ts';
import { createScene, layoutView } from './sceneView.ts';
import { dashSceneOf } from './workerDash.ts';
import { Session } from './session.ts';
import { createSettingsFeature } from './settingsFeature.ts';
import { noticeTraining, TrainingController } from './trainingController.ts';
import { watchModelLap } from './watchModel.ts';
import { createTrainingFeature } from './trainingFeature.ts';
import { createDeleteJournal } from './undoableDelete.ts';

export const BACKEND_CHOICES = ['cpu', 'wasm', 'webgl', 'webgpu'] as const;
const DEFAULTS = { track: 'oval', theme: 'day', mode: 'drive' as Mode };

export type { App, AppOptions } from './appApi.ts';

export function startApp(root: HTMLElement, opts: AppOptions = {}): App {
  const { params, notices } = parseLaunchParams(location.search, {
    themes: THEME_NAMES,
    backends: BACKEND_CHOICES,
    defaults: DEFAULTS,
  });
  let theme: ThemeName = isThemeName(params.theme) ? params.theme : 'day';
  let camera: CameraMode = 'chase';
  let hudVisible = true;
  let pipVisible = true;

  const session = new Session({ track: resolveTrack(params.track), theme, now: () => new Date().toISOString() });

  const shell = createShell(
    root,
    {
      presets: PRESET_NAMES.map((id) => ({ id, name: resolveTrack(id).name })),
      themes: THEME_NAMES,
      cameras: CAMERA_MODES,
    },
    {
      mode: (m) => app.setMode(m),
      track: (id) => app.setTrack(id),
      randomTrack: () => app.setTrack(String(Math.floor(Math.random() * 1_000_000))),
      theme: (t) => {
        if (isThemeName(t)) app.setTheme(t);
      },
      camera: (c) => app.setCamera(c as CameraMode),
      panel: (p) => {
        shell.openPanel(p);
        if (p === 'library') {
          libraryFeature.refresh();
          void noteWorkElsewhere();
        }
        if (p === 'leaderboard') void lapsFeature.leaderboard.refresh();
      },
      help: () => firstRun.showHelp(),
    },
  );
  for (const n of notices) shell.notify(n, 'warn', 10_000);

  const renderer: Renderer | null = createScene(shell, session.track, theme);

  const hud: Hud = createHud({ container: shell.hudLayer, view: shell.viewport, track: session.track });
  const input = createHumanInput();
  const pip = createDashPip(shell.hudLayer);

  /** Dash frames are captured at the control rate (the recording default, 20 Hz). */
  const controlEvery = TICK_HZ / 20;
  const dashCache = new DashCache(() => (renderer ? (w) => renderer!.renderDash(poseOfCar(w.car)) : null));
  const dashFrameOf = (world: World): Uint8Array | null => dashCache.of(world);

  const fpsMeter = new FpsMeter(performance.now());

  const store: Promise<ClipStore | null> = openClipStore()
    .then(async (st) => {
      await st.sweepOrphans();
      return st;
    })
    .catch((e: Error) => {
      shell.notify(`Recording is unavailable: the browser refused storage (${e.message}).`, 'error');
      return null;
    });

  const tabLocks = defaultTabLocks();
  const settingsStore: Promise<SettingsStore | null> = openSettingsStore().catch(() => null);
  /** Deletions still undoable, written down so a tab closed within the window still deletes (undoableDelete.ts). */
  const deleteJournal = createDeleteJournal({ settings: settingsStore, locks: tabLocks });
  /** The player's settings; created before anything that reads them (the workers' backend getters run as soon as a panel lists models). */
  const settingsFeature = createSettingsFeature({
    container: shell.panelBody('settings'),
    store: settingsStore,
    targets: {
      setInput: (i) => input.setSettings(i),
      setPlayerName: (n) => (session.playerName = n),
      autopilot: () => autopilot,
      resumeLockstep: () => autopilotMode.resumeLockstep(),
      renderer: () => renderer,
      dashChanged: () => dashCache.invalidate(),
      mode: () => modes.mode,
      setMode: (m) => app.setMode(m),
      notify: (t, k) => shell.notify(t, k),
      trainingWorkersChanged: () => void settingsStore.then((st) => st?.remove(WORKER_VERDICTS_KEY)).catch(() => undefined),
    },
  });

  const autopilot = new AutopilotController({
    session,
    dashFrame: (w) => dashFrameOf(w),
    dashSize: () => ({ width: renderer?.dashWidth ?? 200, height: renderer?.dashHeight ?? 66 }),
    notify: (t, k) => shell.notify(t, k),
    store,
    theme: () => theme,
    now: () => Date.now(),
    backend: () => (params.backend as 'cpu' | 'wasm' | 'webgl' | 'webgpu' | undefined) ?? settingsFeature.current.backend,
    // Real time: the driving worker renders the model's frames itself and sends them back for the PiP.
    dashScene: () => (renderer ? dashSceneOf(renderer, session.track) : null),
    wantsWorkerFrames: () => pipVisible,
    showWorkerFrame: (f) => renderer && pip.show(f, renderer.dashWidth, renderer.dashHeight),
  });

  const training = new TrainingController(
    () => (params.backend as 'cpu' | 'wasm' | 'webgl' | 'webgpu' | undefined) ?? settingsFeature.current.backend,
    (reason) => shell.notify(`${reason}. Training stopped; its last checkpoint is kept, start it again to resume.`, 'error'),
    () => trainingWorkersMode(settingsFeature.current.trainingWorkers, navigator.hardwareConcurrency),
    trainerWasmThreads(navigator.hardwareConcurrency || 1),
  );
  noticeTraining(training, shell, () => void trainingPanel.refresh());

  // ---- Modes (modes/): each owns what it starts; one transition function ---------------------
  const { machine: modes, record: recordMode, autopilot: autopilotMode } = createAppModes({
    session,
    store,
    renderer: () => renderer,
    dashFrameOf,
    recordRateHz: () => settingsFeature.current.recordRateHz,
    theme: () => theme,
    autopilot,
    notify: (t, k, ms) => shell.notify(t, k, ms),
    showMode: (m) => shell.setMode(m),
    clearInput: () => input.clear(),
    humanSample: () => input.sample(DT, carSpeed(session.world.car)),
    paused: () => loop.paused,
    setPaused: (p) => setPaused(p),
    showTrainingPanel: (open) => {
      if (open) shell.openPanel('training');
      else if (shell.openPanelName === 'training') shell.openPanel(null);
    },
    prepareTraining: () => {
      void noteWorkElsewhere();
      void trainingPanel.refresh();
      void training.ensureWorker().then(() => trainingPanel.setBackend(training.status ?? { backend: null }));
    },
    ghostForTrack: () => {
      if (lapsFeature.ghost?.trackId !== session.track.id) void lapsFeature.loadGhost(null);
    },
    recordingSaved: () => {
      libraryFeature.refresh();
      firstRun.report('recording-saved');
    },
    engaged: (id) => firstRun.engaged(id),
    setMode: (m) => app.setMode(m),
  });
  // A closing or hidden tab flushes what is buffered, so nothing recorded is lost.
  const flushRecording = (): void => recordMode.flush();
  window.addEventListener('pagehide', flushRecording);
  document.addEventListener('visibilitychange', flushRecording);

  // ---- The Library and auto-record (libraryFeature.ts) ------------------------------------
  const libraryFeature = createLibraryFeature({
    store,
    shell,
    session,
    renderer: () => renderer,
    pip,
    theme: () => theme,
    paused: () => loop.paused,
    setPaused: (p) => setPaused(p),
    dashChanged: () => dashCache.invalidate(),
    saliency: (frame, width, height) => overlays.saliencyOf(frame, width, height),
    journal: deleteJournal,
    trainWhileRecording: (plan, onProgress, signal) => trainingPanel.trainWhileRecording(plan, onProgress, signal),
  });
  const runAutoRecord = libraryFeature.runAutoRecord;

  // ---- Laps, the leaderboard and ghosts (lapsFeature.ts) -------------------------------
  const lapsFeature = createLapsFeature({
    session,
    shell,
    mode: () => modes.mode,
    setMode: (m) => app.setMode(m),
    setTrack: (id) => app.setTrack(id),
    autopilotModel: () => autopilot.model,
    autopilotOptions: () => autopilot.autopilot.opts,
    exportModel: (id) => training.exportModel(id),
    watchModel: (replay, zip) => watchModelLap(app, replay, zip),
  });

  // ---- The Training panel (trainingFeature.ts) ---------------------------------------------
  const trainingPanel = createTrainingFeature({
    store,
    settingsStore,
    shell,
    training,
    autopilot,
    mode: () => modes.mode,
    setMode: (m) => app.setMode(m),
    setBackend: (b) => app.updateSetting('backend', b),
    runAutoRecord,
    onTrained: (_id, check) => firstRun.trained(check),
    journal: deleteJournal,
  });

  // ---- The guided first run, touch controls and help (firstRunFeature.ts) ------------------
  const firstRun = createFirstRunFeature({
    shell,
    clipIds: async () => new Set(((await (await store)?.list()) ?? []).map((c) => c.id)),
    input,
    autopilot,
    setMode: (m) => app.setMode(m),
    paused: () => loop.paused,
    setPaused: (p) => setPaused(p),
    settings: () => settingsFeature.current,
    hiddenModel: (id) => trainingPanel.models.isHidden(id),
    autoRecord: (onProgress) => runAutoRecord(guideAutoRecordPlan({
      trackId: session.track.id, theme, frame: { width: renderer?.dashWidth ?? 200, height: renderer?.dashHeight ?? 66 }, rateHz: settingsFeature.current.recordRateHz, seed: Date.now() % 100_000,
    }), onProgress),
  });

  // ---- Model overlays: saliency, layer views, gates (overlaysFeature.ts) ------------------
  const overlays = createOverlaysFeature({ parent: shell.hudLayer, autopilot, training, panelOpen: () => shell.openPanelName !== null });

  const extras = (): HudExtras => {
    const ap = autopilot.hudInfo();
    return {
      fps: fpsMeter.fps,
      recording: recordMode.recording ? { elapsedS: recordMode.recording.elapsedS, frames: recordMode.recording.frames, bytes: recordMode.recording.bytes } : null,
      autopilot: ap,
      referenceLap: lapsFeature.referenceFor(session.track.id),
      ghosts: ghostPose ? [{ x: ghostPose.x, y: ghostPose.y, heading: ghostPose.heading }] : [],
      ghostGapS,
      modelSteer: autopilot.isEngaged ? (autopilot.autopilot.latest?.steering ?? null) : null,
      ...(autopilot.isEngaged ? { humanSteer: lastHumanSteer } : {}),
    };
  };
  let lastHumanSteer = 0;
  let ghostPose: ReturnType<typeof poseOfCar> | null = null;
  /** Live gap to the race ghost, s (+ behind), while a lap is under way. */
  let ghostGapS: number | null = null;

  const loop = createLoop({
    // Real-time autopilot: the step after a control tick waits (briefly) for that tick's prediction.
    gate: () => autopilot.gate(),
    tick() {
      const sample = input.sample(DT, carSpeed(session.world.car));
      lastHumanSteer = sample.controls.steer;
      modes.tick(sample);
      if (session.world.tick % controlEvery === 0 && pipVisible && !autopilot.framesFromWorker) {
        const f = dashFrameOf(session.world);
        if (f && renderer) pip.show(f, renderer.dashWidth, renderer.dashHeight);
      }
    },
    frame(alpha) {
      for (const intent of input.poll()) performIntent(intent, intentActions);
      if (fpsMeter.frame(performance.now())) updateBackendBadge();
      const pose = interpolatePose(poseOfCar(session.prev.car), poseOfCar(session.world.car), alpha);
      ({ pose: ghostPose, gapS: ghostGapS } = raceGhostView({ world: session.world, trackId: session.track.id, mode: modes.mode, ghostsOn: settingsFeature.current.ghosts, ghost: lapsFeature.ghost }));
      // While auto-recording, the dash camera has the GPU to itself (the PiP shows its frames).
      if (!libraryFeature.autoRecording) renderer?.render({ car: pose, camera, dash: 'off', ghosts: ghostPose ? [ghostPose] : [] });
      if (hudVisible) hud.update(hudView(session.world, extras()));
    },
  });

  const intentActions: IntentActions = {
    mode: () => modes.mode,
    setMode: (m) => app.setMode(m),
    paused: () => loop.paused,
    setPaused: (p) => setPaused(p),
    reset: () => session.requestReset(),
    cycleCamera: () => app.setCamera(CAMERA_MODES[(CAMERA_MODES.indexOf(camera) + 1) % CAMERA_MODES.length]),
    toggleHud: () => {
      hudVisible = !hudVisible;
      pipVisible = hudVisible;
      hud.setVisible(hudVisible);
      pip.setVisible(pipVisible);
    },
    toggleFullscreen: () => {
      if (document.fullscreenElement) void document.exitFullscreen();
      else void root.requestFullscreen?.().catch(() => shell.notify('Full screen is not allowed here.', 'warn'));
    },
    help: () => firstRun.showHelp(),
    ghosts: () => settingsFeature.current.ghosts,
    setGhosts: (on) => app.updateSetting('ghosts', on),
    toggleOverlay: (k) => overlays.toggle(k),
  };

  function setPaused(p: boolean): void {
    loop.setPaused(p);
    shell.showPaused(p);
    if (p) input.clear();
  }

  const resize = (): void => {
    const r = shell.viewport.getBoundingClientRect();
    const area = { width: shell.hudLayer.clientWidth, height: shell.hudLayer.clientHeight };
    layoutView(r.width, r.height, { renderer, hud, pip, overlays }, area);
    loop.redraw();
  };
  const observer = new ResizeObserver(resize);
  observer.observe(shell.viewport);
  observer.observe(shell.hudLayer); // it shrinks while the touch controls show
  resize();

  /** Tells the player what other tabs are recording, importing or training (Web Locks). */
  async function noteWorkElsewhere(): Promise<void> {
    const text = await workElsewhere({ store: await store, locks: tabLocks, trainingHere: training.running }).catch(() => null);
    if (text) shell.notify(text, 'info', 6000);
  }

  /** The active ML backends, always visible in the top bar. */
  function updateBackendBadge(): void {
    const b = backendBadge(autopilot.status, training.status);
    if (b) shell.setBadge(b.text, b.title);
  }

  const app: App = {
    session,
    shell,
    loop,
    get renderer() {
      return renderer;
    },
    input,
    get mode() {
      return modes.mode;
    },
    get fps() {
      return fpsMeter.fps;
    },
    store,
    get recording() {
      return recordMode.recording;
    },
    dashFrameOf,
    autopilot,
    get settings() {
      return settingsFeature.current;
    },
    training,
    runAutoRecord,
    laps: lapsFeature.laps,
    get ghost() {
      return lapsFeature.ghost;
    },
    updateSetting(key, value) {
      settingsFeature.update(key, value);
    },
    setMode(m) {
      void modes.transition(m);
    },
    setTrack(id) {
      let track;
      try {
        track = resolveTrack(id.trim().toLowerCase());
      } catch (e) {
        shell.notify((e as Error).message, 'warn');
        shell.setTrack(session.track.id);
        return;
      }
      void recordMode.trackChanged(); // the new track's recording starts when the car moves
      session.restart(track);
      lapsFeature.trackChanged(track.id);
      void autopilot.worker?.api.resetPredictor();
      renderer?.setTrack(track);
      hud.setTrack(track);
      shell.setTrack(track.id);
      loop.redraw();
      history.replaceState(null, '', `?track=${encodeURIComponent(track.id)}&theme=${theme}&mode=${modes.mode}`);
    },
    setTheme(t) {
      theme = t;
      session.theme = t;
      renderer?.setTheme(t);
      shell.setTheme(t);
      loop.redraw();
    },
    setCamera(c) {
      camera = c;
      loop.redraw();
      shell.setCamera(c);
    },
    dispose() {
      loop.stop();
      autopilot.dispose();
      training.dispose();
      libraryFeature.dispose();
      trainingPanel.dispose();
      overlays.dispose();
      settingsFeature.dispose();
      lapsFeature.dispose();
      firstRun.dispose();
      void modes.dispose();
      window.removeEventListener('pagehide', flushRecording);
      document.removeEventListener('visibilitychange', flushRecording);
      void store.then((st) => st?.close());
      observer.disconnect();
      input.dispose();
      hud.dispose();
      pip.dispose();
      renderer?.dispose();
      shell.dispose();
    },
  };

  shell.setTrack(session.track.id);
  shell.setTheme(theme);
  shell.setCamera(camera);
  settingsFeature.start();
  app.setMode(params.mode);
  loop.start();
  // Start the driving worker once the page has settled, so the backend shows and Autopilot starts fast.
  setTimeout(() => void autopilot.ensureWorker().then(updateBackendBadge).catch(() => {}), 1500);
  if (opts.testHook) void import('./testHook.ts').then((m) => m.installTestHook(app));
  return app;
}
