// The first five minutes as a newcomer meets them at desktop sizes: every top-bar control
// reachable, readable form fields, help that pauses and closes with one Esc, the guide's first
// steps, racing the shipped lap, the HUD's model switch, panels that pause, and Start in view when
// Training opens. On a phone (the Menu, touch and tilt, what overlaps): firstRunPhone.spec.ts.
import { expect, type Locator, test } from '@playwright/test';
import { GamePage } from './gamePage.ts';
import { barControls, expectReachable } from './reachable.ts';

/** WCAG contrast of an element's text colour against the background it is painted on. */
async function contrastOf(c: Locator): Promise<number> {
  return c.evaluate((el) => {
    const parse = (s: string): number[] => (s.match(/[\d.]+/g) ?? ['0', '0', '0', '0']).map(Number).concat(1).slice(0, 4);
    const over = (top: number[], under: number[]): number[] => {
      const a = top[3];
      return [0, 1, 2].map((i) => top[i] * a + under[i] * (1 - a)).concat(1);
    };
    // The background: the element's own and its ancestors' colours composited over white.
    const layers: number[][] = [];
    for (let e: Element | null = el; e; e = e.parentElement) {
      const bg = parse(getComputedStyle(e).backgroundColor);
      if (bg[3] > 0) layers.push(bg);
      if (bg[3] >= 1) break;
    }
    let bg = [255, 255, 255, 1];
    for (let i = layers.length - 1; i >= 0; i--) bg = over(layers[i], bg);
    const fg = over(parse(getComputedStyle(el).color), bg);
    const lum = (c: number[]): number => {
      const [r, g, b] = c.slice(0, 3).map((v) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const [l1, l2] = [lum(fg), lum(bg)].sort((a, b) => b - a);
    return (l1 + 0.05) / (l2 + 0.05);
  });
}

test.describe('the first five minutes', () => {
  for (const vp of [{ width: 1280, height: 720 }, { width: 1024, height: 768 }]) {
    test(`every top-bar control is visible and clickable at ${vp.width}x${vp.height}`, async ({ page }) => {
      await page.setViewportSize(vp);
      const game = new GamePage(page);
      await game.open('?track=oval');
      const controls = await barControls(page);
      expect(controls.length).toBeGreaterThanOrEqual(12); // 5 modes, track (3), theme, camera, 3 panels, help
      await expectReachable(page, controls);
      await expect(page.getByTestId('help-button')).toBeVisible();
      await page.getByTestId('panel-settings').click();
      await expect(page.getByTestId('settings-panel')).toBeVisible();
      // The drawer slides in (a 0.2 s transition): measure once it has arrived. Its title is
      // then not hidden behind the bar.
      const close = page.getByRole('button', { name: 'Close panel' });
      await expect.poll(async () => {
        const b = await close.boundingBox();
        return b ? b.x + b.width : Infinity;
      }, { timeout: 5_000 }).toBeLessThanOrEqual(vp.width + 0.5);
      await expectReachable(page, [close]);
    });
  }

  test('selects and text boxes are readable (contrast at least 4.5:1)', async ({ page }) => {
    const game = new GamePage(page);
    await game.open('?track=oval');
    await page.getByTestId('panel-settings').click();
    const fields = [
      ...(await page.getByTestId('settings-panel').locator('select, input[type=text], input:not([type])').all()),
      ...(await page.locator('.ds-topbar').locator('select, input').all()),
    ];
    await page.getByTestId('panel-leaderboard').click();
    fields.push(...(await page.getByTestId('panel-body-leaderboard').locator('select').all()));
    expect(fields.length).toBeGreaterThanOrEqual(8);
    for (const f of fields) {
      const ratio = await contrastOf(f);
      expect(ratio, `${(await f.getAttribute('aria-label')) ?? (await f.evaluate((e) => e.outerHTML.slice(0, 80)))}`).toBeGreaterThanOrEqual(4.5);
    }
  });

  test('help pauses the game; one Esc closes it and the game runs again', async ({ page }) => {
    const game = new GamePage(page);
    await game.open('?track=oval');
    expect((await game.state()).paused).toBe(false);
    await page.getByTestId('help-button').click();
    await expect(page.getByTestId('help')).toBeVisible();
    expect((await game.state()).paused).toBe(true);
    const tick = (await game.state()).tick;
    await page.waitForTimeout(300);
    expect((await game.state()).tick).toBe(tick);
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('help')).toBeHidden();
    await page.waitForTimeout(200);
    expect((await game.state()).paused).toBe(false);
    // Esc with a panel open closes the panel, not the game.
    await page.getByTestId('panel-library').click();
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('drawer')).not.toHaveClass(/open/);
    expect((await game.state()).paused).toBe(false);
    // The help offers the guide again.
    await page.keyboard.press('F1');
    await expect(page.getByTestId('help-guide')).toBeVisible();
  });

  test('the guide leads with one step: Watch it drive hands the wheel to the starter model', async ({ page }) => {
    test.setTimeout(180_000);
    const game = new GamePage(page);
    await game.open('?track=oval');
    await expect(page.getByTestId('guide')).toBeVisible();
    await expect(page.getByTestId('guide-title')).toHaveText('Watch the starter model drive');
    await page.getByTestId('guide-action').click();
    await expect.poll(async () => (await game.hook('autopilotStats')).engaged, { timeout: 120_000 }).toBe(true);
    const models = await game.hook('models');
    await expect(page.getByTestId('hud-model')).toHaveText(models[models.length - 1].name); // the HUD names the model
    await expect(page.getByTestId('guide-title')).toHaveText('Drive and record');
    // Hidden, it stays hidden after a reload, and comes back from help.
    await page.getByTestId('guide-skip').click();
    await expect(page.getByTestId('guide')).toBeHidden();
    await game.open('?track=oval');
    await expect(page.getByTestId('guide')).toBeHidden();
    await page.getByTestId('help-button').click();
    await page.getByTestId('help-guide').click();
    await expect(page.getByTestId('guide')).toBeVisible();
    expect(game.errors).toEqual([]);
  });

  test('after training, the guide moves on only for a model that beats driving straight; else it says what to do', async ({ page }) => {
    test.setTimeout(420_000);
    const game = new GamePage(page);
    await game.open('?track=oval');
    await game.hook('autoRecord', { minutes: 16 / 60, trackIds: ['oval', 'kidney'], themes: ['day'] });
    expect(await game.hook('clips')).toHaveLength(2);
    await page.getByTestId('mode-train').click();
    // A model that cannot steer, through the panel's own controls: one clip held out, and a
    // config whose steering head is never trained (its loss weight 0), one epoch of the CNN.
    await page.getByTestId('split-holdout').check();
    await page.getByTestId('split-percent').fill('50');
    await page.getByTestId('split-percent').blur();
    await page.getByTestId('training-advanced-open').click();
    await page.getByTestId('config-json-open').click();
    const json = page.getByTestId('config-json');
    const config = JSON.parse(await json.inputValue()) as { sequence: { kind: string }; heads: { steering: { lossWeight: number } }; training: { epochs: number } };
    config.sequence.kind = 'cnn';
    config.heads.steering.lossWeight = 0;
    config.training.epochs = 1;
    await json.fill(JSON.stringify(config, null, 2));
    await expect(page.getByTestId('config-params')).toBeVisible();
    await page.getByTestId('train-start').click();
    await expect(page.getByTestId('train-state')).toHaveAttribute('data-phase', 'done', { timeout: 300_000 });
    await expect(page.getByTestId('train-message')).toHaveAttribute('data-verdict', 'worse');
    await page.getByRole('button', { name: 'Close panel' }).click();
    // Not "Your model drives": the not-ready step, with one main button that records more.
    await expect(page.getByTestId('guide-title')).toHaveText('Your model is not ready yet');
    await expect(page.getByTestId('guide')).toContainText('Step 3 of 4');
    await expect(page.getByTestId('guide-action')).toHaveText('Record more driving');
    await page.getByTestId('guide-action').click();
    await expect.poll(async () => (await game.state()).mode).toBe('record');
    expect(game.errors).toEqual([]);
  });

  test('on a fresh database Race on the oval races the shipped expert lap', async ({ page }) => {
    const game = new GamePage(page);
    await game.open('?track=oval');
    await page.getByTestId('mode-race').click();
    await expect(page.getByTestId('notices')).toContainText('Racing Expert');
    await expect.poll(async () => (await game.state()).ghost?.label ?? '').toMatch(/^Expert \d/);
    // The lap starts at the line: the ghost's gap shows as soon as the player's lap is timed.
    await game.hook('pause', true);
    await game.hook('setDriver', 'expert');
    await game.hook('runLaps', 1);
    await game.hook('step', 300);
    await game.hook('pause', false);
    await expect(page.getByTestId('hud-ghost-gap')).toHaveText(/^ghost [+-]\d+\.\d\d s$/);
    // The board shows it as the expert's, shipped with the game.
    await page.getByTestId('panel-leaderboard').click();
    await page.getByTestId('board-class-expert').click();
    const shipped = page.locator('[data-testid="board-row"][data-shipped="true"]');
    await expect(shipped).toHaveCount(1);
    await expect(shipped).toContainText("the expert's lap, shipped with the game");
    expect(game.errors).toEqual([]);
  });

  test('race mode shows the live gap to the ghost', async ({ page }) => {
    test.setTimeout(180_000);
    const game = new GamePage(page);
    await game.open('?track=oval');
    await game.hook('pause', true);
    await game.hook('setDriver', 'expert');
    await game.hook('runLaps', 1);
    await game.hook('setDriver', 'human');
    await game.hook('pause', false);
    await page.getByTestId('mode-race').click();
    await expect(page.getByTestId('notices')).toContainText('Racing');
    const gap = async (): Promise<number> => {
      const t = (await page.getByTestId('hud-ghost-gap').textContent()) ?? '';
      expect(t).toMatch(/^ghost [+-]\d+\.\d\d s$/);
      return Number(t.replace(/[^0-9.+-]/g, ''));
    };
    // The expert again: the ghost is the best expert lap (the shipped one, a flying lap), so on
    // its own flying lap the expert keeps the gap near zero.
    await game.hook('pause', true);
    await game.hook('setDriver', 'expert');
    await game.hook('runLaps', 1);
    await game.hook('step', 900);
    await game.hook('pause', false);
    await page.waitForTimeout(300);
    expect(Math.abs(await gap())).toBeLessThan(0.2);
    // Lifting off, then braking: the player falls behind the ghost.
    await game.hook('pause', true);
    await game.hook('setDriver', 'human');
    await game.hook('step', 120);
    await game.hook('pause', false);
    // The HUD paints the gap on its next frame: wait for it rather than read the previous one.
    await expect.poll(gap, { timeout: 5_000 }).toBeGreaterThan(0.05);
    const coasted = await gap();
    await game.hold('ArrowDown', 2000);
    expect(await gap()).toBeGreaterThan(coasted + 0.1);
  });

  test('the HUD switches the driving model while the autopilot keeps the wheel', async ({ page }) => {
    test.setTimeout(180_000);
    const game = new GamePage(page);
    await game.open('?track=oval');
    await page.getByTestId('mode-autopilot').click();
    await expect.poll(async () => (await game.hook('autopilotStats')).engaged, { timeout: 120_000 }).toBe(true);
    const [starter] = await game.hook('models');
    const copy = await game.hook('importModel', await game.hook('exportModel', starter.id));
    const sw = page.getByTestId('hud-model-switch');
    await expect(sw).toBeVisible();
    await expect(sw).toHaveValue(starter.id);
    await sw.focus(); // re-reads the list: the copy is offered
    await expect(sw.locator(`option[value="${copy.id}"]`)).toHaveCount(1);
    await sw.selectOption(copy.id);
    await expect(page.getByTestId('notices')).toContainText('Now driving');
    await expect(sw).toHaveValue(copy.id); // the select shows the model the autopilot now holds
    expect((await game.hook('autopilotStats')).engaged).toBe(true);
    const t0 = (await game.state()).tick;
    await expect.poll(async () => (await game.state()).tick).toBeGreaterThan(t0 + 30);
    expect((await game.state()).speedKmh).toBeGreaterThan(5);
    expect(game.errors).toEqual([]);
  });

  test('a side panel pauses the game while open (the default setting), closing it resumes', async ({ page }) => {
    const game = new GamePage(page);
    await game.open('?track=oval');
    expect((await game.state()).paused).toBe(false);
    await page.getByTestId('panel-leaderboard').click();
    await expect.poll(async () => (await game.state()).paused).toBe(true);
    await page.getByTestId('panel-settings').click(); // another panel: still paused
    await expect(page.getByTestId('settings-panel')).toBeVisible();
    expect((await game.state()).paused).toBe(true);
    await page.getByRole('button', { name: 'Close panel' }).click();
    await expect.poll(async () => (await game.state()).paused).toBe(false);
    // Paused by the player first: closing the panel leaves it paused.
    await page.keyboard.press('p');
    await expect.poll(async () => (await game.state()).paused).toBe(true);
    await page.getByTestId('panel-library').click();
    await page.getByRole('button', { name: 'Close panel' }).click();
    await page.waitForTimeout(200);
    expect((await game.state()).paused).toBe(true);
  });

  test('the Training panel shows Start without scrolling', async ({ page }) => {
    const game = new GamePage(page);
    await game.open('?track=oval');
    await page.getByTestId('mode-train').click();
    await expect(page.getByTestId('training-panel')).toBeVisible();
    await expect(page.getByTestId('train-start')).toBeInViewport({ ratio: 1 });
    const scrolled = await page.getByTestId('panel-body-training').evaluate((e) => e.scrollTop);
    expect(scrolled).toBe(0);
  });
});
