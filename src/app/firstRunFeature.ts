// The first run's wiring: the guide card (src/ui/guide.ts) and what its buttons do, the touch
// controls (src/input/touch.ts) shown on touch screens, the help overlay, which pauses the
// game while it is open and offers the guide again, and the HUD's model switch (modelSwitch.ts).
// The guide's "Let the expert record" runs one auto-record (guideAutoRecord.ts's plan) and, once
// its clips are saved, moves the guide on as a saved recording does.

import type { HumanInput } from '../input/humanInput.ts';
import { KEY_MAP } from '../input/keymap.ts';
import { createTouchControls, hasTouchScreen, type TouchControls } from '../input/touch.ts';
import { el } from '../ui/dom.ts';
import { createGuide, type Guide, type GuideEvent, guideVerdictSentence, type TrainedCheck, trainedEvent } from '../ui/guide.ts';
import type { ModeName, Shell } from '../ui/shell.ts';
import { HUD_MODEL_SLOT_TESTID } from '../hud/hudText.ts';
import type { AutopilotController } from './autopilotController.ts';
import { createModelSwitch } from './modelSwitch.ts';
import { watchPanelPause } from './panelPause.ts';

export interface FirstRunHost {
  shell: Shell;
  /** Ids of the clips in the player's library (a model trained on any of them is the player's own). */
  clipIds(): Promise<ReadonlySet<string>>;
  input: HumanInput;
  autopilot: AutopilotController;
  setMode(m: ModeName): void;
  paused(): boolean;
  setPaused(p: boolean): void;
  /** The player's setting: side panels pause the game (default on while not passed). */
  settings?(): { pausePanels: boolean };
  /** A model deleted and still undoable (src/app/modelCommands.ts): left out of the HUD's switch. */
  hiddenModel?(id: string): boolean;
  /** The guide's one-click auto-record (guideAutoRecord.ts): clips saved, or why none were. */
  autoRecord?(onProgress: (p: { fraction: number }) => void): Promise<{ clips: readonly { frameCount: number }[]; error?: Error | null }>;
}

export interface FirstRun {
  readonly guide: Guide;
  readonly touch: TouchControls;
  /** Something the player did (the guide may move on). */
  report(e: GuideEvent): void;
  /**
   * A training run saved a model: the guide moves on to "Your model drives" only if it beats
   * driving straight on held-out clips, else it says what to do (guide.ts `trainedEvent`); the
   * card says how the starter alone and the player's model did (guide.ts `guideVerdictSentence`).
   */
  trained(check: TrainedCheck): void;
  /** The autopilot engaged with this model (the starter or the player's own). */
  engaged(modelId: string): void;
  /** Opens help, paused while it shows. */
  showHelp(): void;
  dispose(): void;
}

/** A model is the player's own when it was trained on at least one clip of their library. */
export function isOwnModel(model: { clipIds: readonly string[] }, libraryClipIds: ReadonlySet<string>): boolean {
  return model.clipIds.some((id) => libraryClipIds.has(id));
}

