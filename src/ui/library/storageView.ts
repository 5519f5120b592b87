// How much room the library takes and has left, and the "Keep my data" request that asks the
// browser not to evict it when the disk fills up (browsers may clear unpersisted sites).

import type { StorageEstimate } from '../../data/index.ts';
import { el } from '../dom.ts';
import { formatBytes } from './format.ts';

export interface StorageViewState {
  /** undefined while loading; null when the browser cannot say. */
  readonly estimate: StorageEstimate | null | undefined;
  /** Bytes the clips themselves take (sum of byteSize). */
  readonly clipBytes: number;
  readonly asking: boolean;
}

export interface StorageView {
  render(state: StorageViewState): void;
  dispose(): void;
}

export function createStorageView(container: HTMLElement, intents: { persist(): void }): StorageView {
  const usage = el('p', { class: 'lib-storage-line', 'data-testid': 'storage-usage' });
  const clipsLine = el('p', { class: 'lib-storage-line ds-muted', 'data-testid': 'storage-clips' });
  const bar = el('div');
  const meter = el('div', { class: 'ds-progress', role: 'meter', 'aria-label': 'Storage used' }, bar);
  const status = el('span', { class: 'ds-muted', 'data-testid': 'persist-status' });
  const button = el('button', { type: 'button', class: 'ds-btn', 'data-testid': 'persist-button' }, 'Keep my data');
  button.addEventListener('click', () => intents.persist());
  const root = el('div', {}, usage, meter, clipsLine, el('div', { class: 'ds-row' }, button, status));
  container.append(root);

  return {
    render(s) {
      const e = s.estimate;
      // The browser's figure can be far below the clips' own size: it may compress what it stores.
      clipsLine.textContent = `Your clips hold ${formatBytes(s.clipBytes)} of frames and labels (before any compression by the browser).`;
      if (e === undefined) {
        usage.textContent = 'Measuring…';
        meter.hidden = true;
      } else if (e === null) {
        usage.textContent = 'This browser does not say how much room is left.';
        meter.hidden = true;
      } else {
        usage.textContent = `Browser storage: ${formatBytes(e.usageBytes)} used, ${formatBytes(e.availableBytes)} available.`;
        meter.hidden = false;
        const f = e.quotaBytes > 0 ? Math.min(1, e.usageBytes / e.quotaBytes) : 0;
        bar.style.width = `${Math.max(0.5, 100 * f).toFixed(1)}%`;
        meter.setAttribute('aria-valuenow', String(Math.round(100 * f)));
      }
      const persisted = e?.persisted ?? null;
      button.hidden = persisted === true;
      button.disabled = s.asking;
      status.dataset.persisted = String(persisted);
      status.textContent =
        persisted === true
          ? 'Kept: the browser will not clear your clips to free space.'
          : persisted === false
          ? 'The browser may clear your clips when the disk fills up.'
          : '';
    },
    dispose() {
      root.remove();
    },
  };
}
