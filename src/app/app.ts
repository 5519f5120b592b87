// The composition root: builds the page, the renderer, the HUD and the input, owns the session
// and the main loop, and switches modes. Everything else is a part it plugs together.

import { CENTER_CAMERA, type ClipStore, type LapStore, openClipStore, openSettingsStore, type SettingsStore } from '../data/index.ts';
import { createHud, type Hud } from '../hud/createHud.ts';
import { hudView, type HudExtras } from '../hud/hudView.ts';
import { hudLayout } from '../hud/layout.ts';
import { createHumanInput, type HumanInput } from '../input/humanInput.ts';
import {
  CAMERA_MODES,
  type CameraMode,
  createRenderer,
  interpolatePose,
  isThemeName,
  NoWebGLError,
  poseOfCar,
  type Renderer,
  THEME_NAMES,
  type ThemeName,
} from '../render/index.ts';
import { carSpeed } from '../sim/car.ts';
import { DT, TICK_HZ } from '../sim/constants.ts';
import { PRESET_NAMES, resolveTrack } from '../sim/tracks.ts';
import type { World } from '../sim/world.ts';
import { createDashPip } from '../ui/dashPip.ts';
import { createSettingsPanel } from '../ui/settingsPanel.ts';
import { createShell, type ModeName, type Shell } from '../ui/shell.ts';
import { type AppSettings, appSettingsSchema, DEFAULT_SETTINGS, dashSizeOf, flattenSettings, SETTINGS_FORM, withSetting } from './appSettings.ts';
import type { AutoRecordPlan, AutoRecordProgress, AutoRecordResult, Learner } from './autoRecord.ts';
import { AutopilotController } from './autopilotController.ts';
import { defaultTabLocks } from '../data/tabLocks.ts';
import { workElsewhere } from './elsewhere.ts';
import { createFirstRunFeature } from './firstRunFeature.ts';
import { backendBadge, FpsMeter, raceGhostView } from './frameView.ts';
import { type IntentActions, performIntent } from './intents.ts';
import type { Ghost } from './ghost.ts';
import { createLapsFeature } from './lapsFeature.ts';
import { createLibraryFeature } from './libraryFeature.ts';
import { type Mode, parseLaunchParams } from './launchParams.ts';
import { createLoop, type Loop } from './loop.ts';
import { createOverlaysFeature } from './overlaysFeature.ts';
import { type ActiveRecording, startRecording } from './recorder.ts';
import { createAutopilotMode } from './modes/autopilotMode.ts';
import { workerModelShelf } from './modes/autopilotModels.ts';
import { ModeMachine } from './modes/mode.ts';
import { createRecordMode } from './modes/recordMode.ts';
import { createDriveMode, createRaceMode, createTrainMode } from './modes/simpleModes.ts';
import { Session } from './session.ts';
import { TrainingController } from './trainingController.ts';
import { watchModelLap } from './watchModel.ts';
import { createTrainingFeature } from './trainingFeature.ts';

export const BACKEND_CHOICES = ['cpu', 'wasm', 'webgl', 'webgpu'] as const;
const SETTINGS_KEY = 'app-settings';
const DEFAULTS = { track: 'oval', theme: 'day', mode: 'drive' as Mode };

export interface AppOptions {
  /** Install window.__deepsteer (e2e and bench builds). */
  testHook?: boolean;
}