export function createFirstRunFeature(host: FirstRunHost): FirstRun {
  const { shell, input, autopilot } = host;
  const touch = createTouchControls(shell.viewport);
  input.setTouch(touch);
  const touchScreen = hasTouchScreen();
  touch.setVisible(touchScreen);
  // A touch on the road on a device that did not say it had a touch screen: show the controls.
  const onPointer = (e: PointerEvent): void => {
    if (e.pointerType === 'touch' && !touch.visible) touch.setVisible(true);
  };
  shell.viewport.addEventListener('pointerdown', onPointer);

  let autoRecording = false;
  async function autoRecord(): Promise<void> {
    if (!host.autoRecord || autoRecording) return;
    autoRecording = true;
    guide.busy('Expert recording…');
    try {
      const r = await host.autoRecord((p) => guide.busy(`Expert recording: ${Math.floor(p.fraction * 100)}%`));
      if (r.error) shell.notify(r.error.message, 'error');
      if (r.clips.length > 0) {
        const frames = r.clips.reduce((n, c) => n + c.frameCount, 0);
        shell.notify(`The expert recorded ${r.clips.length} clip${r.clips.length === 1 ? '' : 's'} (${frames} frames) for your model: now Quick train again.`, 'ok');
        guide.report('recording-saved');
      }
    } catch (e) {
      shell.notify(`Auto-record failed: ${(e as Error).message}`, 'error');
    } finally {
      autoRecording = false;
      guide.busy(null);
    }
  }

  async function driveOwnModel(): Promise<void> {
    try {
      const w = await autopilot.ensureWorker();
      const clips = await host.clipIds();
      const own = (await w.api.listModels()).filter((m) => isOwnModel(m, clips)).sort((a, b) => a.createdAt - b.createdAt);
      const newest = own[own.length - 1];
      if (!newest) {
        shell.notify('No model of your own yet: record some driving, then train one (steps 2 and 3).', 'warn');
        return;
      }
      await autopilot.loadModel(newest.id);
      host.setMode('drive');
      host.setMode('autopilot');
    } catch (e) {
      shell.notify((e as Error).message, 'error');
    }
  }

  /** The guide's step after a model takes the wheel: the player's own model, or another. */
  async function reportDriving(modelId: string): Promise<void> {
    const w = await autopilot.ensureWorker();
    const meta = (await w.api.listModels()).find((m) => m.id === modelId);
    const own = meta !== undefined && isOwnModel(meta, await host.clipIds());
    guide.report(own ? 'own-model-driving' : 'autopilot-engaged');
  }

  // Side panels pause the game while open, if the setting says so (panelPause.ts).
  const panelPause = shell.viewport.parentElement
    ? watchPanelPause({
      root: shell.viewport.parentElement,
      openPanel: () => shell.openPanelName,
      enabled: () => host.settings?.().pausePanels ?? true,
      paused: host.paused,
      setPaused: host.setPaused,
    })
    : null;

  // The model switch in the HUD, beside the driving model's name (modelSwitch.ts).
  const modelSwitch = createModelSwitch({
    slot: () => shell.hudLayer.querySelector<HTMLElement>(`[data-testid="${HUD_MODEL_SLOT_TESTID}"]`),
    listModels: async () => (await (await autopilot.ensureWorker()).api.listModels()).filter((m) => !host.hiddenModel?.(m.id)),
    current: () => autopilot.model,
    load: (id) => autopilot.loadModel(id),
    notify: (t, k) => shell.notify(t, k),
    switched: (id) => void reportDriving(id).catch(() => undefined),
  });

  const guide = createGuide({
    container: shell.viewport,
    touch: touchScreen,
    act(a) {
      switch (a) {
        case 'watch':
          host.setMode('autopilot');
          break;
        case 'record':
          host.setMode('record');
          break;
        case 'auto-record':
          void autoRecord();
          break;
        case 'train':
          host.setMode('train');
          break;
        case 'drive-own':
          void driveOwnModel();
          break;
      }
    },
  });

  return {
    guide,
    touch,
    report: (e) => guide.report(e),
    trained(check) {
      guide.verdict(guideVerdictSentence(check));
      guide.report(trainedEvent(check.verdict, check.heldOut));
    },
    engaged(modelId) {
      void reportDriving(modelId).catch(() => guide.report('autopilot-engaged'));
      void modelSwitch.refresh().catch(() => undefined);
    },
    showHelp() {
      if (shell.helpOpen) return;
      const pausedByHelp = !host.paused();
      if (pausedByHelp) host.setPaused(true);
      const guideBtn = el('button', { type: 'button', class: 'ds-btn primary', 'data-testid': 'help-guide' }, 'Show the getting-started guide');
      guideBtn.addEventListener('click', () => guide.show());
      const how = el('p', { class: 'ds-muted' },
        'Drive with the keyboard, a gamepad, or on a touch screen with the steering pad and pedals at the bottom. ',
        'Without any of these, Autopilot still lets the model drive.');
      shell.showHelp(KEY_MAP, {
        title: 'Help and keys',
        extra: [how, el('div', { class: 'ds-row' }, guideBtn)],
        onClose: () => {
          if (pausedByHelp) host.setPaused(false);
        },
      });
    },
    dispose() {
      shell.viewport.removeEventListener('pointerdown', onPointer);
      input.setTouch(null);
      modelSwitch.dispose();
      panelPause?.dispose();
      touch.dispose();
      guide.dispose();
    },
  };
}
