// The Library's export and import: the Export zip / Export Udacity buttons, Import (a file
// input in the Clips header), the progress bar with Cancel, and the link that saves the last
// export again. One transfer at a time; an import goes through the app's commands
// (libraryIntents.ts), an export only reads the store.
//
// Test ids: export-zip, export-udacity, import-file (the <input type=file>), transfer-progress
// (with data-fraction), transfer-text, transfer-cancel, export-download.

import type { ClipMeta, ClipStore, ImageCodec, TransferOptions } from '../../data/index.ts';
import { exportClipsZip, exportUdacityZip, isDataError } from '../../data/index.ts';
import { el, messageOf } from '../dom.ts';
import { detectArchiveLayout } from './archiveLayout.ts';
import { exportFileName, formatBytes, nameFromFileName } from './format.ts';
import type { LibraryCommands } from './libraryIntents.ts';

type NoticeKind = 'info' | 'ok' | 'warn' | 'error';

export interface TransferAreaOptions {
  readonly store: ClipStore;
  readonly codec: ImageCodec;
  readonly commands: Pick<LibraryCommands, 'importArchive'>;
  notify(text: string, kind: NoticeKind): void;
  now(): number;
  /** The selected clips' ids, in list order. */
  selectedIds(): string[];
  /** A transfer started or ended: the panel renders again (its buttons wait for transfers). */
  changed(): void;
  /** Clips were imported: the panel selects them. */
  selectImported(clips: readonly ClipMeta[]): void;
  /** Re-reads the clip list. */
  refresh(): Promise<void>;
}

export interface TransferArea {
  readonly exportZip: HTMLButtonElement;
  readonly exportUdacity: HTMLButtonElement;
  /** Import…, a label around the file input. */
  readonly importLabel: HTMLElement;
  /** The progress bar and the download link, for under the toolbar. */
  readonly progress: readonly HTMLElement[];
  /** No transfer is running. */
  readonly idle: boolean;
  /** Buttons enabled for `selectedCount` clips, and the progress shown. */
  render(selectedCount: number): void;
  dispose(): void;
}

interface Transfer {
  readonly label: string;
  readonly controller: AbortController;
  fraction: number;
  phase: string;
}

export function createTransferArea(opts: TransferAreaOptions): TransferArea {
  const { store, notify, now } = opts;
  let transfer: Transfer | null = null;
  let download: { url: string; name: string; size: number } | null = null;
  let disposed = false;

  const exportZip = el('button', { type: 'button', class: 'ds-btn', 'data-testid': 'export-zip', title: 'The selected clips as a DeepSteer archive (frames and every label)' }, 'Export zip');
  const exportUdacity = el('button', { type: 'button', class: 'ds-btn', 'data-testid': 'export-udacity', title: 'The selected clips as driving_log.csv + IMG/*.jpg, for scripts written for the Udacity simulator' }, 'Export Udacity');
  const fileInput = el('input', { type: 'file', accept: '.zip,application/zip', 'data-testid': 'import-file', class: 'lib-file' });
  const importLabel = el('label', { class: 'ds-btn lib-import', title: 'A DeepSteer clip archive, or a Udacity simulator recording (driving_log.csv + IMG/)' }, fileInput, 'Import…');

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

  function renderProgress(): void {
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

  /** Runs one export or import with the progress bar and Cancel; null if it failed or was cancelled. */
  async function runTransfer<T>(label: string, job: (o: TransferOptions) => Promise<T>, expected?: string): Promise<T | null> {
    if (transfer) return null;
    const t: Transfer = { label, controller: new AbortController(), fraction: 0, phase: 'starting' };
    transfer = t;
    opts.changed();
    try {
      return await job({
        signal: t.controller.signal,
        onProgress: (p) => {
          t.fraction = p.fraction;
          t.phase = p.phase;
          renderProgress();
        },
      });
    } catch (e) {
      if (isDataError(e, 'cancelled')) notify(`${label}: cancelled.`, 'info');
      else notify(`${label} failed: ${messageOf(e)}${expected ? ` ${expected}` : ''}`, 'error'); // names the file and the format expected
      return null;
    } finally {
      transfer = null;
      opts.changed();
    }
  }

  transferCancel.addEventListener('click', () => {
    transfer?.controller.abort();
    renderProgress();
  });

  function offerDownload(blob: Blob, name: string): void {
    if (download) URL.revokeObjectURL(download.url);
    download = { url: URL.createObjectURL(blob), name, size: blob.size };
    renderProgress();
    downloadLink.click();
  }

  async function exportSelection(kind: 'clips' | 'udacity'): Promise<void> {
    const ids = opts.selectedIds();
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
      return opts.commands.importArchive(file, { ...o, layout: layout === 'udacity' ? 'udacity' : 'clips', name: nameFromFileName(file.name), createdAt: now() });
    }, 'Expected a DeepSteer clips .zip (exported from this Library) or a Udacity simulator recording .zip (driving_log.csv with an IMG/ folder); see docs/formats.md.');
    if (!imported || disposed) {
      await opts.refresh();
      return;
    }
    opts.selectImported(imported);
    const frames = imported.reduce((s, m) => s + m.frameCount, 0);
    const kind = layout === 'udacity' ? 'Udacity recording' : `clip${imported.length === 1 ? '' : 's'}`;
    notify(`Imported ${layout === 'udacity' ? 'a' : imported.length} ${kind} (${frames} frames).`, 'ok');
    await opts.refresh();
  }

  return {
    exportZip,
    exportUdacity,
    importLabel,
    progress: [transferBox, downloadLink],
    get idle() {
      return transfer === null;
    },
    render(k) {
      const idle = transfer === null;
      exportZip.disabled = !idle || k === 0;
      exportUdacity.disabled = !idle || k === 0;
      fileInput.disabled = !idle;
      importLabel.classList.toggle('disabled', !idle);
      renderProgress();
    },
    dispose() {
      disposed = true;
      transfer?.controller.abort();
      if (download) URL.revokeObjectURL(download.url);
      download = null;
    },
  };
}
