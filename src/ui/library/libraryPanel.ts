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
//   tag-selected (select), delete-selected -> delete-selected-confirm / delete-selected-cancel
//   export-zip, export-udacity, import-file (the <input type=file>), transfer-progress (with
//   data-fraction), transfer-text, transfer-cancel, export-download (the saved file's link)
//   histogram (histogram-canvas, histogram-scope, histogram-verdict, histogram-all-cameras)
//   playback (data-clip-id), playback-frame (data-step), playback-steer, playback-readout,
//   playback-scrubber, playback-play (data-playing), playback-time, playback-camera,
//   playback-close, playback-plots
//   storage-usage, persist-button, persist-status (data-persisted)
//   autorecord-minutes, autorecord-tracks-{current,list,random}, autorecord-preset-<id>,
//   autorecord-seeds, autorecord-random-count, autorecord-theme-<theme>, autorecord-noise,
//   autorecord-weave, autorecord-side, autorecord-side-offset, autorecord-side-yaw,
//   autorecord-size, autorecord-rate, autorecord-seed, autorecord-estimate,
//   autorecord-problems, autorecord-start, autorecord-progress (data-fraction),
//   autorecord-message, autorecord-cancel

import './library.css';
import type { ClipMeta, ClipStore, ClipTag, ImageCodec, SteeringHistogram, StorageEstimate, TransferOptions } from '../../data/index.ts';
import { exportClipsZip, exportUdacityZip, isDataError } from '../../data/index.ts';
import type { LibraryCommands } from './libraryIntents.ts';
import { PRESET_NAMES, resolveTrack } from '../../sim/tracks.ts';
import { detectArchiveLayout } from './archiveLayout.ts';
import type { AutoRecordRequest } from './autoRecord.ts';
import { DEFAULT_THEMES } from './autoRecord.ts';
import type { AutoRecordProgress } from './autoRecordForm.ts';
import { createAutoRecordForm } from './autoRecordForm.ts';
import { createClipList } from './clipList.ts';
import { el, messageOf } from '../dom.ts';
import { driverSummary, exportFileName, formatBytes, nameFromFileName } from './format.ts';
import { createHistogramView } from './histogramView.ts';
import { createPlayback, type PlaybackOptions } from './playback.ts';
import type { SteeringVerdict } from './steeringBalance.ts';
import { steeringVerdict, sumHistograms } from './steeringBalance.ts';
import { createStorageView } from './storageView.ts';

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

/** Bins of the histogram drawn (odd, so straight driving has its own bin). */
const HIST_BINS = 51;
/** How often the list is re-read while an auto-record reports progress, ms. */
const AUTO_REFRESH_MS = 3000;
/** confirmingDelete's value while the bulk delete asks for confirmation. */
const SELECTION = '__selection__';

