// What the Library reads from the clips' labels in the background: the steering balance of the
// chosen clips (the histogram, cached per clip) and each clip's driver summary (read once per
// clip and length). These reads touch every clip, so they wait until the panel is on screen:
// the app creates the panel at startup, usually hidden (the drawer body is display:none), and
// the player may be recording meanwhile; the reads never compete with that.

import type { ClipMeta, ClipStore, SteeringHistogram } from '../../data/index.ts';
import { driverSummary } from './format.ts';
import { createHistogramView } from './histogramView.ts';
import { type SteeringVerdict, steeringVerdict, sumHistograms } from './steeringBalance.ts';

/** Bins of the histogram drawn (odd, so straight driving has its own bin). */
const HIST_BINS = 51;

export interface LabelReadsOptions {
  readonly store: ClipStore;
  /** Where the histogram goes. */
  readonly histogramContainer: HTMLElement;
  /** The panel's root: reads wait until it has a size. */
  readonly root: HTMLElement;
  /** The clips listed, newest first, and the selection. */
  clips(): readonly ClipMeta[];
  selected(): ReadonlySet<string>;
  /** A driver summary arrived: the list renders again (coalesced by the panel). */
  driversChanged(): void;
}

export interface LabelReads {
  /** "expert 80% · human 20%", or '' until read. */
  driverText(clipId: string): string;
  /** The list was re-read: histogram and driver summaries, now if the panel shows, else when it does. */
  listChanged(): void;
  /** The selection changed: the histogram's scope follows at once. */
  updateHistogram(): Promise<void>;
  /** Drops what was read of clips no longer listed (or one clip, deleted). */
  keepOnly(ids: ReadonlySet<string>): void;
  forget(clipId: string): void;
  dispose(): void;
}

export function createLabelReads(opts: LabelReadsOptions): LabelReads {
  const { store } = opts;
  let disposed = false;
  let allCameras = false;
  /** Driver summary per clip, valid while its frameCount is unchanged. */
  const drivers = new Map<string, { frameCount: number; text: string }>();
  /** Per-clip histograms, keyed by id, frameCount and camera mode. */
  const histCache = new Map<string, SteeringHistogram>();
  const histView = createHistogramView(opts.histogramContainer, {
    allCameras(on) {
      allCameras = on;
      void updateHistogram();
    },
  });

  // ---- steering histogram ----
  let histRun = 0;
  let lastHist: { histogram: SteeringHistogram | null; verdict: SteeringVerdict | null; skipped: number } = { histogram: null, verdict: null, skipped: 0 };
  async function updateHistogram(): Promise<void> {
    const run = ++histRun;
    const clips = opts.clips();
    const selected = opts.selected();
    const usable = clips.filter((c) => c.frameCount > 0);
    const scopeClips = selected.size > 0 ? usable.filter((c) => selected.has(c.id)) : usable;
    const scope =
      selected.size > 0
        ? `${selected.size} selected clip${selected.size === 1 ? '' : 's'}`
        : clips.length === 0
        ? 'No clips'
        : `all ${clips.length} clip${clips.length === 1 ? '' : 's'}`;
    const hasSide = scopeClips.some((c) => c.cameras.length > 1);
    const mode = allCameras && hasSide ? 'all' : 'center';
    const base = { scope, allCameras, hasSideCameras: hasSide };
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
        const next = opts.clips().find((c) => c.frameCount > 0 && !store.isRecording(c.id) && drivers.get(c.id)?.frameCount !== c.frameCount);
        if (!next || disposed) return;
        let text = '';
        try {
          text = driverSummary((await store.labels(next.id)).driver);
        } catch {
          text = ''; // unreadable until recovered; the status says so
        }
        drivers.set(next.id, { frameCount: next.frameCount, text });
        opts.driversChanged();
      }
    } finally {
      driversRunning = false;
    }
  }

  // ---- reads wait until the panel is on screen ----
  let shown = false;
  let stale = false;
  function readWhenShown(): void {
    if (!shown) {
      stale = true;
      return;
    }
    stale = false;
    void updateHistogram();
    void fillDrivers();
  }
  const visibility = new ResizeObserver(() => {
    shown = opts.root.offsetWidth > 0;
    if (shown && stale) readWhenShown();
  });
  visibility.observe(opts.root);

  return {
    driverText: (id) => drivers.get(id)?.text ?? '',
    listChanged: readWhenShown,
    updateHistogram,
    keepOnly(ids) {
      for (const id of [...drivers.keys()]) if (!ids.has(id)) drivers.delete(id);
      for (const key of [...histCache.keys()]) if (!ids.has(key.slice(0, key.indexOf(':')))) histCache.delete(key);
    },
    forget(id) {
      drivers.delete(id);
    },
    dispose() {
      disposed = true;
      visibility.disconnect();
      histView.dispose();
    },
  };
}
