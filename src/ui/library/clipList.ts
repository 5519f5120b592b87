// The clip table: one row per clip (thumbnail, name, track, theme, drivers, length, size,
// date, tag, status) with selection, inline rename, a confirm step before deleting, and a
// Recover button for clips left incomplete. A view: render(state) redraws it, and every
// click becomes an intent for the panel, which talks to the store.

import type { ClipMeta, ClipTag } from '../../data/index.ts';
import { el, paintRgb } from '../dom.ts';
import type { ClipStatus } from './format.ts';
import { clipDurationS, clipStatus, formatBytes, formatCount, formatDate, formatDuration, trackLabel } from './format.ts';

export interface ClipListState {
  /** In display order. */
  readonly clips: readonly ClipMeta[];
  readonly selected: ReadonlySet<string>;
  readonly recording: (clipId: string) => boolean;
  /** Driver summaries known so far ("" while unknown). */
  readonly drivers: (clipId: string) => string;
  readonly renaming: string | null;
  readonly confirmingDelete: string | null;
  readonly openClip: string | null;
  /** Clips with a store call in flight: their buttons are disabled. */
  readonly busy: ReadonlySet<string>;
  readonly nowMs: number;
  readonly presetNames: ReadonlyMap<string, string>;
}

export interface ClipListIntents {
  select(clipId: string, on: boolean): void;
  selectAll(on: boolean): void;
  open(clipId: string): void;
  startRename(clipId: string): void;
  commitRename(clipId: string, name: string): void;
  cancelRename(): void;
  askDelete(clipId: string): void;
  confirmDelete(clipId: string): void;
  cancelDelete(): void;
  setTag(clipId: string, tag: ClipTag | null): void;
  recover(clipId: string): void;
}

export interface ClipList {
  render(state: ClipListState): void;
  dispose(): void;
}

const SVG_NS = 'http://www.w3.org/2000/svg';
/** Stroke icons (24 px grid), drawn inline so they need no icon font. */
const ICONS = {
  pencil: 'M4 20h4L19 9l-4-4L4 16v4zM14 6l4 4',
  trash: 'M4 7h16M9 7V4h6v3M6 7l1 13h10l1-13M10 11v6M14 11v6',
};

function icon(name: keyof typeof ICONS): SVGSVGElement {
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  const path = document.createElementNS(SVG_NS, 'path');
  path.setAttribute('d', ICONS[name]);
  svg.append(path);
  return svg;
}

const STATUS_TEXT: Record<ClipStatus, string> = { complete: '', recording: 'recording', incomplete: 'incomplete' };

