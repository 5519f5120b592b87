// The HUD's DOM text layer: every number the player reads, as real text (crisp at any
// scale, selectable by e2e tests through data-testid). Elements are made once; apply() writes
// a text or a class only when it differs from what is shown, so a frame that changes nothing
// touches nothing. Owns its elements; dispose() removes them.

import type { HudView, SectorView } from './hudView.ts';
import type { HudLayout, MinimapFit, Rect } from './layout.ts';

/**
 * A slot above the autopilot block, shown with it, where the app mounts an interactive control
 * (the model switch, src/app/modelSwitch.ts); the rest of the HUD ignores the pointer.
 */
export const HUD_MODEL_SLOT_TESTID = 'hud-model-slot';

export interface HudText {
  readonly root: HTMLElement;
  layout(layout: HudLayout, fit: MinimapFit | null): void;
  apply(view: HudView): void;
  dispose(): void;
}

const CSS = `
.ds-hud-text { position: absolute; inset: 0; pointer-events: none; color: #eef3fa;
  font-family: "Inter", "SF Pro Display", "Segoe UI", system-ui, -apple-system, Roboto, sans-serif;
  font-variant-numeric: tabular-nums; line-height: 1.15; --u: 1; user-select: none; }
.ds-hud-text .p { position: absolute; box-sizing: border-box; }
.ds-hud-text .lbl { font-size: calc(10.5px * var(--u)); letter-spacing: 0.14em; font-weight: 600; color: #8d99ab; text-transform: uppercase; }
.ds-hud-text .p-lap { padding: calc(12px * var(--u)) calc(16px * var(--u)); display: flex; flex-direction: column; gap: calc(3px * var(--u)); }
.ds-hud-text .lap-head { display: flex; align-items: baseline; gap: calc(6px * var(--u)); }
.ds-hud-text .lap-no { font-size: calc(22px * var(--u)); font-weight: 800; }
.ds-hud-text .lap-total { font-size: calc(14px * var(--u)); color: #8d99ab; font-weight: 600; }
.ds-hud-text .ghost-gap { margin-left: auto; font-size: calc(12px * var(--u)); font-weight: 700; white-space: nowrap; }
.ds-hud-text .ghost-gap + .run-delta { margin-left: calc(6px * var(--u)); }
.ds-hud-text .p-auto .model-name { flex: 1; min-width: 0; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; margin: 0 calc(6px * var(--u));
  font-size: calc(12px * var(--u)); font-weight: 700; color: #e8ecf2; }
.ds-hud-text .run-delta { margin-left: auto; font-size: calc(14px * var(--u)); font-weight: 700; }
.ds-hud-text .lap-time { font-size: calc(30px * var(--u)); font-weight: 800; letter-spacing: -0.01em; margin-bottom: calc(2px * var(--u)); }
.ds-hud-text .row { display: flex; align-items: baseline; gap: calc(8px * var(--u)); font-size: calc(14px * var(--u)); font-weight: 600; }
.ds-hud-text .row .lbl { width: calc(38px * var(--u)); }
.ds-hud-text .row .d { font-size: calc(12px * var(--u)); font-weight: 700; }
.ds-hud-text .sectors { display: flex; gap: calc(5px * var(--u)); margin-top: calc(6px * var(--u)); }
.ds-hud-text .sec { flex: 1; border-radius: calc(5px * var(--u)); padding: calc(3px * var(--u)) calc(5px * var(--u));
  background: rgba(255,255,255,0.07); border-bottom: calc(2px * var(--u)) solid rgba(255,255,255,0.15);
  font-size: calc(10.5px * var(--u)); font-weight: 700; display: flex; flex-direction: column; gap: 1px; min-width: 0; }
.ds-hud-text .sec .n { color: #8d99ab; font-size: calc(9px * var(--u)); letter-spacing: 0.1em; }
.ds-hud-text .sec .d { font-size: calc(10px * var(--u)); opacity: 0.95; white-space: nowrap; }
.ds-hud-text .sec.pending { opacity: 0.45; }
.ds-hud-text .sec.live { border-bottom-color: #38bdf8; }
.ds-hud-text .sec.faster { border-bottom-color: #3ddc84; } .ds-hud-text .sec.faster .d { color: #3ddc84; }
.ds-hud-text .sec.slower { border-bottom-color: #ffc23d; } .ds-hud-text .sec.slower .d { color: #ffc23d; }
.ds-hud-text .sec.even { border-bottom-color: #c9d2df; }
.ds-hud-text .neg { color: #3ddc84; } .ds-hud-text .pos { color: #ffc23d; }
.ds-hud-text .p-speed .speed { position: absolute; text-align: center; font-size: calc(44px * var(--u)); font-weight: 800; letter-spacing: -0.02em; }
.ds-hud-text .p-speed .unit { position: absolute; text-align: center; }
.ds-hud-text .p-speed .gear { position: absolute; text-align: center; font-size: calc(13px * var(--u)); font-weight: 800; color: #38bdf8; }
.ds-hud-text .p-speed .gear.rev { color: #ffb020; }
.ds-hud-text .p-speed .pedal { position: absolute; width: calc(34px * var(--u)); text-align: center; font-size: calc(9.5px * var(--u)); letter-spacing: 0.08em; }
.ds-hud-text .p-steer .who { position: absolute; text-align: center; }
.ds-hud-text .p-steer .who.model { color: var(--model, #3ddc84); }
.ds-hud-text .p-auto { padding: calc(10px * var(--u)) calc(14px * var(--u)) calc(10px * var(--u)) calc(18px * var(--u)); display: flex; flex-direction: column; gap: calc(4px * var(--u)); }
.ds-hud-text .p-auto .title { display: flex; justify-content: space-between; align-items: baseline; }
.ds-hud-text .p-auto .title .lbl { color: #38bdf8; }
.ds-hud-text .p-auto .backend { font-size: calc(11px * var(--u)); font-weight: 700; color: #c9d2df; background: rgba(56,189,248,0.16);
  padding: calc(1px * var(--u)) calc(6px * var(--u)); border-radius: calc(4px * var(--u)); }
.ds-hud-text .p-auto .grid { display: grid; grid-template-columns: repeat(3, 1fr); column-gap: calc(10px * var(--u)); }
.ds-hud-text .p-auto .kv { display: flex; justify-content: space-between; align-items: baseline; font-size: calc(14px * var(--u)); font-weight: 700; white-space: nowrap; }
.ds-hud-text .p-auto .cell { display: flex; flex-direction: column; gap: calc(1px * var(--u)); font-size: calc(14px * var(--u)); font-weight: 700; white-space: nowrap; }
.ds-hud-text .p-auto .lbl { font-size: calc(9.5px * var(--u)); }
.ds-hud-text .p-slot { pointer-events: auto; display: flex; align-items: flex-end; }
.ds-hud-text .p-auto .autonomy { font-size: calc(24px * var(--u)); font-weight: 800; }
.ds-hud-text .p-status { display: flex; justify-content: center; align-items: center; }
.ds-hud-text .rec { display: flex; align-items: center; gap: calc(8px * var(--u)); padding: calc(6px * var(--u)) calc(14px * var(--u));
  border-radius: 999px; background: rgba(11,16,24,0.62); border: 1px solid rgba(255,77,94,0.55);
  font-size: calc(13px * var(--u)); font-weight: 700; white-space: nowrap; }
.ds-hud-text .rec .dot { width: calc(9px * var(--u)); height: calc(9px * var(--u)); border-radius: 50%; background: #ff4d5e;
  box-shadow: 0 0 calc(8px * var(--u)) #ff4d5e; animation: ds-hud-blink 1s steps(2, start) infinite; }
.ds-hud-text .rec .tag { color: #ff4d5e; letter-spacing: 0.12em; }
@keyframes ds-hud-blink { to { visibility: hidden; } }
.ds-hud-text .p-warn { display: flex; justify-content: center; align-items: center; }
.ds-hud-text .warn { padding: calc(8px * var(--u)) calc(22px * var(--u)); border-radius: calc(10px * var(--u));
  background: rgba(255,59,78,0.88); color: #fff; font-size: calc(20px * var(--u)); font-weight: 900; letter-spacing: 0.16em;
  box-shadow: 0 calc(4px * var(--u)) calc(24px * var(--u)) rgba(255,59,78,0.45); }
.ds-hud-text .warn.wrong { background: rgba(255,176,32,0.92); color: #1b1300; box-shadow: 0 calc(4px * var(--u)) calc(24px * var(--u)) rgba(255,176,32,0.4); }
.ds-hud-text .p-lap.compact { flex-direction: row; align-items: center; gap: calc(10px * var(--u)); padding: calc(6px * var(--u)) calc(12px * var(--u)); }
.ds-hud-text .p-lap.compact .row, .ds-hud-text .p-lap.compact .sectors, .ds-hud-text .p-auto.compact .grid { display: none; }
.ds-hud-text .p-lap.compact .lap-time { order: 1; font-size: calc(22px * var(--u)); margin: 0; }
.ds-hud-text .p-lap.compact .lap-head { flex: 1; min-width: 0; }
.ds-hud-text .p-auto.compact { padding: calc(5px * var(--u)) calc(10px * var(--u)) calc(5px * var(--u)) calc(14px * var(--u)); gap: calc(2px * var(--u)); }
.ds-hud-text .p-auto.compact .autonomy { font-size: calc(20px * var(--u)); }
.ds-hud-text .p-warn.compact .warn { padding: calc(6px * var(--u)) calc(12px * var(--u)); letter-spacing: 0.1em; }
.ds-hud-text .p-fps { text-align: right; font-size: calc(11px * var(--u)); font-weight: 600; color: #8d99ab; }
.ds-hud-text [hidden] { display: none !important; }
`;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls: string, parent: HTMLElement, testId?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (testId) e.dataset.testid = testId;
  parent.appendChild(e);
  return e;
}

