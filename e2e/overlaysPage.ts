// Page helpers for the model overlays (shared by overlays.spec.ts and overlaysWebgpu.spec.ts):
// reading a canvas's own pixels, setting the toggles, and counting the main view's frames.
import type { Locator, Page } from '@playwright/test';

export type OverlayKind = 'saliency' | 'layers' | 'gates';
export const OVERLAY_KINDS: readonly OverlayKind[] = ['saliency', 'layers', 'gates'];

export interface CanvasPixels {
  width: number;
  height: number;
  /** Distinct RGBA values. */
  distinct: number;
  meanAlpha: number;
  /** A hash of every pixel: changes when the picture does. */
  hash: number;
}

/** Reads a canvas element's own pixels (not a screenshot: what was drawn into it). */
export function pixelsOf(canvas: Locator): Promise<CanvasPixels> {
  return canvas.evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    const seen = new Set<number>();
    let alpha = 0;
    let hash = 0;
    for (let i = 0; i < d.length; i += 4) {
      const v = ((d[i] << 24) | (d[i + 1] << 16) | (d[i + 2] << 8) | d[i + 3]) >>> 0;
      seen.add(v);
      alpha += d[i + 3];
      hash = (hash * 31 + v) >>> 0;
    }
    return { width: c.width, height: c.height, distinct: seen.size, meanAlpha: alpha / Math.max(1, d.length / 4), hash };
  });
}

/** The pixels of the canvas with this test id. */
export function canvasPixels(page: Page, testId: string): Promise<CanvasPixels> {
  return pixelsOf(page.getByTestId(testId));
}

/**
 * Clicks the toggles so that exactly `on` are pressed. A DOM click event: Playwright's click first
 * waits for the button to hold still over animation frames, which takes seconds when a loaded
 * machine runs the view at 1 fps or less.
 */
export async function setOverlays(page: Page, on: readonly OverlayKind[]): Promise<void> {
  for (const k of OVERLAY_KINDS) {
    const b = page.getByTestId(`overlay-${k}`);
    if ((await b.getAttribute('aria-pressed') === 'true') !== on.includes(k)) await b.dispatchEvent('click');
  }
}

/**
 * The main view's frame rate over `ms` of wall time: animation frames counted in the page (the
 * game's loop renders the view once per animation frame), from the first frame to the last.
 */
export function countFrames(page: Page, ms: number): Promise<{ fps: number; frames: number; ms: number }> {
  return page.evaluate((span) => new Promise<{ fps: number; frames: number; ms: number }>((resolve) => {
    let first = -1;
    let frames = 0;
    const tick = (t: number): void => {
      if (first < 0) first = t;
      else frames++;
      if (t - first < span) requestAnimationFrame(tick);
      else resolve({ fps: (frames * 1000) / (t - first), frames, ms: t - first });
    };
    requestAnimationFrame(tick);
  }), ms);
}

/**
 * CPU time used so far by the processes this test process started (the browser: its renderer
 * with the workers' threads, its GPU process...), in ms, from /proc (Linux; NaN elsewhere). Unlike
 * a frame rate, a frame's CPU time barely changes when other work shares the cores.
 */
export async function browserCpuMs(): Promise<number> {
  const { readdir, readFile } = await import('node:fs/promises');
  const TICK_MS = 10; // USER_HZ is 100 on Linux
  let entries: string[];
  try {
    entries = (await readdir('/proc')).filter((e) => /^\d+$/.test(e));
  } catch {
    return NaN;
  }
  const procs = new Map<number, { ppid: number; ticks: number }>();
  await Promise.all(entries.map(async (e) => {
    try {
      const stat = await readFile(`/proc/${e}/stat`, 'utf8');
      // Fields after the command (which may hold spaces): state ppid ... utime(14) stime(15), 1-based.
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      procs.set(Number(e), { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) });
    } catch {
      // Gone since the listing.
    }
  }));
  const mine = new Set([process.pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, p] of procs) {
      if (!mine.has(pid) && mine.has(p.ppid)) {
        mine.add(pid);
        grew = true;
      }
    }
  }
  let ticks = 0;
  for (const pid of mine) if (pid !== process.pid) ticks += procs.get(pid)?.ticks ?? 0;
  return ticks * TICK_MS;
}
