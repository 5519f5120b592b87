// The HUD on a phone held sideways (issue 16): with the touch controls below, the HUD's layer is
// about 190 px tall, where the lap panel (~127 px) overlapped the steering panel and the
// autopilot block went off the top. Now the HUD folds (src/hud/layout.ts `compact`).
import { expect, type Page, test } from '@playwright/test';
import { GamePage } from './gamePage.ts';

interface Box { id: string; x: number; y: number; width: number; height: number }

const intersects = (a: Box, b: Box): boolean => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

async function boxes(page: Page, ids: readonly string[]): Promise<Box[]> {
  const out: Box[] = [];
  for (const id of ids) {
    const b = await page.getByTestId(id).boundingBox();
    if (b && b.width > 0 && b.height > 0) out.push({ id, ...b });
  }
  return out;
}

for (const vp of [{ width: 844, height: 390 }, { width: 915, height: 412 }]) {
  test(`on a phone held sideways (${vp.width}x${vp.height}) the HUD folds: its panels fit between the bar and the touch controls, apart`, async ({ browser }) => {
    test.setTimeout(240_000);
    const ctx = await browser.newContext({ viewport: vp, hasTouch: true, isMobile: true });
    const page = await ctx.newPage();
    const game = new GamePage(page);
    await game.open('?track=oval');
    await expect(page.getByTestId('touch-controls')).toBeVisible();
    await page.getByTestId('guide-skip').tap();
    expect(await game.hook('engageAutopilot', 'lockstep')).toBe(true);
    await expect(page.getByTestId('hud-autopilot')).toBeVisible();
    await expect(page.getByTestId('hud-autonomy')).toBeVisible();
    const bar = (await page.locator('.ds-topbar').boundingBox())!;
    const touch = await boxes(page, ['touch-steer', 'touch-gas', 'touch-brake', 'touch-tilt']);
    const touchTop = Math.min(...touch.map((b) => b.y));
    // The HUD re-lays itself out when its layer shrinks (a ResizeObserver): poll.
    await expect.poll(async () => {
      const hud = await boxes(page, ['hud-lap-panel', 'hud-autopilot', 'hud-steer-panel', 'hud-speed-panel', 'dash-pip']);
      const problems: string[] = [];
      if (hud.length < 5) problems.push(`only ${hud.map((b) => b.id).join(', ')} shown`);
      const lap = hud.find((b) => b.id === 'hud-lap-panel');
      if (!lap || lap.height > 40) problems.push(`lap panel ${Math.round(lap?.height ?? 0)} px tall`);
      for (const b of hud) {
        if (b.y < bar.y + bar.height - 0.5 || b.y + b.height > touchTop + 0.5) problems.push(`${b.id} outside ${Math.round(bar.y + bar.height)}..${Math.round(touchTop)} (y ${Math.round(b.y)}..${Math.round(b.y + b.height)})`);
        for (const t of touch) if (intersects(b, t)) problems.push(`${b.id} x ${t.id}`);
      }
      for (let i = 0; i < hud.length; i++) for (let j = i + 1; j < hud.length; j++) if (intersects(hud[i], hud[j])) problems.push(`${hud[i].id} x ${hud[j].id}`);
      // The fps figure sits inside the speed panel or clear of it, not across its edge.
      const [fps] = await boxes(page, ['hud-fps']);
      const speed = hud.find((b) => b.id === 'hud-speed-panel');
      const inside = fps && speed && fps.y >= speed.y && fps.y + fps.height <= speed.y + speed.height && fps.x >= speed.x && fps.x + fps.width <= speed.x + speed.width;
      if (fps && speed && intersects(fps, speed) && !inside) problems.push(`hud-fps across the speed panel's edge (y ${Math.round(fps.y)}, panel from ${Math.round(speed.y)})`);
      return problems;
    }, { timeout: 10_000 }).toEqual([]);
    // Folded, not gone: the lap time and the autonomy figure still read.
    await expect(page.getByTestId('hud-laptime')).toBeVisible();
    await expect(page.getByTestId('hud-autonomy')).toHaveText(/%/);
    if (process.env.SCREENSHOTS === '1') await page.screenshot({ path: `docs/screenshots/hud-${vp.width}x${vp.height}-touch.png` });
    expect(game.errors).toEqual([]);
    await ctx.close();
  });
}
