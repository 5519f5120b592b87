// The Library panel: the player's view of their recorded data. It lists clips and acts on
// them (rename, tag, delete, recover, export, import), shows the steering balance of the
// chosen clips, plays one clip back, reports storage, and asks the app to auto-record. It
// holds view state only (selection, what is open, transfers in flight); the clips live in
// the ClipStore, which it reads after every change, so the list always shows what is stored.
//
// Test ids (stable, for e2e):
//   library-list            the clip table; clip-select-all: its header checkbox
//   clip-row                one per clip, with data-clip-id, data-status (complete | recording
//                           | incomplete) and data-tag (train | val | "")
//     clip-select, clip-open (name), clip-what, clip-how, clip-status, clip-recover,
//     clip-rename -> clip-rename-input (Enter saves, Escape cancels), clip-tag (select),
//     clip-delete -> clip-delete-prompt row with clip-delete-confirm / clip-delete-cancel
//   the selection's actions: selectionBar.ts; export and import: transferArea.ts
//   histogram (histogram-canvas, histogram-scope, histogram-verdict, histogram-all-cameras)
//   playback (data-clip-id), playback-frame (data-step), playback-steer, playback-readout,
//   playback-scrubber, playback-play (data-playing), playback-time, playback-camera,
//   playback-close, playback-plots
//   storage-usage, persist-button, persist-status (data-persisted)
//   autorecord-minutes, autorecord-tracks-{current,list,random}, autorecord-preset-<id>,
//   autorecord-seeds, autorecord-random-count, autorecord-theme-<theme>, autorecord-noise,
//   autorecord-weave, autorecord-side, autorecord-side-offset, autorecord-side-yaw,
//   autorecord-start-mode (select: standing | spread | rolling),
//   autorecord-size, autorecord-rate, autorecord-seed, autorecord-estimate (data-warn, data-start-hint),
//   autorecord-problems, autorecord-start, autorecord-progress (data-fraction),
//   autorecord-message, autorecord-cancel

import './library.css';
import type { ClipMeta, ClipStore, ImageCodec } from '../../data/index.ts';
import { isDataError } from '../../data/index.ts';
import type { LibraryCommands } from './libraryIntents.ts';
import { PRESET_NAMES, resolveTrack } from '../../sim/tracks.ts';
import type { AutoRecordRequest } from './autoRecord.ts';
import { DEFAULT_THEMES } from './autoRecord.ts';
import type { AutoRecordProgress } from './autoRecordForm.ts';
import { createAutoRecordForm } from './autoRecordForm.ts';
import { createClipList } from './clipList.ts';
import { el, messageOf } from '../dom.ts';
import { createLabelReads } from './labelReads.ts';
import { createPlayback, type PlaybackOptions } from './playback.ts';
import { createSelectionBar } from './selectionBar.ts';
import { createStorageSection } from './storageSection.ts';
import { createTransferArea } from './transferArea.ts';

export type { AutoRecordRequest, AutoRecordTracks } from './autoRecord.ts';
export { autoRecordProblems, sideCameraSpecs } from './autoRecord.ts';
export type { AutoRecordProgress } from './autoRecordForm.ts';

export type NoticeKind = 'info' | 'ok' | 'warn' | 'error';

export interface LibraryPanelOptions {
  readonly container: HTMLElement;
  /** Read only: every change goes through `commands`. */
  readonly store: ClipStore;
  /** The intents the app performs (src/app/libraryCommands.ts): rename, tag, delete with undo, recover, import. */
  readonly commands: LibraryCommands;
  /** Encodes and decodes the Udacity layout's JPEGs (browserImageCodec() in the app). */
  readonly codec: ImageCodec;
  notify(text: string, kind: NoticeKind): void;
  /**
   * Start recording with the expert. The panel shows "Starting…" at once; the app reports
   * progress with setAutoRecordProgress and ends with setAutoRecordProgress(null). If it
   * returns a promise, the panel also ends the progress and refreshes when it settles (and
   * shows a rejection's message).
   */
  onAutoRecord(request: AutoRecordRequest): void | Promise<unknown>;
  onCancelAutoRecord(): void;
  /** ms since the epoch: dates, import times, file names, playback pacing, the default seed. */
  now(): number;
  /** Presets offered to auto-record; default every preset of src/sim. */
  readonly presets?: readonly { readonly id: string; readonly name: string }[];
  /** Themes offered to auto-record; default day, dusk, overcast, night (render's THEME_NAMES). */
  readonly themes?: readonly string[];
  /** Saliency of a frame by the driving model, for playback (src/app/overlaysFeature.ts). */
  readonly saliency?: PlaybackOptions['saliency'];
}

export interface LibraryPanel {
  /** Re-reads the clips and storage from the store (call after a recording or import elsewhere). */
  refresh(): Promise<void>;
  setAutoRecordProgress(p: AutoRecordProgress | null): void;
  dispose(): void;
}

/** How often the list is re-read while an auto-record reports progress, ms. */
const AUTO_REFRESH_MS = 3000;
/** confirmingDelete's value while the bulk delete asks for confirmation. */
const SELECTION = '__selection__';

