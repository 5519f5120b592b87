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

test('axe finds no serious or critical violations on each screen', async ({ page }) => {
  test.setTimeout(240_000);
  const game = new GamePage(page);
  await game.open('?track=oval');
  const results: ScreenResult[] = [];
  results.push(await scan(page, 'drive'));
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
  await page.locator('.ds-topbar button', { hasText: '?' }).click();
  await expect(page.getByTestId('help')).toBeVisible();
  results.push(await scan(page, 'help', '[data-testid="help"]'));
  for (const r of results) console.log(`a11y ${r.screen}: serious ${r.serious}, critical ${r.critical}${r.rules.length ? `\n  ${r.rules.join('\n  ')}` : ''}`);
  expect(results.flatMap((r) => r.rules.map((x) => `${r.screen}: ${x}`))).toEqual([]);
});
