// The Library's actions on the ticked clips: Tag as…, Delete (which asks first, in a box under
// the toolbar), and the hint shown while nothing is ticked. A view: shows what it is given,
// reports intents; the panel performs them through the app's commands.
//
// Test ids: tag-selected (select), delete-selected -> delete-selected-prompt with
// delete-selected-confirm / delete-selected-cancel.

import type { ClipTag } from '../../data/index.ts';
import { el } from '../dom.ts';
import { formatBytes } from './format.ts';

export interface SelectionBarState {
  readonly selectedCount: number;
  readonly selectedBytes: number;
  readonly clipCount: number;
  /** The bulk delete is asking for confirmation. */
  readonly confirming: boolean;
  /** No export or import is running (Delete waits for it). */
  readonly idle: boolean;
}

export interface SelectionBarIntents {
  tag(tag: ClipTag | null): void;
  askDelete(): void;
  confirmDelete(): void;
  cancelDelete(): void;
}

export interface SelectionBar {
  /** Tag as… and Delete, for the toolbar. */
  readonly controls: readonly HTMLElement[];
  /** The hint and the confirmation box, for under the toolbar. */
  readonly below: readonly HTMLElement[];
  render(state: SelectionBarState): void;
}

export function createSelectionBar(intents: SelectionBarIntents): SelectionBar {
  const tagSelected = el('select', { class: 'lib-tag', 'data-testid': 'tag-selected', 'aria-label': 'Tag the selected clips' });
  tagSelected.append(
    el('option', { value: '', selected: true, disabled: true }, 'Tag as…'),
    el('option', { value: 'train' }, 'train'),
    el('option', { value: 'val' }, 'val'),
    el('option', { value: 'none' }, 'none'),
  );
  tagSelected.addEventListener('change', () => {
    const v = tagSelected.value;
    tagSelected.value = '';
    intents.tag(v === 'train' || v === 'val' ? v : null);
  });
  const deleteSelected = el('button', { type: 'button', class: 'ds-btn danger', 'data-testid': 'delete-selected' }, 'Delete');
  deleteSelected.addEventListener('click', () => intents.askDelete());
  const selectionInfo = el('span', { class: 'ds-muted' });
  const bulkConfirm = el('div', { class: 'lib-confirm-box', 'data-testid': 'delete-selected-prompt' });
  bulkConfirm.hidden = true;

  return {
    controls: [tagSelected, deleteSelected],
    below: [selectionInfo, bulkConfirm],
    render(s) {
      const k = s.selectedCount;
      tagSelected.disabled = k === 0;
      deleteSelected.disabled = k === 0 || !s.idle;
      selectionInfo.textContent = k === 0 ? 'Tick clips to export, tag or delete several at once.' : '';
      selectionInfo.hidden = k > 0 || s.clipCount === 0;
      const show = s.confirming && k > 0;
      bulkConfirm.hidden = !show;
      if (!show) {
        bulkConfirm.replaceChildren();
        return;
      }
      const yes = el('button', { type: 'button', class: 'ds-btn danger-solid', 'data-testid': 'delete-selected-confirm' }, `Delete ${k}`);
      const no = el('button', { type: 'button', class: 'ds-btn', 'data-testid': 'delete-selected-cancel' }, 'Keep');
      yes.addEventListener('click', () => intents.confirmDelete());
      no.addEventListener('click', () => intents.cancelDelete());
      bulkConfirm.replaceChildren(el('span', {}, `Delete ${k} clip${k === 1 ? '' : 's'} (${formatBytes(s.selectedBytes)}) for good?`), yes, no);
    },
  };
}
