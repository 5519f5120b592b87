// The model overlays while the starter model drives in lockstep: each toggle draws its canvas
// (non-uniform pixels), the saliency map changes as the road does, the keys toggle them too,
// and the autopilot keeps driving with them on (laps progress, no intervention).
import { expect, test, type Page } from '@playwright/test';
import { GamePage } from './gamePage.ts';

/** Distinct RGBA values and the mean alpha of a canvas, read from its own pixels. */
function canvasPixels(page: Page, testId: string): Promise<{ width: number; height: number; distinct: number; meanAlpha: number; hash: number }> {
  return page.evaluate((id) => {
    const c = document.querySelector(`[data-testid="${id}"]`) as HTMLCanvasElement;
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
    return { width: c.width, height: c.height, distinct: seen.size, meanAlpha: alpha / (d.length / 4), hash };
  }, testId);
}

test('overlays draw while the starter model drives in lockstep, and leave it driving', async ({ page }) => {
  test.setTimeout(300_000);
  const game = new GamePage(page);
  await game.open('?track=oval');
  expect(await game.hook('engageAutopilot', 'lockstep')).toBe(true);
  const start = await game.state();

  // Saliency: the map over the dash picture, drawn and changing from frame to frame.
  await page.getByTestId('overlay-saliency').click();
  await expect(page.getByTestId('overlay-saliency')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('saliency-canvas')).toBeVisible();
  await expect.poll(async () => (await canvasPixels(page, 'saliency-canvas')).distinct, { timeout: 30_000 }).toBeGreaterThan(20);
  const a = await canvasPixels(page, 'saliency-canvas');
  expect(a.width).toBeGreaterThan(50);
  expect(a.meanAlpha).toBeGreaterThan(1);
  expect(a.meanAlpha).toBeLessThan(250);
  await expect.poll(async () => (await canvasPixels(page, 'saliency-canvas')).hash, { timeout: 20_000 }).not.toBe(a.hash);

  // Grad-CAM as the second method.
  await page.getByTestId('overlay-method').selectOption('gradcam');
  await page.waitForTimeout(1500);
  await expect(page.getByTestId('overlay-saliency').locator('xpath=..')).toContainText(/gradcam [0-9.]+ ms/);
  expect((await canvasPixels(page, 'saliency-canvas')).distinct).toBeGreaterThan(5);

  // Layer views: one grid per conv layer.
  await page.getByTestId('overlay-layers').click();
  const grids = page.getByTestId('overlay-layers-view').locator('canvas');
  await expect.poll(() => grids.count(), { timeout: 20_000 }).toBeGreaterThanOrEqual(3);
  const grid = await grids.first().evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    const seen = new Set<number>();
    for (let i = 0; i < d.length; i += 4) seen.add(d[i]);
    return seen.size;
  });
  expect(grid).toBeGreaterThan(20);

  // Gates: the recurrent plot, drawn.
  await page.getByTestId('overlay-gates').click();
  await expect(page.getByTestId('overlay-gates-view')).toContainText(/LSTM, \d+ units over \d+ frames/);
  expect((await canvasPixels(page, 'gates-canvas')).distinct).toBeGreaterThan(10);

  // The keys toggle them too (V, L, K).
  await page.keyboard.press('v');
  await expect(page.getByTestId('overlay-saliency')).toHaveAttribute('aria-pressed', 'false');
  await expect(page.getByTestId('saliency-canvas')).toBeHidden();
  await page.keyboard.press('l');
  await page.keyboard.press('k');
  await expect(page.getByTestId('overlay-layers')).toHaveAttribute('aria-pressed', 'false');
  await expect(page.getByTestId('overlay-gates')).toHaveAttribute('aria-pressed', 'false');
  await page.keyboard.press('v');
  await expect(page.getByTestId('overlay-saliency')).toHaveAttribute('aria-pressed', 'true');

  // With everything on, the autopilot drove on all along.
  await page.waitForTimeout(3000);
  const stats = await game.hook('autopilotStats');
  const end = await game.state();
  expect(stats.engaged).toBe(true);
  expect(stats.interventions).toBe(0);
  // The machine is shared (2 cores): only that the simulation went on, no speed claim.
  expect(end.tick - start.tick).toBeGreaterThan(60);
  expect(end.offRoad).toBe(false);
  expect(game.errors).toEqual([]);
});