export function createLibraryPanel(opts: LibraryPanelOptions): LibraryPanel {
  const { store, commands, notify, now } = opts;
  const presets = opts.presets ?? PRESET_NAMES.map((id) => ({ id, name: resolveTrack(id).name }));
  const presetNames = new Map(presets.map((p) => [p.id, p.name]));
  const themes = opts.themes ?? DEFAULT_THEMES;

  // ---- view state (the truth about clips is the store's) ----
  let clips: ClipMeta[] = [];
  const selected = new Set<string>();
  const busy = new Set<string>();
  let renaming: string | null = null;
  let confirmingDelete: string | null = null;
  let openClip: string | null = null;
  let disposed = false;
  // ---- layout ----
  const section = (title: string, ...extra: HTMLElement[]): { root: HTMLElement; body: HTMLElement } => {
    const body = el('div');
    const head = el('div', { class: 'lib-head' }, el('h3', {}, title), ...extra);
    const root = el('section', { class: 'ds-section lib-section' }, head, body);
    return { root, body };
  };
  // Toolbar: actions on the selection; Import sits in the section's header.
  const selection = createSelectionBar({
    tag: (tag) => void act(selectedIds(), () => commands.setTag(selectedIds(), tag)),
    askDelete() {
      confirmingDelete = SELECTION;
      renaming = null;
      render();
    },
    confirmDelete() {
      confirmingDelete = null;
      const ids = selectedIds();
      void act(ids, async () => {
        await commands.remove(ids, `${ids.length} clip${ids.length === 1 ? '' : 's'}`);
        for (const id of ids) forget(id);
      });
    },
    cancelDelete() {
      confirmingDelete = null;
      render();
    },
  });
  const transfers = createTransferArea({
    store,
    codec: opts.codec,
    commands,
    notify,
    now,
    selectedIds,
    changed: () => render(),
    selectImported(imported) {
      selected.clear();
      for (const m of imported) selected.add(m.id);
    },
    refresh: () => refresh(),
  });
  const toolbar = el('div', { class: 'ds-row lib-toolbar' }, transfers.exportZip, transfers.exportUdacity, ...selection.controls);

  const clipsSec = section('Clips', transfers.importLabel);
  const playSec = section('Playback');
  const histSec = section('Steering balance');
  const autoSec = section('Auto-record');
  const storeSec = section('Storage');
  playSec.root.hidden = true;
  const root = el('div', { class: 'lib-panel', 'data-testid': 'library' }, clipsSec.root, playSec.root, histSec.root, autoSec.root, storeSec.root);
  opts.container.append(root);

  const listHolder = el('div', { class: 'lib-list' });
  clipsSec.body.append(toolbar, ...selection.below, ...transfers.progress, listHolder);

  const list = createClipList(listHolder, {
    select(id, on) {
      if (on) selected.add(id);
      else selected.delete(id);
      changedSelection();
    },
    selectAll(on) {
      selected.clear();
      if (on) for (const c of clips) selected.add(c.id);
      changedSelection();
    },
    open(id) {
      void openPlayback(id);
    },
    startRename(id) {
      renaming = id;
      confirmingDelete = null;
      render();
    },
    commitRename(id, name) {
      renaming = null;
      void act([id], async () => {
        await commands.rename(id, name);
      });
    },
    cancelRename() {
      renaming = null;
      render();
    },
    askDelete(id) {
      confirmingDelete = id;
      renaming = null;
      render();
    },
    confirmDelete(id) {
      confirmingDelete = null;
      const name = clips.find((c) => c.id === id)?.name ?? 'the clip';
      void act([id], async () => {
        await commands.remove([id], `“${name}”`);
        forget(id);
      });
    },
    cancelDelete() {
      confirmingDelete = null;
      render();
    },
    setTag(id, tag) {
      void act([id], async () => {
        await commands.setTag([id], tag);
      });
    },
    recover(id) {
      void act([id], async () => {
        const m = await commands.recover(id);
        notify(`Recovered “${m.name}”: ${m.frameCount} frames kept.`, 'ok');
      });
    },
  });

  const playback = createPlayback({
    container: playSec.body,
    store,
    notify,
    now,
    ...(opts.saliency ? { saliency: opts.saliency } : {}),
    onClose() {
      openClip = null;
      playSec.root.hidden = true;
      render();
    },
  });
  const labels = createLabelReads({
    store,
    histogramContainer: histSec.body,
    root,
    clips: () => clips,
    selected: () => selected,
    driversChanged: () => scheduleRender(),
  });
  const form = createAutoRecordForm({
    container: autoSec.body,
    presets,
    themes,
    seed: Math.floor(now() / 1000) % 100_000,
    onStart: startAutoRecord,
    onCancel: () => opts.onCancelAutoRecord(),
  });
  const storageSec = createStorageSection({
    container: storeSec.body,
    store,
    notify,
    changed(availableBytes) {
      form.setAvailableBytes(availableBytes);
      render();
    },
  });

  // ---- rendering ----
  function render(): void {
    if (disposed) return;
    list.render({
      clips,
      selected,
      recording: (id) => store.isRecording(id),
      drivers: (id) => labels.driverText(id),
      renaming,
      confirmingDelete,
      openClip,
      busy,
      nowMs: now(),
      presetNames,
    });
    const chosen = clips.filter((c) => selected.has(c.id));
    selection.render({
      selectedCount: selected.size,
      selectedBytes: chosen.reduce((s, c) => s + c.byteSize, 0),
      clipCount: clips.length,
      confirming: confirmingDelete === SELECTION,
      idle: transfers.idle,
    });
    transfers.render(selected.size);
    storageSec.render(clips.reduce((s, c) => s + c.byteSize, 0));
  }

  /** Coalesces the renders a burst of background updates asks for. */
  let renderQueued = false;
  function scheduleRender(): void {
    if (renderQueued) return;
    renderQueued = true;
    setTimeout(() => {
      renderQueued = false;
      render();
    }, 50);
  }

  function changedSelection(): void {
    if (confirmingDelete === SELECTION && selected.size === 0) confirmingDelete = null;
    render();
    void labels.updateHistogram();
  }

  function forget(id: string): void {
    selected.delete(id);
    labels.forget(id);
    if (openClip === id) {
      playback.close();
      openClip = null;
      playSec.root.hidden = true;
    }
  }

  // ---- actions on clips ----
  /** Runs a store call for clips (one, or the ticked ones): their buttons disabled meanwhile, the error shown, the list re-read. */
  async function act(ids: readonly string[], job: () => Promise<void>): Promise<void> {
    for (const id of ids) busy.add(id);
    render();
    try {
      await job();
    } catch (e) {
      notify(messageOf(e), 'error');
    } finally {
      for (const id of ids) busy.delete(id);
      await refresh();
    }
  }

  async function openPlayback(id: string): Promise<void> {
    const meta = clips.find((c) => c.id === id);
    if (!meta) return;
    if (meta.frameCount === 0) {
      notify(`“${meta.name}” has no frames yet.`, 'info');
      return;
    }
    try {
      openClip = id;
      playSec.root.hidden = false;
      render();
      await playback.open(meta);
      playSec.root.scrollIntoView?.({ block: 'nearest', behavior: 'smooth' });
    } catch (e) {
      openClip = null;
      playSec.root.hidden = true;
      render();
      notify(messageOf(e), 'error');
    }
  }

  // ---- actions on the selection ----
  function selectedIds(): string[] {
    return clips.filter((c) => selected.has(c.id)).map((c) => c.id);
  }

  // ---- auto-record ----
  let lastAutoRefresh = -Infinity;
  function startAutoRecord(request: AutoRecordRequest): void {
    form.setProgress({ fraction: 0, frames: 0, message: 'Starting…' });
    const finish = (): void => {
      form.setProgress(null);
      void refresh();
    };
    let result: void | Promise<unknown>;
    try {
      result = opts.onAutoRecord(request);
    } catch (e) {
      notify(messageOf(e), 'error');
      finish();
      return;
    }
    if (result instanceof Promise) {
      result.then(finish, (e: unknown) => {
        if (!isDataError(e, 'cancelled')) notify(messageOf(e), 'error');
        finish();
      });
    }
  }

  // ---- refresh ----
  let refreshing: Promise<void> | null = null;
  let again = false;
  async function refreshOnce(): Promise<void> {
    let listed: ClipMeta[];
    try {
      listed = await store.list();
    } catch (e) {
      notify(messageOf(e), 'error');
      return;
    }
    if (disposed) return;
    clips = listed.slice().reverse(); // newest first
    const ids = new Set(clips.map((c) => c.id));
    for (const id of [...selected]) if (!ids.has(id)) selected.delete(id);
    labels.keepOnly(ids);
    if (openClip && !ids.has(openClip)) forget(openClip);
    if (renaming && !ids.has(renaming)) renaming = null;
    if (confirmingDelete && confirmingDelete !== SELECTION && !ids.has(confirmingDelete)) confirmingDelete = null;
    render();
    labels.listChanged();
    await storageSec.read();
  }

  async function refresh(): Promise<void> {
    if (refreshing) {
      again = true;
      return refreshing;
    }
    refreshing = (async () => {
      do {
        again = false;
        await refreshOnce();
      } while (again && !disposed);
    })();
    try {
      await refreshing;
    } finally {
      refreshing = null;
    }
  }

  render();
  void refresh();

  return {
    refresh,
    setAutoRecordProgress(p) {
      form.setProgress(p);
      // Re-read the list now and then while recording, so new clips appear as they are made.
      if (p === null || now() - lastAutoRefresh >= AUTO_REFRESH_MS) {
        lastAutoRefresh = now();
        void refresh();
      }
    },
    dispose() {
      disposed = true;
      labels.dispose();
      transfers.dispose();
      playback.dispose();
      form.dispose();
      storageSec.dispose();
      list.dispose();
      root.remove();
    },
  };
}
