// Page object for the game: opens it, reads the HUD, and reaches the typed test hook.
import { expect, type Page } from '@playwright/test';
import type { TestHook, TestState } from '../src/app/testHook.ts';

export class GamePage {
  readonly errors: string[] = [];

  constructor(readonly page: Page) {
    page.on('console', (m) => {
      if (m.type() === 'error') this.errors.push(m.text());
    });
    page.on('pageerror', (e) => this.errors.push(e.message));
  }

  /**
   * Library > Auto-record as a player fills it: these presets as the track list, these themes
   * beside the default day, and the minutes (the field checks on blur).
   */
  async fillAutoRecord(o: { presets: readonly string[]; themes: readonly string[]; minutes: string }): Promise<void> {
    await this.page.getByTestId('panel-library').click();
    await this.page.getByTestId('autorecord-tracks-list').check();
    for (const p of o.presets) await this.page.getByTestId(`autorecord-preset-${p}`).check();
    for (const t of o.themes) await this.page.getByTestId(`autorecord-theme-${t}`).check();
    const minutes = this.page.getByTestId('autorecord-minutes');
    await minutes.fill(o.minutes);
    await minutes.blur();
  }

  async open(query = ''): Promise<void> {
    await this.page.goto(`/${query}`);
    await this.page.waitForFunction(() => window.__deepsteer !== undefined);
    await expect(this.page.getByTestId('hud-speed')).toBeVisible();
  }

  /** Calls a test-hook method in the page. */
  async hook<K extends keyof TestHook>(name: K, ...args: Parameters<TestHook[K]>): Promise<Awaited<ReturnType<TestHook[K]>>> {
    return this.page.evaluate(([n, a]) => {
      const h = window.__deepsteer as unknown as Record<string, (...x: unknown[]) => unknown>;
      return h[n as string](...(a as unknown[]));
    }, [name, args] as const) as Promise<Awaited<ReturnType<TestHook[K]>>>;
  }

  state(): Promise<TestState> {
    return this.hook('state');
  }

  async hudNumber(testId: string): Promise<number> {
    const text = (await this.page.getByTestId(testId).textContent()) ?? '';
    return Number(text.replace(/[^0-9.-]/g, ''));
  }

  hudText(testId: string): Promise<string> {
    return this.page.getByTestId(testId).innerText();
  }

  /** Holds a key for `ms` of real time. */
  async hold(key: string, ms: number): Promise<void> {
    await this.page.keyboard.down(key);
    await this.page.waitForTimeout(ms);
    await this.page.keyboard.up(key);
  }

  /** Mean and variance of a canvas's pixels (drawn content, not blank). */
  async pixelStats(testId: string): Promise<{ mean: number; variance: number; r: number; g: number; b: number }> {
    const shot = await this.page.getByTestId(testId).screenshot();
    return this.page.evaluate(async (b64) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const c = document.createElement('canvas');
      c.width = img.width;
      c.height = img.height;
      const ctx = c.getContext('2d')!;
      ctx.drawImage(img, 0, 0);
      const d = ctx.getImageData(0, 0, c.width, c.height).data;
      let s = 0, s2 = 0, r = 0, g = 0, b = 0;
      const n = d.length / 4;
      for (let i = 0; i < d.length; i += 4) {
        const v = (d[i] + d[i + 1] + d[i + 2]) / 3;
        s += v; s2 += v * v; r += d[i]; g += d[i + 1]; b += d[i + 2];
      }
      const mean = s / n;
      return { mean, variance: s2 / n - mean * mean, r: r / n, g: g / n, b: b / n };
    }, shot.toString('base64'));
  }
}