interface Transfer {
  readonly label: string;
  readonly controller: AbortController;
  fraction: number;
  phase: string;
}

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
  let transfer: Transfer | null = null;
  let download: { url: string; name: string; size: number } | null = null;
  let storage: StorageEstimate | null | undefined = undefined;
  let askingPersist = false;
  let histAllCameras = false;
  let disposed = false;
  /** Driver summary per clip, valid while its frameCount is unchanged. */
  const drivers = new Map<string, { frameCount: number; text: string }>();
  /** Per-clip histograms, keyed by id, frameCount and camera mode. */
  const histCache = new Map<string, SteeringHistogram>();

  // ---- layout ----
  const section = (title: string, ...extra: HTMLElement[]): { root: HTMLElement; body: HTMLElement } => {
    const body = el('div');
    const head = el('div', { class: 'lib-head' }, el('h3', {}, title), ...extra);
    const root = el('section', { class: 'ds-section lib-section' }, head, body);
    return { root, body };
  };
  // Toolbar: actions on the selection; Import sits in the section's header.
  const exportZip = el('button', { type: 'button', class: 'ds-btn', 'data-testid': 'export-zip', title: 'The selected clips as a DeepSteer archive (frames and every label)' }, 'Export zip');
  const exportUdacity = el('button', { type: 'button', class: 'ds-btn', 'data-testid': 'export-udacity', title: 'The selected clips as driving_log.csv + IMG/*.jpg, for scripts written for the Udacity simulator' }, 'Export Udacity');
  const tagSelected = el('select', { class: 'lib-tag', 'data-testid': 'tag-selected', 'aria-label': 'Tag the selected clips' });
  tagSelected.append(
    el('option', { value: '', selected: true, disabled: true }, 'Tag as…'),
    el('option', { value: 'train' }, 'train'),
    el('option', { value: 'val' }, 'val'),
    el('option', { value: 'none' }, 'none'),
  );
  const deleteSelected = el('button', { type: 'button', class: 'ds-btn danger', 'data-testid': 'delete-selected' }, 'Delete');
  const fileInput = el('input', { type: 'file', accept: '.zip,application/zip', 'data-testid': 'import-file', class: 'lib-file' });
  const importLabel = el('label', { class: 'ds-btn lib-import', title: 'A DeepSteer clip archive, or a Udacity simulator recording (driving_log.csv + IMG/)' }, fileInput, 'Import…');
  const selectionInfo = el('span', { class: 'ds-muted' });
  const toolbar = el('div', { class: 'ds-row lib-toolbar' }, exportZip, exportUdacity, tagSelected, deleteSelected);

  const clipsSec = section('Clips', importLabel);
  const playSec = section('Playback');
  const histSec = section('Steering balance');
  const autoSec = section('Auto-record');
  const storeSec = section('Storage');
  playSec.root.hidden = true;
  const root = el('div', { class: 'lib-panel', 'data-testid': 'library' }, clipsSec.root, playSec.root, histSec.root, autoSec.root, storeSec.root);
  opts.container.append(root);
  const bulkConfirm = el('div', { class: 'lib-confirm-box', 'data-testid': 'delete-selected-prompt' });
  bulkConfirm.hidden = true;

  const transferBar = el('div');
  const transferText = el('span', { class: 'lib-progress-text', 'data-testid': 'transfer-text' });
  const transferCancel = el('button', { type: 'button', class: 'ds-btn lib-small', 'data-testid': 'transfer-cancel' }, 'Cancel');
  const transferBox = el(
    'div',
    { class: 'lib-transfer', 'data-testid': 'transfer-progress' },
    el('div', { class: 'ds-progress', role: 'progressbar', 'aria-label': 'Transfer progress' }, transferBar),
    el('div', { class: 'ds-row lib-between' }, transferText, transferCancel),
  );
  transferBox.hidden = true;
  const downloadLink = el('a', { class: 'lib-download', 'data-testid': 'export-download' });
  downloadLink.hidden = true;
  const listHolder = el('div', { class: 'lib-list' });
  clipsSec.body.append(toolbar, selectionInfo, bulkConfirm, transferBox, downloadLink, listHolder);

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
      void act(id, async () => {
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
      void act(id, async () => {
        await commands.remove([id], `“${name}”`);
        forget(id);
      });
    },
    cancelDelete() {
      confirmingDelete = null;
      render();
    },
    setTag(id, tag) {
      void act(id, async () => {
        await commands.setTag([id], tag);
      });
    },
    recover(id) {
      void act(id, async () => {
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
  const histView = createHistogramView(histSec.body, {
    allCameras(on) {
      histAllCameras = on;
      void updateHistogram();
    },
  });
  const form = createAutoRecordForm({
    container: autoSec.body,
    presets,
    themes,
    seed: Math.floor(now() / 1000) % 100_000,
    onStart: startAutoRecord,
    onCancel: () => opts.onCancelAutoRecord(),
  });
  const storageView = createStorageView(storeSec.body, { persist: () => void persist() });

  // ---- rendering ----
  function render(): void {
    if (disposed) return;
    list.render({
      clips,
      selected,
      recording: (id) => store.isRecording(id),
      drivers: (id) => drivers.get(id)?.text ?? '',
      renaming,
      confirmingDelete,
      openClip,
      busy,
      nowMs: now(),
      presetNames,
    });
    const k = selected.size;
    const idle = transfer === null;
    exportZip.disabled = !idle || k === 0;
    exportUdacity.disabled = !idle || k === 0;
    tagSelected.disabled = k === 0;
    deleteSelected.disabled = k === 0 || !idle;
    fileInput.disabled = !idle;
    importLabel.classList.toggle('disabled', !idle);
    selectionInfo.textContent = k === 0 ? 'Tick clips to export, tag or delete several at once.' : '';
    selectionInfo.hidden = k > 0 || clips.length === 0;
    renderBulkConfirm();
    renderTransfer();
    storageView.render({ estimate: storage, clipBytes: clips.reduce((s, c) => s + c.byteSize, 0), asking: askingPersist });
  }

  function renderBulkConfirm(): void {
    const show = confirmingDelete === SELECTION && selected.size > 0;
    bulkConfirm.hidden = !show;
    if (!show) {
      bulkConfirm.replaceChildren();
      return;
    }
    const chosen = clips.filter((c) => selected.has(c.id));
    const bytes = chosen.reduce((s, c) => s + c.byteSize, 0);
    const yes = el('button', { type: 'button', class: 'ds-btn danger-solid', 'data-testid': 'delete-selected-confirm' }, `Delete ${chosen.length}`);
    const no = el('button', { type: 'button', class: 'ds-btn', 'data-testid': 'delete-selected-cancel' }, 'Keep');
    yes.addEventListener('click', () => void deleteSelection());
    no.addEventListener('click', () => {
      confirmingDelete = null;
      render();
    });
    bulkConfirm.replaceChildren(el('span', {}, `Delete ${chosen.length} clip${chosen.length === 1 ? '' : 's'} (${formatBytes(bytes)}) for good?`), yes, no);
  }

  function renderTransfer(): void {
    transferBox.hidden = transfer === null;
    if (transfer) {
      transferBar.style.width = `${(100 * transfer.fraction).toFixed(1)}%`;
      transferBox.dataset.fraction = transfer.fraction.toFixed(3);
      transferText.textContent = `${transfer.label}: ${transfer.phase} ${Math.floor(100 * transfer.fraction)}%`;
      transferCancel.disabled = transfer.controller.signal.aborted;
    }
    downloadLink.hidden = download === null;
    if (download) {
      downloadLink.href = download.url;
      downloadLink.download = download.name;
      downloadLink.textContent = `Save ${download.name} (${formatBytes(download.size)}) again`;
    }
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
    void updateHistogram();
  }

  function forget(id: string): void {
    selected.delete(id);
    drivers.delete(id);
    if (openClip === id) {
      playback.close();
      openClip = null;
      playSec.root.hidden = true;
    }
  }

  // ---- actions on one clip ----
  /** Runs a store call for one clip: buttons disabled meanwhile, the error shown, the list re-read. */
  async function act(id: string, job: () => Promise<void>): Promise<void> {
    busy.add(id);
    render();
    try {
      await job();
    } catch (e) {
      notify(messageOf(e), 'error');
    } finally {
      busy.delete(id);
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
  tagSelected.addEventListener('change', () => {
    const v = tagSelected.value;
    tagSelected.value = '';
    const tag: ClipTag | null = v === 'train' || v === 'val' ? v : null;
    const ids = clips.filter((c) => selected.has(c.id)).map((c) => c.id);
    void (async () => {
      for (const id of ids) busy.add(id);
      render();
      try {
        await commands.setTag(ids, tag);
      } catch (e) {
        notify(messageOf(e), 'error');
      } finally {
        for (const id of ids) busy.delete(id);
        await refresh();
      }
    })();
  });

  deleteSelected.addEventListener('click', () => {
    confirmingDelete = SELECTION;
    renaming = null;
    render();
  });

  async function deleteSelection(): Promise<void> {
    confirmingDelete = null;
    const ids = clips.filter((c) => selected.has(c.id)).map((c) => c.id);
    for (const id of ids) busy.add(id);
    render();
    try {
      await commands.remove(ids, `${ids.length} clip${ids.length === 1 ? '' : 's'}`);
      for (const id of ids) forget(id);
    } catch (e) {
      notify(messageOf(e), 'error');
    } finally {
      for (const id of ids) busy.delete(id);
      await refresh();
    }
  }

  // ---- export and import ----
  /** Runs one export or import with the progress bar and Cancel; null if it failed or was cancelled. */
  async function runTransfer<T>(label: string, job: (o: TransferOptions) => Promise<T>, expected?: string): Promise<T | null> {
    if (transfer) return null;
    const t: Transfer = { label, controller: new AbortController(), fraction: 0, phase: 'starting' };
    transfer = t;
    render();
    try {
      return await job({
        signal: t.controller.signal,
        onProgress: (p) => {
          t.fraction = p.fraction;
          t.phase = p.phase;
          renderTransfer();
        },
      });
    } catch (e) {
      if (isDataError(e, 'cancelled')) notify(`${label}: cancelled.`, 'info');
      else notify(`${label} failed: ${messageOf(e)}${expected ? ` ${expected}` : ''}`, 'error'); // names the file and the format expected
      return null;
    } finally {
      transfer = null;
      render();
    }
  }

  transferCancel.addEventListener('click', () => {
    transfer?.controller.abort();
    renderTransfer();
  });

  function offerDownload(blob: Blob, name: string): void {
    if (download) URL.revokeObjectURL(download.url);
    download = { url: URL.createObjectURL(blob), name, size: blob.size };
    renderTransfer();
    downloadLink.click();
  }

  async function exportSelection(kind: 'clips' | 'udacity'): Promise<void> {
    const ids = clips.filter((c) => selected.has(c.id)).map((c) => c.id);
    if (ids.length === 0) return;
    const what = `${ids.length} clip${ids.length === 1 ? '' : 's'}`;
    const blob = await runTransfer(kind === 'clips' ? `Exporting ${what}` : `Exporting ${what} for Udacity`, (o) =>
      kind === 'clips' ? exportClipsZip(store, ids, o) : exportUdacityZip(store, ids, { ...o, codec: opts.codec }),
    );
    if (!blob || disposed) return;
    offerDownload(blob, exportFileName(kind, now()));
    notify(`Exported ${what} (${formatBytes(blob.size)}).`, 'ok');
  }
  exportZip.addEventListener('click', () => void exportSelection('clips'));
  exportUdacity.addEventListener('click', () => void exportSelection('udacity'));

  fileInput.addEventListener('change', () => {
    const file = fileInput.files?.[0];
    fileInput.value = ''; // so choosing the same file again imports again
    if (file) void importFile(file);
  });

  async function importFile(file: File): Promise<void> {
    const layout = await detectArchiveLayout(file);
    const imported = await runTransfer(`Importing ${file.name}`, async (o) => {
      // 'unknown' goes to the DeepSteer importer: its error says what the file lacks.
      return commands.importArchive(file, { ...o, layout: layout === 'udacity' ? 'udacity' : 'clips', name: nameFromFileName(file.name), createdAt: now() });
    }, 'Expected a DeepSteer clips .zip (exported from this Library) or a Udacity simulator recording .zip (driving_log.csv with an IMG/ folder); see docs/formats.md.');
    if (!imported || disposed) {
      await refresh();
      return;
    }
    selected.clear();
    for (const m of imported) selected.add(m.id);
    const frames = imported.reduce((s, m) => s + m.frameCount, 0);
    const kind = layout === 'udacity' ? 'Udacity recording' : `clip${imported.length === 1 ? '' : 's'}`;
    notify(`Imported ${layout === 'udacity' ? 'a' : imported.length} ${kind} (${frames} frames).`, 'ok');
    await refresh();
  }

  // ---- steering histogram ----
  let histRun = 0;
  let lastHist: { histogram: SteeringHistogram | null; verdict: SteeringVerdict | null; skipped: number } = { histogram: null, verdict: null, skipped: 0 };
  async function updateHistogram(): Promise<void> {
    const run = ++histRun;
    const usable = clips.filter((c) => c.frameCount > 0);
    const scopeClips = selected.size > 0 ? usable.filter((c) => selected.has(c.id)) : usable;
    const scope =
      selected.size > 0
        ? `${selected.size} selected clip${selected.size === 1 ? '' : 's'}`
        : clips.length === 0
        ? 'No clips'
        : `all ${clips.length} clip${clips.length === 1 ? '' : 's'}`;
    const hasSide = scopeClips.some((c) => c.cameras.length > 1);
    const mode = histAllCameras && hasSide ? 'all' : 'center';
    const base = { scope, allCameras: histAllCameras, hasSideCameras: hasSide };
    // Keep the last bars up while counting, so periodic refreshes do not flash an empty chart.
    histView.render({ ...base, ...lastHist, loading: true });
    const parts: SteeringHistogram[] = [];
    let skipped = 0;
    for (const c of scopeClips) {
      const key = `${c.id}:${c.frameCount}:${mode}`;
      let h = histCache.get(key);
      if (!h) {
        try {
          h = await store.steeringHistogram([c.id], { bins: HIST_BINS, cameras: mode });
          if (!store.isRecording(c.id)) histCache.set(key, h);
        } catch {
          skipped++;
          continue;
        }
      }
      if (run !== histRun || disposed) return;
      parts.push(h);
    }
    if (run !== histRun || disposed) return;
    const histogram = sumHistograms(parts, HIST_BINS);
    lastHist = { histogram, verdict: steeringVerdict(histogram), skipped };
    histView.render({ ...base, ...lastHist, loading: false });
  }

  // ---- drivers (read from labels in the background, once per clip) ----
  let driversRunning = false;
  async function fillDrivers(): Promise<void> {
    if (driversRunning) return;
    driversRunning = true;
    try {
      for (;;) {
        const next = clips.find((c) => c.frameCount > 0 && !store.isRecording(c.id) && drivers.get(c.id)?.frameCount !== c.frameCount);
        if (!next || disposed) return;
        let text = '';
        try {
          text = driverSummary((await store.labels(next.id)).driver);
        } catch {
          text = ''; // unreadable until recovered; the status says so
        }
        drivers.set(next.id, { frameCount: next.frameCount, text });
        scheduleRender();
      }
    } finally {
      driversRunning = false;
    }
  }

  // ---- storage ----
  async function readStorage(): Promise<void> {
    try {
      storage = await store.storageEstimate();
    } catch {
      storage = null;
    }
    form.setAvailableBytes(storage ? storage.availableBytes : null);
    render();
  }

  async function persist(): Promise<void> {
    askingPersist = true;
    render();
    try {
      const granted = await store.requestPersistence();
      notify(
        granted
          ? 'Your clips are kept: the browser will not clear them to free space.'
          : 'The browser declined to promise keeping your clips (it often agrees once the site is bookmarked or installed). Export what matters.',
        granted ? 'ok' : 'warn',
      );
    } catch (e) {
      notify(messageOf(e), 'error');
    } finally {
      askingPersist = false;
      await readStorage();
    }
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

  // ---- label reads wait until the panel is on screen ----
  // The histogram and the driver summaries read every clip's labels. The app creates the panel
  // at startup, usually hidden (the drawer body is display:none), and the player may be
  // recording meanwhile: defer those reads until the panel shows, so they never compete.
  let shown = false;
  let labelsStale = false;
  function readLabelsWhenShown(): void {
    if (!shown) {
      labelsStale = true;
      return;
    }
    labelsStale = false;
    void updateHistogram();
    void fillDrivers();
  }
  const visibility = new ResizeObserver(() => {
    shown = root.offsetWidth > 0;
    if (shown && labelsStale) readLabelsWhenShown();
  });
  visibility.observe(root);

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
    for (const id of [...drivers.keys()]) if (!ids.has(id)) drivers.delete(id);
    for (const key of [...histCache.keys()]) if (!ids.has(key.slice(0, key.indexOf(':')))) histCache.delete(key);
    if (openClip && !ids.has(openClip)) forget(openClip);
    if (renaming && !ids.has(renaming)) renaming = null;
    if (confirmingDelete && confirmingDelete !== SELECTION && !ids.has(confirmingDelete)) confirmingDelete = null;
    render();
    readLabelsWhenShown();
    await readStorage();
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
      visibility.disconnect();
      transfer?.controller.abort();
      if (download) URL.revokeObjectURL(download.url);
      download = null;
      playback.dispose();
      histView.dispose();
      form.dispose();
      storageView.dispose();
      list.dispose();
      root.remove();
    },
  };
}