/** What the app exposes to its own parts and to the test hook. */
export interface App {
  readonly session: Session;
  readonly shell: Shell;
  readonly loop: Loop;
  readonly renderer: Renderer | null;
  readonly input: HumanInput;
  readonly mode: ModeName;
  readonly fps: number;
  /** The clip library (opens asynchronously; resolves to null if IndexedDB is unavailable). */
  readonly store: Promise<ClipStore | null>;
  readonly recording: ActiveRecording | null;
  readonly autopilot: AutopilotController;
  readonly settings: AppSettings;
  readonly training: TrainingController;
  readonly laps: Promise<LapStore | null>;
  readonly ghost: Ghost | null;
  /** Records with the expert, pausing the game meanwhile (the Library's auto-record). */
  runAutoRecord(plan: AutoRecordPlan, onProgress?: (p: AutoRecordProgress) => void, signal?: AbortSignal, learner?: Learner): Promise<AutoRecordResult>;
  updateSetting(key: string, value: number | string | boolean): void;
  /** Renders the dash camera for a world (its exact tick), shared by recorder, autopilot and PiP. */
  dashFrameOf(world: World): Uint8Array | null;
  setMode(m: ModeName): void;
  setTrack(id: string): void;
  setTheme(t: ThemeName): void;
  setCamera(c: CameraMode): void;
  dispose(): void;
}

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

  const canvas = document.createElement('canvas');
  canvas.className = 'ds-scene';
  canvas.setAttribute('data-testid', 'scene');
  shell.viewport.prepend(canvas);

  let renderer: Renderer | null = null;
  try {
    renderer = createRenderer({
      canvas,
      track: session.track,
      theme,
      onContextLost: () => shell.notify('The graphics device was lost: the view is paused until the browser restores it.', 'warn'),
      onContextRestored: () => shell.notify('Graphics restored.', 'ok'),
    });
  } catch (e) {
    if (e instanceof NoWebGLError) shell.showFatal('This browser cannot draw the road', e.message);
    else shell.showFatal('The 3D view failed to start', (e as Error).message);
  }

  const hud: Hud = createHud({ container: shell.hudLayer, track: session.track });
  const input = createHumanInput();
  const pip = createDashPip(shell.hudLayer);

  /** Dash frames are captured at the control rate (the recording default, 20 Hz). */
  const controlEvery = TICK_HZ / 20;
  let dashTick = -1;
  let dashFrame: Uint8Array | null = null;
  /** The dash camera's frame of `world`'s tick, rendered once per tick whoever asks. */
  function dashFrameOf(world: World): Uint8Array | null {
    if (!renderer) return null;
    if (dashTick !== world.tick || !dashFrame) {
      dashFrame = renderer.renderDash(poseOfCar(world.car));
      dashTick = world.tick;
    }
    return dashFrame;
  }

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
  /** The player's settings; declared before anything that reads them (the workers' backend getters run as soon as a panel lists models). */
  let settings: AppSettings = DEFAULT_SETTINGS;


  const autopilot = new AutopilotController({
    session,
    dashFrame: (w) => dashFrameOf(w),
    dashSize: () => ({ width: renderer?.dashWidth ?? 200, height: renderer?.dashHeight ?? 66 }),
    notify: (t, k) => shell.notify(t, k),
    store,
    theme: () => theme,
    now: () => Date.now(),
    backend: () => (params.backend as 'cpu' | 'wasm' | 'webgl' | 'webgpu' | undefined) ?? settings.backend,
  });

  const training = new TrainingController(
    () => (params.backend as 'cpu' | 'wasm' | 'webgl' | 'webgpu' | undefined) ?? settings.backend,
    (reason) => shell.notify(`${reason}. Training stopped; its last checkpoint is kept, start it again to resume.`, 'error'),
  );
  training.onEvent((e) => {
    if ((e.kind === 'backend' && /failed/.test(e.reason)) || e.kind === 'storage') shell.notify(`Training: ${e.reason}.`, 'warn');
  });
  training.onHeldSaved = () => {
    shell.notify('The trained model kept in memory is saved now that there is room.', 'ok');
    void trainingPanel.refresh();
  };

  // ---- Modes (modes/): each owns what it starts; one transition function ---------------------
  const recordMode = createRecordMode({
    session,
    open: async (world, onStopped) => {
      const st = await store;
      if (!st || !renderer) return null;
      void st.requestPersistence();
      const r = renderer;
      return startRecording(world, {
        store: st,
        render: (w) => dashFrameOf(w) ?? new Uint8Array(r.dashWidth * r.dashHeight * 3),
        rateHz: settings.recordRateHz,
        frameWidth: r.dashWidth,
        frameHeight: r.dashHeight,
        cameras: [CENTER_CAMERA],
        name: `Drive on ${session.track.name}, ${theme}`,
        theme,
        now: () => Date.now(),
        onStopped,
      });
    },
    notify: (t, k, ms) => shell.notify(t, k, ms),
    saved: () => {
      libraryFeature.refresh();
      firstRun.report('recording-saved');
    },
    stopped: () => app.setMode('drive'),
  });
  // A closing or hidden tab flushes what is buffered, so nothing recorded is lost.
  const flushRecording = (): void => recordMode.flush();
  window.addEventListener('pagehide', flushRecording);
  document.addEventListener('visibilitychange', flushRecording);
  const autopilotMode = createAutopilotMode({
    session,
    autopilot,
    models: workerModelShelf(autopilot),
    notify: (t, k) => shell.notify(t, k),
    humanSample: () => input.sample(DT, carSpeed(session.world.car)),
    paused: () => loop.paused,
    engaged: (id) => firstRun.engaged(id),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    now: () => performance.now(),
    controlPeriodMs: () => (autopilot.autopilot.every * 1000) / TICK_HZ,
  });
  const modes = new ModeMachine(
    { session, showMode: (m) => shell.setMode(m), clearInput: () => input.clear(), notify: (t, k) => shell.notify(t, k) },
    {
      drive: createDriveMode(),
      record: recordMode,
      train: createTrainMode({
        paused: () => loop.paused,
        setPaused: (p) => setPaused(p),
        showPanel: (open) => {
          if (open) shell.openPanel('training');
          else if (shell.openPanelName === 'training') shell.openPanel(null);
        },
        prepareTraining: () => {
          void noteWorkElsewhere();
          void trainingPanel.refresh();
          void training.ensureWorker().then(() => trainingPanel.setBackend(training.status ?? { backend: null }));
        },
      }),
      autopilot: autopilotMode,
      race: createRaceMode({
        session,
        ghostForTrack: () => {
          if (lapsFeature.ghost?.trackId !== session.track.id) void lapsFeature.loadGhost(null);
        },
      }),
    },
  );

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
    dashChanged: () => {
      dashTick = -1;
    },
    saliency: (frame, width, height) => overlays.saliencyOf(frame, width, height),
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
    governor: () => autopilot.autopilot.opts.governor,
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
    runAutoRecord: (plan, _p, _s, learner) => runAutoRecord(plan, undefined, undefined, learner),
    onTrained: () => firstRun.report('model-trained'),
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
  });

  // ---- Model overlays: saliency, layer views, gates (overlaysFeature.ts) ------------------
  const overlays = createOverlaysFeature({ parent: shell.hudLayer, autopilot, training, panelOpen: () => shell.openPanelName !== null });

  const settingsPanel = createSettingsPanel(shell.panelBody('settings'), SETTINGS_FORM, (key, value) => app.updateSetting(key, value));
  let saveTimer: ReturnType<typeof setTimeout> | undefined;

  function applySettings(next: AppSettings, prev: AppSettings | null): void {
    settings = next;
    input.setSettings(next.input);
    session.playerName = next.playerName;
    autopilot.recordTakeovers = next.recordTakeovers;
    autopilot.autopilot.opts = { ...autopilot.autopilot.opts, timing: next.autopilotTiming, throttle: next.throttleSource, governor: next.speedGovernor };
    autopilotMode.resumeLockstep();
    if (!prev || next.dashSize !== prev.dashSize) {
      const d = dashSizeOf(next.dashSize);
      if (renderer && (renderer.dashWidth !== d.width || renderer.dashHeight !== d.height)) {
        renderer.setDashSize(d.width, d.height);
        dashFrame = null;
        dashTick = -1;
        if (autopilot.model) {
          const id = autopilot.model.id;
          autopilot.model = null;
          if (modes.mode === 'autopilot') app.setMode('drive');
          void autopilot.loadModel(id).catch((e: Error) => shell.notify(e.message, 'warn'));
        }
      }
    }
    if (prev && next.backend !== prev.backend) {
      autopilot.dispose();
      autopilot.model = null;
      if (modes.mode === 'autopilot') app.setMode('drive');
      shell.notify(`ML backend: ${next.backend === 'auto' ? 'the fastest measured' : next.backend}. The model will reload on the next drive.`, 'info');
    }
    settingsPanel.setValues(flattenSettings(next));
  }

  void settingsStore.then(async (st) => {
    if (!st) return;
    const loaded = (await st.get(SETTINGS_KEY, appSettingsSchema, DEFAULT_SETTINGS).catch(() => DEFAULT_SETTINGS)) as AppSettings;
    applySettings(loaded, settings);
  });
  applySettings(settings, null);


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
    tick() {
      const sample = input.sample(DT, carSpeed(session.world.car));
      lastHumanSteer = sample.controls.steer;
      modes.tick(sample);
      if (session.world.tick % controlEvery === 0 && pipVisible) {
        const f = dashFrameOf(session.world);
        if (f && renderer) pip.show(f, renderer.dashWidth, renderer.dashHeight);
      }
    },
    frame(alpha) {
      for (const intent of input.poll()) performIntent(intent, intentActions);
      if (fpsMeter.frame(performance.now())) updateBackendBadge();
      const pose = interpolatePose(poseOfCar(session.prev.car), poseOfCar(session.world.car), alpha);
      ({ pose: ghostPose, gapS: ghostGapS } = raceGhostView({ world: session.world, trackId: session.track.id, mode: modes.mode, ghostsOn: settings.ghosts, ghost: lapsFeature.ghost }));
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
    ghosts: () => settings.ghosts,
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
    renderer?.resize(r.width, r.height);
    hud.resize();
    // The dash picture sits under the minimap, clear of the road ahead.
    const l = hudLayout(r.width, r.height);
    pip.place(l.minimapBox.x, l.minimapBox.y + l.minimapBox.h + 8 * l.unit, l.minimapBox.w);
    const dashAspect = (renderer?.dashHeight ?? 66) / (renderer?.dashWidth ?? 200);
    overlays.place(l, { x: l.minimapBox.x, y: l.minimapBox.y + l.minimapBox.h + 8 * l.unit, width: l.minimapBox.w, height: l.minimapBox.w * dashAspect });
  };
  const observer = new ResizeObserver(resize);
  observer.observe(shell.viewport);
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
      return settings;
    },
    training,
    runAutoRecord,
    laps: lapsFeature.laps,
    get ghost() {
      return lapsFeature.ghost;
    },
    updateSetting(key, value) {
      const next = withSetting(settings, key, value);
      applySettings(next, settings);
      clearTimeout(saveTimer);
      saveTimer = setTimeout(() => {
        void settingsStore.then((st) => st?.put(SETTINGS_KEY, next)).catch((e: Error) => shell.notify(`Settings not saved: ${e.message}`, 'warn'));
      }, 300);
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
      history.replaceState(null, '', `?track=${encodeURIComponent(track.id)}&theme=${theme}&mode=${modes.mode}`);
    },
    setTheme(t) {
      theme = t;
      session.theme = t;
      renderer?.setTheme(t);
      shell.setTheme(t);
    },
    setCamera(c) {
      camera = c;
      shell.setCamera(c);
    },
    dispose() {
      loop.stop();
      autopilot.dispose();
      training.dispose();
      libraryFeature.dispose();
      trainingPanel.dispose();
      overlays.dispose();
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
  app.setMode(params.mode);
  loop.start();
  // Start the driving worker once the page has settled, so the backend shows and Autopilot starts fast.
  setTimeout(() => void autopilot.ensureWorker().then(updateBackendBadge).catch(() => {}), 1500);
  if (opts.testHook) void import('./testHook.ts').then((m) => m.installTestHook(app));
  return app;
}