function label(text: string, parent: HTMLElement, cls = 'lbl'): HTMLSpanElement {
  const e = el('span', cls, parent);
  e.textContent = text;
  return e;
}

function place(e: HTMLElement, r: Rect): void {
  e.style.left = `${r.x}px`;
  e.style.top = `${r.y}px`;
  e.style.width = `${r.w}px`;
  e.style.height = `${r.h}px`;
}

/** Sign class for a delta: faster is green, slower amber. */
function signClass(ticks: number | null): string {
  return ticks === null || ticks === 0 ? '' : ticks < 0 ? 'neg' : 'pos';
}

function hex(c: number): string {
  return `#${c.toString(16).padStart(6, '0')}`;
}

export function createHudText(parent: HTMLElement): HudText {
  const root = el('div', 'ds-hud-text', parent);
  const style = el('style', '', root);
  style.textContent = CSS;

  // Lap panel.
  const lap = el('div', 'p p-lap', root, 'hud-lap-panel');
  const head = el('div', 'lap-head', lap);
  label('Lap', head);
  const lapNo = el('span', 'lap-no', head, 'hud-lap');
  const lapTotal = el('span', 'lap-total', head);
  const ghostGap = el('span', 'ghost-gap', head, 'hud-ghost-gap');
  const runDelta = el('span', 'run-delta', head, 'hud-delta');
  const lapTime = el('div', 'lap-time', lap, 'hud-laptime');
  const lastRow = el('div', 'row', lap);
  label('Last', lastRow);
  const lastLap = el('span', '', lastRow, 'hud-lastlap');
  const lastDelta = el('span', 'd', lastRow);
  const bestRow = el('div', 'row', lap);
  label('Best', bestRow);
  const bestLap = el('span', '', bestRow, 'hud-bestlap');
  const sectorsBox = el('div', 'sectors', lap, 'hud-sectors');
  let sectorEls: { box: HTMLElement; t: HTMLElement; d: HTMLElement }[] = [];

  // Speed panel: the number sits inside the pixi gauge.
  const speedPanel = el('div', 'p p-speed', root, 'hud-speed-panel');
  const speed = el('div', 'speed', speedPanel, 'hud-speed');
  const unit = label('km/h', speedPanel, 'lbl unit');
  const gear = el('div', 'gear', speedPanel, 'hud-gear');
  const thrLbl = label('Thr', speedPanel, 'lbl pedal');
  const brkLbl = label('Brk', speedPanel, 'lbl pedal');

  // Steering panel: captions under the wheels.
  const steerPanel = el('div', 'p p-steer', root, 'hud-steer-panel');
  const whoHuman = label('You', steerPanel, 'lbl who');
  const whoModel = label('Model', steerPanel, 'lbl who model');

  // Autopilot block.
  const auto = el('div', 'p p-auto', root, 'hud-autopilot');
  const autoTitle = el('div', 'title', auto);
  label('Autopilot', autoTitle);
  const backend = el('span', 'backend', autoTitle, 'hud-backend');
  const modelName = el('span', 'model-name', autoTitle, 'hud-model');
  autoTitle.append(backend); // the model's name between the title and the backend
  const modelSlot = el('div', 'p p-slot', root, HUD_MODEL_SLOT_TESTID);
  modelSlot.hidden = true;
  const autonomyRow = el('div', 'kv', auto);
  label('Autonomy', autonomyRow);
  const autonomy = el('span', 'autonomy', autonomyRow, 'hud-autonomy');
  const grid = el('div', 'grid', auto);
  const cell = (name: string, testId: string) => {
    const box = el('div', 'cell', grid);
    label(name, box);
    return el('span', '', box, testId);
  };
  const latency = cell('Latency', 'hud-latency');
  const rate = cell('Rate', 'hud-rate');
  const interventions = cell('Takeovers', 'hud-interventions');

  // Status row (recording), warning banner, fps.
  const status = el('div', 'p p-status', root);
  const rec = el('div', 'rec', status, 'hud-recording');
  el('span', 'dot', rec);
  label('REC', rec, 'tag');
  const recText = el('span', '', rec);
  const warnBox = el('div', 'p p-warn', root);
  const warn = el('div', 'warn', warnBox, 'hud-warning');
  const fpsBox = el('div', 'p p-fps', root);
  const fps = el('span', '', fpsBox, 'hud-fps');
  label(' fps', fpsBox, '');

  // What each element shows now: write only differences.
  const shown = new Map<HTMLElement, string>();
  const setText = (e: HTMLElement, s: string) => {
    if (shown.get(e) !== s) {
      e.textContent = s;
      shown.set(e, s);
    }
  };
  const setClass = (e: HTMLElement, cls: string) => {
    if (e.className !== cls) e.className = cls;
  };
  const setHidden = (e: HTMLElement, hidden: boolean) => {
    if (e.hidden !== hidden) e.hidden = hidden;
  };

  let current: HudLayout | null = null;
  let hadModel: boolean | null = null;

  function sectorsFor(views: readonly SectorView[]): void {
    if (sectorEls.length !== views.length) {
      sectorsBox.replaceChildren();
      sectorEls = views.map((_, i) => {
        const box = el('div', 'sec pending', sectorsBox);
        label(`S${i + 1}`, box, 'n');
        return { box, t: el('span', 't', box), d: el('span', 'd', box) };
      });
    }
    views.forEach((v, i) => {
      const e = sectorEls[i];
      setClass(e.box, `sec ${v.state}`);
      setText(e.t, v.text);
      setText(e.d, v.deltaText);
    });
  }

  function placeCaptions(hasModel: boolean): void {
    if (!current) return;
    const r = current.steering;
    const wh = current.wheels;
    const w = r.w * 0.44;
    // Between the wheel and the steering bar.
    const top = (wh.y + wh.r + current.steerBar.y) / 2 - r.y - 7 * current.unit;
    const at = (e: HTMLElement, x: number) => Object.assign(e.style, { left: `${x - r.x - w / 2}px`, top: `${top}px`, width: `${w}px` });
    at(whoHuman, hasModel ? wh.humanX : wh.soloX);
    at(whoModel, wh.modelX);
  }

  return {
    root,
    layout(l, fit) {
      const u = l.unit;
      root.style.setProperty('--u', String(u));
      place(lap, l.lap);
      place(speedPanel, l.speed);
      place(steerPanel, l.steering);
      place(auto, l.autopilot);
      // Folded on a short layer (layout.ts `compact`): one row of lap figures, the autopilot's
      // title and autonomy; the model switch then goes under the block (layout.ts `modelSlot`).
      lap.classList.toggle('compact', l.compact);
      auto.classList.toggle('compact', l.compact);
      warnBox.classList.toggle('compact', l.compact); // a narrower banner: it shares a row with REC
      place(modelSlot, l.modelSlot);
      place(status, l.status);
      place(warnBox, l.warning);
      // Speed figures inside the gauge; positions relative to the speed panel.
      const gx = l.gauge.cx - l.speed.x;
      const gy = l.gauge.cy - l.speed.y;
      const w = 110 * u;
      Object.assign(speed.style, { left: `${gx - w / 2}px`, top: `${gy - 30 * u}px`, width: `${w}px` });
      Object.assign(unit.style, { left: `${gx - w / 2}px`, top: `${gy + 20 * u}px`, width: `${w}px` });
      Object.assign(gear.style, { left: `${gx - w / 2}px`, top: `${gy + 44 * u}px`, width: `${w}px` });
      const pedalLabel = (e: HTMLElement, x: number) => Object.assign(e.style, {
        left: `${x - l.speed.x + l.pedals.w / 2 - 17 * u}px`, top: `${l.pedals.top + l.pedals.h - l.speed.y + 7 * u}px`,
      });
      pedalLabel(thrLbl, l.pedals.throttleX);
      pedalLabel(brkLbl, l.pedals.brakeX);
      current = l;
      placeCaptions(hadModel === true);
      const mm = fit ? fit.rect : l.minimapBox;
      // Compact: the minimap ends just above the speed panel, so the figure goes in the panel's top right.
      place(fpsBox, l.compact ? { x: l.speed.x, y: l.speed.y + 4 * u, w: l.speed.w - 14 * u, h: 16 * u } : { x: mm.x, y: mm.y + mm.h + 6 * u, w: mm.w, h: 16 * u });
    },
    apply(view) {
      setText(lapNo, view.text.lap);
      setText(lapTotal, view.text.totalLaps ? `/ ${view.text.totalLaps}` : '');
      setText(runDelta, view.text.runningDelta);
      setClass(runDelta, `run-delta ${signClass(view.runningDeltaTicks)}`);
      setText(lapTime, view.text.lapTime);
      setText(lastLap, view.text.lastLap);
      setText(lastDelta, view.text.lastDelta);
      setClass(lastDelta, `d ${signClass(view.lap.lastDeltaTicks)}`);
      setText(bestLap, view.text.bestLap);
      setText(ghostGap, view.text.ghostGap ? `ghost ${view.text.ghostGap}` : '');
      setClass(ghostGap, `ghost-gap ${view.text.ghostGap.startsWith('+') ? 'pos' : 'neg'}`);
      sectorsFor(view.sectors);

      setText(speed, view.text.speed);
      setText(gear, view.reversing ? 'R' : view.speedKmh < 0.5 ? 'N' : 'D');
      setClass(gear, view.reversing ? 'gear rev' : 'gear');

      const hasModel = view.steer.model !== null;
      if (hasModel !== hadModel) {
        setHidden(whoModel, !hasModel);
        placeCaptions(hasModel);
        hadModel = hasModel;
      }
      if (hasModel) {
        const c = hex(view.steer.color);
        if (shown.get(steerPanel) !== c) {
          steerPanel.style.setProperty('--model', c);
          shown.set(steerPanel, c);
        }
      }

      const a = view.text.autopilot;
      setHidden(auto, a === null);
      setHidden(modelSlot, a === null);
      if (a) {
        setText(backend, a.backend);
        setText(modelName, a.model ?? '');
        modelName.title = a.model ? `The model driving: ${a.model}` : '';
        setText(autonomy, a.autonomy);
        setText(latency, a.latency);
        setText(rate, a.rate);
        setText(interventions, a.interventions);
      }

      setHidden(rec, view.recording === null);
      setText(recText, view.text.recording);
      setHidden(warn, !view.offRoad && !view.wrongWay);
      setText(warn, view.offRoad ? 'OFF TRACK' : view.wrongWay ? 'WRONG WAY' : '');
      setClass(warn, view.offRoad || !view.wrongWay ? 'warn' : 'warn wrong');
      setText(fps, view.text.fps);
    },
    dispose() {
      root.remove();
      shown.clear();
    },
  };
}
