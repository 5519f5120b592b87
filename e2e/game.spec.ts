import { expect, test } from '@playwright/test';
import { GamePage } from './gamePage.ts';

test.describe('the 3D game', () => {
  test('loads without console errors and draws the road and the dash camera', async ({ page }) => {
    const game = new GamePage(page);
    await game.open('?track=oval');
    await page.waitForTimeout(1500);
    const scene = await game.pixelStats('scene');
    expect(scene.variance).toBeGreaterThan(100);
    const dash = await game.pixelStats('dash-pip');
    expect(dash.variance).toBeGreaterThan(50);
    // The ML backend in use is always visible.
    await expect(page.getByTestId('backend-badge')).toContainText(/ML (wasm|cpu|webgl|webgpu)/, { timeout: 60_000 });
    // Nothing went wrong quietly either: no error notice on a fresh load.
    await expect(page.getByTestId('notice-error')).toHaveCount(0);
    expect(game.errors).toEqual([]);
  });

  test('holding ArrowUp raises the speed; ArrowLeft turns the car left', async ({ page }) => {
    const game = new GamePage(page);
    await game.open('?track=oval');
    expect(await game.hudNumber('hud-speed')).toBe(0);
    await game.hold('ArrowUp', 2500);
    await expect.poll(() => game.hudNumber('hud-speed')).toBeGreaterThan(5);
    const before = await game.state();
    await page.keyboard.down('ArrowUp');
    await game.hold('ArrowLeft', 1500);
    await page.keyboard.up('ArrowUp');
    const after = await game.state();
    // Heading grows counter-clockwise: a left turn.
    expect(after.heading - before.heading).toBeGreaterThan(0.05);
    expect(after.steer).toBeGreaterThanOrEqual(0);
  });

  test('a lap driven by the expert counts on the HUD with the simulation\'s own time', async ({ page }) => {
    const game = new GamePage(page);
    await game.open('?track=oval');
    await game.hook('pause', true);
    await game.hook('setDriver', 'expert');
    const laps = await game.hook('runLaps', 1);
    expect(laps).toHaveLength(1);
    await game.hook('pause', false);
    await expect.poll(() => game.hudText('hud-lap')).toContain('2');
    // The simulation's own count: ticks at 60 Hz, shown as m:ss.mmm truncated to the millisecond.
    const totalMs = Math.floor((laps[0].ticks * 1000) / 60);
    const m = Math.floor(totalMs / 60000);
    const s = Math.floor((totalMs % 60000) / 1000);
    const expected = `${m}:${String(s).padStart(2, '0')}.${String(totalMs % 1000).padStart(3, '0')}`;
    await expect(page.getByTestId('hud-lastlap')).toContainText(expected);
  });

  test('every theme renders a different picture', async ({ page }) => {
    const game = new GamePage(page);
    const colours: string[] = [];
    for (const theme of ['day', 'dusk', 'overcast', 'night']) {
      await game.open(`?track=kidney&theme=${theme}`);
      await page.waitForTimeout(800);
      const st = await game.pixelStats('scene');
      expect(st.variance, theme).toBeGreaterThan(50);
      colours.push(`${Math.round(st.r / 8)},${Math.round(st.g / 8)},${Math.round(st.b / 8)}`);
    }
    expect(new Set(colours).size).toBe(4);
    expect(game.errors).toEqual([]);
  });

  test('a shared link opens that track; bad parameters fall back with a notice', async ({ page }) => {
    const game = new GamePage(page);
    await game.open('?track=4242&theme=dusk&mode=drive');
    expect((await game.state()).trackId).toBe('4242');
    await expect(page.getByTestId('track-seed')).toHaveValue('4242');
    await game.open('?track=atlantis&theme=plaid&mode=fly');
    expect((await game.state()).trackId).toBe('oval');
    await expect(page.getByTestId('notices')).toContainText('atlantis');
    await expect(page.getByTestId('notices')).toContainText('plaid');
  });

  test('the seed box and the preset list switch tracks', async ({ page }) => {
    const game = new GamePage(page);
    await game.open('?track=oval');
    await page.getByTestId('track-seed').fill('777');
    await page.getByTestId('track-seed').press('Enter');
    await expect.poll(async () => (await game.state()).trackId).toBe('777');
    await page.getByTestId('track-preset').selectOption('twister');
    await expect.poll(async () => (await game.state()).trackId).toBe('twister');
  });

  test('without WebGL the page says so instead of showing a blank canvas', async ({ page }) => {
    await page.addInitScript(() => {
      const orig = HTMLCanvasElement.prototype.getContext;
      HTMLCanvasElement.prototype.getContext = function (this: HTMLCanvasElement, type: string, ...rest: unknown[]) {
        if (type === 'webgl2' || type === 'webgl') return null;
        return (orig as (...a: unknown[]) => unknown).call(this, type, ...rest);
      } as typeof orig;
    });
    await page.goto('/');
    await expect(page.getByTestId('fatal')).toContainText('WebGL');
  });

  test('P pauses and resumes', async ({ page }) => {
    const game = new GamePage(page);
    await game.open('?track=oval');
    await page.keyboard.press('p');
    await page.waitForTimeout(300);
    const t0 = (await game.state()).tick;
    await page.waitForTimeout(600);
    expect((await game.state()).tick).toBe(t0);
    await page.keyboard.press('p');
    await expect.poll(async () => (await game.state()).tick).toBeGreaterThan(t0);
  });
});
