// Switching the model that drives, from the HUD, while the autopilot keeps the wheel: a select
// mounted in the HUD's slot above the autopilot block (src/hud/hudText.ts), listing the saved
// models, with the driving one selected. A choice loads that model into the driving worker;
// the car keeps going on the old model's last prediction meanwhile. Loads run one at a time and
// the last choice wins. The list is re-read when the autopilot engages and when the select is
// touched, so a model trained a moment ago is there.
//
// Ownership: owns the select and its listeners; dispose() removes them.

import { el } from '../ui/dom.ts';

export interface ModelSwitchHost {
  /** The HUD slot to mount in (null until the HUD exists). */
  slot(): HTMLElement | null;
  /** The saved models, oldest first. */
  listModels(): Promise<readonly { id: string; name: string }[]>;
  /** The model driving now. */
  current(): { id: string; name: string } | null;
  /** Loads a model into the driving worker (the autopilot stays engaged). */
  load(id: string): Promise<void>;
  notify(text: string, kind: 'info' | 'ok' | 'warn' | 'error'): void;
  /** A switch took effect. */
  switched?(modelId: string): void;
}

export interface ModelSwitch {
  /** Re-reads the models and shows the current one (mounts the select on first use). */
  refresh(): Promise<void>;
  dispose(): void;
}

export function createModelSwitch(host: ModelSwitchHost): ModelSwitch {
  const select = el('select', { 'data-testid': 'hud-model-switch', 'aria-label': 'Model driving (switch while the autopilot drives)', title: 'Switch the model that drives' });
  select.style.maxWidth = '100%';
  let loading: Promise<void> = Promise.resolve();
  let wanted: string | null = null;
  let shownKey = '';

  async function refresh(): Promise<void> {
    const slot = host.slot();
    if (slot && select.parentElement !== slot) slot.append(select);
    const models = await host.listModels();
    const cur = host.current();
    const list = cur && !models.some((m) => m.id === cur.id) ? [...models, cur] : models;
    // Rebuilt only when the list changed: a select rebuilt as it opens would close again.
    const key = JSON.stringify(list.map((m) => [m.id, m.name]));
    if (key !== shownKey) {
      select.replaceChildren(...list.map((m) => el('option', { value: m.id }, m.name)));
      shownKey = key;
    }
    if (cur) select.value = wanted ?? cur.id;
  }

  const onChange = (): void => {
    const id = select.value;
    const name = select.selectedOptions[0]?.textContent ?? id;
    wanted = id;
    select.blur(); // the arrow keys drive again
    loading = loading.then(async () => {
      if (wanted !== id) return; // a later choice supersedes this one
      try {
        await host.load(id);
        host.notify(`Now driving: ${name}.`, 'ok');
        host.switched?.(id);
      } catch (e) {
        host.notify(`Could not switch to "${name}": ${(e as Error).message}`, 'error');
      } finally {
        if (wanted === id) wanted = null;
        await refresh().catch(() => undefined);
      }
    });
  };
  const onTouch = (): void => void refresh().catch(() => undefined);
  select.addEventListener('change', onChange);
  select.addEventListener('pointerdown', onTouch);
  select.addEventListener('focus', onTouch);

  return {
    refresh,
    dispose() {
      select.removeEventListener('change', onChange);
      select.removeEventListener('pointerdown', onTouch);
      select.removeEventListener('focus', onTouch);
      select.remove();
    },
  };
}
