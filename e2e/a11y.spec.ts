// Accessibility scan (axe-core through Playwright) of each main screen and panel: no serious or
// critical violations. Prints the counts per screen, so a run gives the figures for the notes.
import AxeBuilder from '@axe-core/playwright';
import { expect, type Page, test } from '@playwright/test';
import { GamePage } from './gamePage.ts';

interface ScreenResult {
  screen: string;
  serious: number;
  critical: number;
  rules: string[];
}

async function scan(page: Page, screen: string, include?: string): Promise<ScreenResult> {
  let builder = new AxeBuilder({ page });
  if (include) builder = builder.include(include);
  // The 3D canvas and the HUD's pixi canvas are pictures: axe has nothing to say about them.
  const r = await builder.exclude('canvas').analyze();
  const bad = r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  return {
    screen,
    serious: bad.filter((v) => v.impact === 'serious').reduce((n, v) => n + v.nodes.length, 0),
    critical: bad.filter((v) => v.impact === 'critical').reduce((n, v) => n + v.nodes.length, 0),
    rules: bad.map((v) => `${v.id} (${v.nodes.length}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`),
  };
}

function report(results: readonly ScreenResult[]): string[] {
  for (const r of results) console.log(`a11y ${r.screen}: serious ${r.serious}, critical ${r.critical}${r.rules.length ? `\n  ${r.rules.join('\n  ')}` : ''}`);
  return results.flatMap((r) => r.rules.map((x) => `${r.screen}: ${x}`));
}

test('axe finds no serious or critical violations on each screen', async ({ page }) => {
  test.setTimeout(240_000);
  const game = new GamePage(page);
  await game.open('?track=oval');
  const results: ScreenResult[] = [];
  results.push(await scan(page, 'drive'));
  // The model overlays' controls (toggles, the saliency method select), all on.
  for (const k of ['saliency', 'layers', 'gates']) await page.getByTestId(`overlay-${k}`).click();
  await expect(page.getByTestId('overlay-method')).toBeVisible();
  results.push(await scan(page, 'drive, overlays on'));
  for (const k of ['saliency', 'layers', 'gates']) await page.getByTestId(`overlay-${k}`).click();
  for (const p of ['settings', 'library', 'leaderboard'] as const) {
    await page.getByTestId(`panel-${p}`).click();
    await expect(page.getByTestId(`panel-body-${p}`)).toBeVisible();
    await page.waitForTimeout(500);
    results.push(await scan(page, p, '[data-testid="drawer"]'));
  }
  await page.getByTestId('mode-train').click();
  await expect(page.getByTestId('training-panel')).toBeVisible();
  await page.waitForTimeout(1000);
  results.push(await scan(page, 'training', '[data-testid="drawer"]'));
  await page.getByTestId('mode-drive').click();
  await page.getByTestId('help-button').click();
  await expect(page.getByTestId('help')).toBeVisible();
  results.push(await scan(page, 'help', '[data-testid="help"]'));
  expect(report(results)).toEqual([]);
});

test('on a phone (390x844, touch) axe finds no serious or critical violations', async ({ browser }) => {
  test.setTimeout(240_000);
  const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
  const page = await ctx.newPage();
  const game = new GamePage(page);
  await game.open('?track=oval');
  await expect(page.getByTestId('touch-controls')).toBeVisible();
  await expect(page.getByTestId('guide')).toBeVisible();
  const results: ScreenResult[] = [];
  results.push(await scan(page, 'phone: drive (guide, touch controls)'));
  await page.getByTestId('menu-toggle').tap();
  await expect(page.getByTestId('panel-settings')).toBeVisible();
  results.push(await scan(page, 'phone: menu open', '.ds-topbar'));
  await page.getByTestId('panel-settings').tap();
  await expect(page.getByTestId('panel-body-settings')).toBeVisible();
  await page.waitForTimeout(500);
  results.push(await scan(page, 'phone: settings', '[data-testid="drawer"]'));
  expect(report(results)).toEqual([]);
  await ctx.close();
});

// 844x390 and a 360 px tall phone (740x360, with the shorter touch strip: src/ui/styles.css).
for (const vp of [{ width: 844, height: 390 }, { width: 740, height: 360 }]) {
  test(`on a phone held sideways (${vp.width}x${vp.height}, touch) axe finds no serious or critical violations`, async ({ browser }) => {
    test.setTimeout(300_000);
    const ctx = await browser.newContext({ viewport: vp, hasTouch: true, isMobile: true });
    const page = await ctx.newPage();
    const game = new GamePage(page);
    await game.open('?track=oval');
    await expect(page.getByTestId('touch-controls')).toBeVisible();
    await expect(page.getByTestId('guide')).toBeVisible();
    const results: ScreenResult[] = [];
    const at = `sideways ${vp.width}x${vp.height}`;
    results.push(await scan(page, `${at}: drive (guide, touch controls, folded HUD)`));
    await page.getByTestId('guide-skip').tap();
    expect(await game.hook('engageAutopilot', 'lockstep')).toBe(true);
    await expect(page.getByTestId('hud-autopilot')).toBeVisible();
    results.push(await scan(page, `${at}: autopilot (HUD block, model switch)`));
    await page.getByTestId('menu-toggle').tap();
    await expect(page.getByTestId('panel-settings')).toBeVisible();
    results.push(await scan(page, `${at}: menu open`, '.ds-topbar'));
    for (const p of ['settings', 'library', 'leaderboard'] as const) {
      if (!(await page.getByTestId(`panel-${p}`).isVisible())) await page.getByTestId('menu-toggle').tap();
      await page.getByTestId(`panel-${p}`).tap();
      await expect(page.getByTestId(`panel-body-${p}`)).toBeVisible();
      await page.waitForTimeout(500);
      results.push(await scan(page, `${at}: ${p}`, '[data-testid="drawer"]'));
    }
    await page.getByTestId('mode-train').tap();
    await expect(page.getByTestId('training-panel')).toBeVisible();
    await page.waitForTimeout(1000);
    results.push(await scan(page, `${at}: training`, '[data-testid="drawer"]'));
    expect(report(results)).toEqual([]);
    await ctx.close();
  });
}
