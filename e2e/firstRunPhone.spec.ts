// The first five minutes on a phone, upright and held sideways: every control reachable through
// the Menu, touch driving and tilt steering, and the touch controls clear of the HUD's panels and
// of the model overlays. The desktop side is firstRun.spec.ts.
import { type CDPSession, expect, test } from '@playwright/test';
import { GamePage } from './gamePage.ts';
import { barControls, expectReachable } from './reachable.ts';

interface Box {
  id: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

function intersects(a: Box, b: Box): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/**
 * The boxes of the elements that are displayed, as far as they show: a box inside an overlay
 * column is cut at the column's edges (it clips them: overflow hidden). Runs in the page: no closures.
 */
function visibleBoxes(els: Element[]): Box[] {
  return els.filter((e) => e.getClientRects().length > 0).map((e) => {
    const r = e.getBoundingClientRect();
    const clip = e.parentElement?.closest('.ds-ov-column')?.getBoundingClientRect();
    const [x0, y0] = clip ? [Math.max(r.left, clip.left), Math.max(r.top, clip.top)] : [r.left, r.top];
    const [x1, y1] = clip ? [Math.min(r.right, clip.right), Math.min(r.bottom, clip.bottom)] : [r.right, r.bottom];
    return { id: e.getAttribute('data-testid') ?? e.className, x: x0, y: y0, width: Math.max(0, x1 - x0), height: Math.max(0, y1 - y0) };
  }).filter((b) => b.width > 0 && b.height > 0);
}

/** Each overlay column as far as it may grow: its top and width, and its max-height (runs in the page). */
function columnReach(els: Element[]): Box[] {
  return els.map((e) => {
    const r = e.getBoundingClientRect();
    return { id: `${e.className} (max-height)`, x: r.x, y: r.y, width: r.width, height: parseFloat(getComputedStyle(e).maxHeight) || 0 };
  });
}

test.describe('the first five minutes on a phone', () => {
  test('on a phone every control is reachable through the Menu', async ({ browser }) => {
    const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
    const page = await ctx.newPage();
    const game = new GamePage(page);
    await game.open('?track=oval');
    await expectReachable(page, await barControls(page)); // the modes and the Menu button
    await page.getByTestId('menu-toggle').tap();
    const controls = await barControls(page);
    expect(controls.length).toBeGreaterThanOrEqual(12);
    await expectReachable(page, controls);
    await page.getByTestId('panel-settings').tap();
    await expect(page.getByTestId('settings-panel')).toBeVisible();
    // The drawer slides in: measure once it has arrived.
    const close = page.getByRole('button', { name: 'Close panel' });
    await expect.poll(async () => {
      const b = await close.boundingBox();
      return b ? b.x + b.width : Infinity;
    }, { timeout: 5_000 }).toBeLessThanOrEqual(390.5);
    await expectReachable(page, [close]);
    await ctx.close();
  });

  test('on a phone held sideways (844x390) the bar is one row and every control is reachable through the Menu', async ({ browser }) => {
    const ctx = await browser.newContext({ viewport: { width: 844, height: 390 }, hasTouch: true, isMobile: true });
    const page = await ctx.newPage();
    const game = new GamePage(page);
    await game.open('?track=oval');
    // Folded: one row (the modes and Menu), not two rows that take a quarter of the height.
    const bar = await page.locator('.ds-topbar').boundingBox();
    expect(bar!.height).toBeLessThanOrEqual(56);
    await expect(page.getByTestId('menu-toggle')).toBeVisible();
    await expectReachable(page, await barControls(page));
    // The model overlays' toggles are reachable by touch, not only by their keys.
    await expectReachable(page, [page.getByTestId('overlay-saliency'), page.getByTestId('overlay-layers'), page.getByTestId('overlay-gates')]);
    await page.getByTestId('menu-toggle').tap();
    const controls = await barControls(page);
    expect(controls.length).toBeGreaterThanOrEqual(12); // 5 modes, Menu, track (3), theme, camera, 3 panels, help
    await expectReachable(page, controls);
    await page.getByTestId('panel-settings').tap();
    await expect(page.getByTestId('settings-panel')).toBeVisible();
    await expect(page.getByTestId('menu-toggle')).toHaveAttribute('aria-expanded', 'false'); // picking folds it again
    const close = page.getByRole('button', { name: 'Close panel' });
    await expect.poll(async () => {
      const b = await close.boundingBox();
      return b ? b.x + b.width : Infinity;
    }, { timeout: 5_000 }).toBeLessThanOrEqual(844.5);
    await expectReachable(page, [close]);
    expect(game.errors).toEqual([]);
    await ctx.close();
  });

  test('touch drives the car on a phone: gas moves it, the steering pad turns it', async ({ browser }) => {
    const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
    const page = await ctx.newPage();
    const game = new GamePage(page);
    await game.open('?track=oval');
    await expect(page.getByTestId('touch-controls')).toBeVisible();
    const cdp: CDPSession = await ctx.newCDPSession(page);
    const centre = async (id: string): Promise<{ x: number; y: number }> => {
      const b = (await page.getByTestId(id).boundingBox())!;
      return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
    };
    const gas = await centre('touch-gas');
    const pad = await centre('touch-steer');
    const before = await game.state();
    // Two fingers: one holds the gas, the other slides right on the pad.
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ ...gas, id: 1 }] });
    await page.waitForTimeout(1500);
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ ...gas, id: 1 }, { ...pad, id: 2 }] });
    for (let i = 1; i <= 6; i++) {
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [{ ...gas, id: 1 }, { x: pad.x + i * 10, y: pad.y, id: 2 }] });
      await page.waitForTimeout(50);
    }
    await page.waitForTimeout(1200);
    const during = await game.state();
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
    expect(during.speedKmh).toBeGreaterThan(5);
    // Sliding right turns right: the heading (counter-clockwise +) falls.
    expect(during.heading - before.heading).toBeLessThan(-0.05);
    await ctx.close();
  });

  // Once marked fixme: its one run at load ~13 never saw the HUD (game.open timed out before any
  // tilt code ran); passed at 02:43 UTC at load ~6 in 15.7 s.
  test('tilt steering: the Tilt option steers with the device orientation', async ({ browser }) => {
    const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
    const page = await ctx.newPage();
    const game = new GamePage(page);
    await game.open('?track=oval');
    const tilt = page.getByTestId('touch-tilt');
    await expect(tilt).toBeVisible();
    const cdp: CDPSession = await ctx.newCDPSession(page);
    await cdp.send('DeviceOrientation.setDeviceOrientationOverride', { alpha: 0, beta: 30, gamma: 0 });
    await tilt.tap();
    await expect(tilt).toHaveAttribute('aria-pressed', 'true');
    const gasBox = (await page.getByTestId('touch-gas').boundingBox())!;
    const gas = { x: gasBox.x + gasBox.width / 2, y: gasBox.y + gasBox.height / 2 };
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ ...gas, id: 1 }] });
    await page.waitForTimeout(1500);
    const level = await game.state();
    // Tilted to the left (the left side dips): the car turns left, the heading grows.
    await cdp.send('DeviceOrientation.setDeviceOrientationOverride', { alpha: 0, beta: 30, gamma: -20 });
    await page.waitForTimeout(1200);
    const turned = await game.state();
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
    expect(turned.heading - level.heading).toBeGreaterThan(0.05);
    await ctx.close();
  });

  test('on a phone the touch controls and the HUD bottom panels do not overlap', async ({ browser }) => {
    const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
    const page = await ctx.newPage();
    const game = new GamePage(page);
    await game.open('?track=oval');
    await expect(page.getByTestId('touch-controls')).toBeVisible();
    const boxOf = async (id: string) => {
      const b = await page.getByTestId(id).boundingBox();
      expect(b, `${id} has a box`).not.toBeNull();
      return { id, ...b! };
    };
    const touch = await Promise.all(['touch-steer', 'touch-gas', 'touch-brake'].map(boxOf));
    // The HUD re-lays itself out when its layer shrinks (a ResizeObserver): wait for it.
    await expect.poll(async () => {
      const hud = await Promise.all(['hud-steer-panel', 'hud-speed-panel'].map(boxOf));
      const hits: string[] = [];
      for (const a of touch) for (const b of hud) if (intersects(a, b)) hits.push(`${a.id} x ${b.id}`);
      for (const b of hud) if (b.y < 0 || b.y + b.height > 844) hits.push(`${b.id} off screen`);
      return hits;
    }, { timeout: 5_000 }).toEqual([]);
    if (process.env.SCREENSHOTS === '1') await page.screenshot({ path: 'docs/screenshots/first-run-390x844-touch.png' });
    await ctx.close();
  });

  // Upright, and turned sideways (where the HUD's panels leave the overlay columns little room).
  for (const vp of [{ width: 390, height: 844 }, { width: 844, height: 390 }]) {
    test(`on a phone (${vp.width}x${vp.height}) the model overlays keep clear of the touch controls`, async ({ browser }) => {
      test.setTimeout(240_000);
      const ctx = await browser.newContext({ viewport: vp, hasTouch: true, isMobile: true });
      const page = await ctx.newPage();
      const game = new GamePage(page);
      await game.open('?track=oval');
      await expect(page.getByTestId('touch-controls')).toBeVisible();
      expect(await game.hook('engageAutopilot', 'lockstep')).toBe(true);
      // The guide's card covers the top of a phone's view (and the overlay toggles): hide it first.
      await page.getByTestId('guide-skip').tap();
      await expect(page.getByTestId('guide')).toBeHidden();
      // The toggles are tapped, upright and sideways (where the top bar folds into its menu).
      for (const k of ['saliency', 'layers', 'gates'] as const) {
        await page.getByTestId(`overlay-${k}`).tap();
        await expect(page.getByTestId(`overlay-${k}`)).toHaveAttribute('aria-pressed', 'true');
      }
      // The views arrived (a grid per conv layer, the gate plot's caption): the panels at full height.
      await expect.poll(() => page.getByTestId('overlay-layers-view').locator('canvas').count(), { timeout: 90_000 }).toBeGreaterThanOrEqual(3);
      await expect(page.getByTestId('overlay-gates-view')).toContainText(/LSTM, \d+ units/, { timeout: 90_000 });
      const touch = await page.locator('.ds-touch-pad, .ds-touch-pedal, .ds-touch-tilt').evaluateAll(visibleBoxes);
      expect(touch.length).toBeGreaterThanOrEqual(3);
      // What shows, and how far each column may grow (its max-height): neither reaches a touch control.
      await expect.poll(async () => {
        const shown = await page.locator('.ds-ov-column, .ds-ov-box, .ds-ov-saliency').evaluateAll(visibleBoxes);
        const reach = await page.locator('.ds-ov-column').evaluateAll(columnReach);
        // Upright: both columns, both panels and the saliency map; sideways at least the map.
        if (shown.length < (vp.height > vp.width ? 5 : 1)) return [`only ${shown.length} overlay boxes shown`];
        const hits: string[] = [];
        for (const a of touch) {
          for (const b of [...shown, ...reach]) if (intersects(a, b)) hits.push(`${a.id} x ${b.id} (y ${Math.round(b.y)}..${Math.round(b.y + b.height)})`);
        }
        return hits;
      }, { timeout: 5_000 }).toEqual([]);
      if (process.env.SCREENSHOTS === '1') await page.screenshot({ path: `docs/screenshots/overlays-${vp.width}x${vp.height}-touch.png` });
      expect(game.errors).toEqual([]);
      await ctx.close();
    });
  }
});