export function createClipList(container: HTMLElement, intents: ClipListIntents): ClipList {
  const table = el('table', { class: 'ds-table lib-table', 'data-testid': 'library-list' });
  const selectAll = el('input', { type: 'checkbox', 'data-testid': 'clip-select-all', 'aria-label': 'Select all clips' });
  const headCount = el('th', { colspan: 2 });
  const cols = ['cb', 'thumb', 'main', 'tag', 'actions'].map((c) => el('col', { class: `lib-col-${c}` }));
  table.append(el('colgroup', {}, ...cols));
  table.append(el('thead', {}, el('tr', {}, el('th', { class: 'lib-cb' }, selectAll), headCount, el('th', {}, 'Tag'), el('th'))));
  const body = el('tbody');
  table.append(body);
  container.append(table);
  selectAll.addEventListener('change', () => intents.selectAll(selectAll.checked));

  /** Thumbnail canvases by clip id, kept across renders so they are painted once. */
  const thumbs = new Map<string, { canvas: HTMLCanvasElement; painted: boolean }>();

  function thumbFor(meta: ClipMeta): HTMLCanvasElement {
    let t = thumbs.get(meta.id);
    if (!t) {
      t = { canvas: el('canvas', { class: 'lib-thumb-img', width: 1, height: 1 }), painted: false };
      thumbs.set(meta.id, t);
    }
    if (!t.painted && meta.thumbnail) {
      paintRgb(t.canvas, meta.thumbnail.rgb, meta.thumbnail.width, meta.thumbnail.height);
      t.painted = true;
    }
    return t.canvas;
  }

  function nameCell(meta: ClipMeta, s: ClipListState): HTMLElement {
    if (s.renaming !== meta.id) {
      const b = el('button', { type: 'button', class: 'lib-name', 'data-testid': 'clip-open', title: 'Play this clip' }, meta.name);
      b.addEventListener('click', () => intents.open(meta.id));
      return b;
    }
    const input = el('input', { class: 'lib-rename', 'data-testid': 'clip-rename-input', 'aria-label': 'Clip name', maxlength: 200 });
    renameInput = input;
    input.value = meta.name;
    let done = false;
    const finish = (commit: boolean): void => {
      if (done) return;
      done = true;
      if (commit && input.value !== meta.name) intents.commitRename(meta.id, input.value);
      else intents.cancelRename();
    };
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') finish(true);
      else if (e.key === 'Escape') finish(false);
    });
    input.addEventListener('blur', () => finish(true));
    // Focus once it is in the document.
    queueMicrotask(() => {
      input.focus();
      input.select();
    });
    return input;
  }

  function row(meta: ClipMeta, s: ClipListState): HTMLTableRowElement[] {
    const recording = s.recording(meta.id);
    const status = clipStatus(meta, recording);
    const busy = s.busy.has(meta.id);
    const selected = s.selected.has(meta.id);
    const tr = el('tr', {
      class: ['lib-row', selected ? 'selected' : '', s.openClip === meta.id ? 'open' : ''].join(' ').trim(),
      'data-testid': 'clip-row',
      'data-clip-id': meta.id,
      'data-status': status,
      'data-tag': meta.tag ?? '',
    });
    const cb = el('input', { type: 'checkbox', 'data-testid': 'clip-select', 'aria-label': `Select ${meta.name}` });
    cb.checked = selected;
    cb.addEventListener('change', () => intents.select(meta.id, cb.checked));

    const thumb = el('button', { type: 'button', class: 'lib-thumb', title: 'Play this clip', 'aria-label': `Play ${meta.name}` }, thumbFor(meta));
    thumb.addEventListener('click', () => intents.open(meta.id));

    const drivers = s.drivers(meta.id);
    const what = [trackLabel(meta.trackId, s.presetNames), meta.theme, drivers].filter(Boolean).join(' · ');
    const cams = meta.cameras.length > 1 ? ` · ${meta.cameras.length} cams` : '';
    const how = `${formatDuration(clipDurationS(meta))} · ${formatCount(meta.frameCount)} frames${cams} · ${formatBytes(meta.byteSize)}`;
    const main = el(
      'td',
      { class: 'lib-main' },
      el('div', { class: 'lib-line' }, nameCell(meta, s), el('span', { class: 'lib-date', 'data-testid': 'clip-date' }, formatDate(meta.createdAt, s.nowMs))),
      el('div', { class: 'lib-sub', 'data-testid': 'clip-what' }, what),
      el('div', { class: 'lib-sub', 'data-testid': 'clip-how' }, how),
    );
    if (status !== 'complete') {
      const line = el('div', { class: 'lib-line' }, el('span', { class: `lib-status ${status}`, 'data-testid': 'clip-status' }, STATUS_TEXT[status]));
      if (status === 'incomplete') {
        const rec = el('button', { type: 'button', class: 'ds-btn lib-small', 'data-testid': 'clip-recover', disabled: busy, title: 'Keep what was saved and mark the clip complete' }, 'Recover');
        rec.addEventListener('click', () => intents.recover(meta.id));
        line.append(rec);
      }
      main.append(line);
    }

    const tag = el('select', { class: 'lib-tag', 'data-testid': 'clip-tag', 'aria-label': `Split of ${meta.name}`, disabled: busy });
    for (const [v, label] of [['', 'none'], ['train', 'train'], ['val', 'val']] as const) tag.append(el('option', { value: v }, label));
    tag.value = meta.tag ?? '';
    tag.addEventListener('change', () => intents.setTag(meta.id, tag.value === '' ? null : (tag.value as ClipTag)));

    const ren = el('button', { type: 'button', class: 'lib-icon', 'data-testid': 'clip-rename', title: 'Rename', 'aria-label': `Rename ${meta.name}`, disabled: busy }, icon('pencil'));
    ren.addEventListener('click', () => intents.startRename(meta.id));
    const del = el('button', { type: 'button', class: 'lib-icon danger', 'data-testid': 'clip-delete', title: 'Delete', 'aria-label': `Delete ${meta.name}`, disabled: busy }, icon('trash'));
    del.addEventListener('click', () => intents.askDelete(meta.id));

    tr.append(el('td', { class: 'lib-cb' }, cb), el('td', { class: 'lib-thumb-cell' }, thumb), main, el('td', {}, tag), el('td', { class: 'lib-actions' }, ren, del));
    if (s.confirmingDelete !== meta.id) return [tr];

    const warn = recording ? ' It is being recorded: recording stops.' : '';
    const yes = el('button', { type: 'button', class: 'ds-btn danger-solid', 'data-testid': 'clip-delete-confirm', disabled: busy }, 'Delete');
    const no = el('button', { type: 'button', class: 'ds-btn', 'data-testid': 'clip-delete-cancel' }, 'Keep');
    yes.addEventListener('click', () => intents.confirmDelete(meta.id));
    no.addEventListener('click', () => intents.cancelDelete());
    const confirm = el(
      'tr',
      { class: 'lib-confirm', 'data-testid': 'clip-delete-prompt', 'data-clip-id': meta.id },
      el('td', { colspan: 5 }, el('span', {}, `Delete “${meta.name}” (${formatBytes(meta.byteSize)}) for good?${warn}`), yes, no),
    );
    // Focus "Keep" when the question first appears, not on every redraw while it stays up.
    if (focusedConfirm !== meta.id) queueMicrotask(() => no.focus());
    focusedConfirm = meta.id;
    return [tr, confirm];
  }

  /** The open rename box: while it is in the document, renders leave the rows alone (see render). */
  let renameInput: HTMLInputElement | null = null;
  /** The clip whose delete question has been focused. */
  let focusedConfirm: string | null = null;

  return {
    render(s) {
      // Rebuilding the rows would drop the player's half-typed name and focus; the rename ends
      // with an intent, after which the panel renders again.
      if (s.renaming !== null && renameInput?.isConnected && renameInput.closest('tr')?.dataset.clipId === s.renaming) return;
      renameInput = null;
      if (s.confirmingDelete === null) focusedConfirm = null;
      const n = s.clips.length;
      const k = s.clips.filter((c) => s.selected.has(c.id)).length;
      selectAll.checked = n > 0 && k === n;
      selectAll.indeterminate = k > 0 && k < n;
      selectAll.disabled = n === 0;
      headCount.textContent = n === 0 ? 'No clips' : `${n} clip${n === 1 ? '' : 's'}${k > 0 ? ` · ${k} selected` : ''}`;
      if (n === 0) {
        body.replaceChildren(
          el('tr', {}, el('td', { colspan: 5, class: 'lib-empty' }, 'No clips yet. Drive in Record mode, let the expert auto-record below, or import a zip.')),
        );
      } else {
        body.replaceChildren(...s.clips.flatMap((m) => row(m, s)));
      }
      for (const id of thumbs.keys()) if (!s.clips.some((c) => c.id === id)) thumbs.delete(id);
    },
    dispose() {
      thumbs.clear();
      table.remove();
    },
  };
}
