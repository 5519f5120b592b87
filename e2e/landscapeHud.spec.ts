// The HUD on a phone held sideways (issue 16): with the touch controls below, the HUD's layer is
// about 190 px tall, where the lap panel (~127 px) overlapped the steering panel and the
// autopilot block went off the top. Now the HUD folds (src/hud/layout.ts `compact`). Phones
// 360 px tall (740x360, 800x360) get a shorter touch strip, so the layer keeps its 192 px. The
// brief chips (REC, OFF TRACK) sit clear of the autopilot block and everything else.
import { expect, type Locator, type Page, test } from '@playwright/test';
import { GamePage } from './gamePage.ts';

interface Box { id: string; x: number; y: number; width: number; height: number }

const intersects = (a: Box, b: Box): boolean => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

async function boxes(page: Page, ids: readonly string[]): Promise<Box[]> {
  const out: Box[] = [];
  for (const id of ids) {
    const loc = page.getByTestId(id);
    const b = (await loc.count()) === 1 && (await loc.isVisible()) ? await loc.boundingBox() : null;
    if (b && b.width > 0 && b.height > 0) out.push({ id, ...b });
  }
  return out;
}

/** Problems with controls: each inside the viewport and the element hit at its centre (not covered). */
async function unreachable(page: Page, controls: readonly Locator[]): Promise<string[]> {
  const vp = page.viewportSize()!;
  const problems: string[] = [];
  for (const c of controls) {
    const label = (await c.getAttribute('data-testid')) ?? (await c.getAttribute('aria-label')) ?? (await c.textContent());
    const b = await c.boundingBox();
    if (!b) {
      problems.push(`${label}: no box`);
      continue;
    }
    if (b.x < 0 || b.y < 0 || b.x + b.width > vp.width + 0.5 || b.y + b.height > vp.height + 0.5) problems.push(`${label} off screen`);
    const hit = await c.evaluate((el) => {
      const r = el.getBoundingClientRect();
      const top = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
      return top !== null && (top === el || el.contains(top));
    });
    if (!hit) problems.push(`${label} covered`);
  }
  return problems;
}

async function barControls(page: Page): Promise<Locator[]> {
  const shown: Locator[] = [];
  for (const c of await page.locator('.ds-topbar').locator('button, select, input').all()) if (await c.isVisible()) shown.push(c);
  return shown;
}

/** The HUD's panels and the DOM pieces laid out with them (dash picture, model switch, overlay toggles). */
const HUD_IDS = ['hud-lap-panel', 'hud-autopilot', 'hud-model-slot', 'hud-steer-panel', 'hud-speed-panel', 'dash-pip', 'overlay-saliency', 'overlay-layers', 'overlay-gates'];

/** Problems with where `chip` sits: inside the HUD's layer, clear of every HUD box and touch control. */
function chipProblems(chip: Box | undefined, hud: readonly Box[], touch: readonly Box[], top: number, bottom: number): string[] {
  if (!chip) return ['chip not shown'];
  const problems: string[] = [];
  if (chip.y < top - 0.5 || chip.y + chip.height > bottom + 0.5) problems.push(`${chip.id} outside ${Math.round(top)}..${Math.round(bottom)}`);
  for (const b of [...hud, ...touch]) if (intersects(chip, b)) problems.push(`${chip.id} x ${b.id}`);
  return problems;
}

for (const vp of [{ width: 844, height: 390 }, { width: 915, height: 412 }, { width: 740, height: 360 }, { width: 800, height: 360 }]) {
  test(`on a phone held sideways (${vp.width}x${vp.height}) the HUD folds: its panels fit between the bar and the touch controls, apart, and the chips clear them`, async ({ browser }) => {
    test.setTimeout(600_000);
    const t0 = Date.now();
    const log = (what: string): void => console.log(`landscape ${vp.width}x${vp.height}: ${((Date.now() - t0) / 1000).toFixed(1)} s ${what}`);
    const ctx = await browser.newContext({ viewport: vp, hasTouch: true, isMobile: true });
    const page = await ctx.newPage();
    const game = new GamePage(page);
    await game.open('?track=oval');
    log('open');
    await expect(page.getByTestId('touch-controls')).toBeVisible();
    // The guide's buttons and every top-bar control are reachable (the rest through the Menu).
    await expect(page.getByTestId('guide')).toBeVisible();
    expect(await unreachable(page, [page.getByTestId('guide-action'), page.getByTestId('guide-skip')])).toEqual([]);
    await page.getByTestId('guide-skip').tap();
    const bar = (await page.locator('.ds-topbar').boundingBox())!;
    expect(bar.height).toBeLessThanOrEqual(56); // one row
    expect(await unreachable(page, await barControls(page))).toEqual([]);
    await page.getByTestId('menu-toggle').tap();
    const opened = await barControls(page);
    expect(opened.length).toBeGreaterThanOrEqual(12); // 5 modes, Menu, track (3), theme, camera, 3 panels, help
    expect(await unreachable(page, opened)).toEqual([]);
    await page.getByTestId('menu-toggle').tap();
    await expect(page.getByTestId('help-button')).toBeHidden();
    log('guide and top bar reachable');

    expect(await game.hook('engageAutopilot', 'lockstep')).toBe(true);
    await expect(page.getByTestId('hud-autopilot')).toBeVisible();
    await expect(page.getByTestId('hud-autonomy')).toBeVisible();
    const touch = await boxes(page, ['touch-steer', 'touch-gas', 'touch-brake', 'touch-tilt']);
    const touchTop = Math.min(...touch.map((b) => b.y));
    const barBottom = bar.y + bar.height;
    expect(await unreachable(page, ['touch-steer', 'touch-gas', 'touch-brake'].map((id) => page.getByTestId(id)))).toEqual([]);
    // Notices stack up from their container's bottom edge: above the touch controls, not over them.
    expect(await page.getByTestId('notices').evaluate((el) => el.getBoundingClientRect().bottom)).toBeLessThanOrEqual(touchTop + 0.5);
    // The HUD re-lays itself out when its layer shrinks (a ResizeObserver): poll (slowly under
    // load: one look measures a dozen boxes).
    let seen: string[] = [];
    await expect.poll(async () => {
      const hud = await boxes(page, HUD_IDS);
      const problems: string[] = [];
      if (hud.length < HUD_IDS.length) problems.push(`only ${hud.map((b) => b.id).join(', ')} shown`);
      const lap = hud.find((b) => b.id === 'hud-lap-panel');
      if (!lap || lap.height > 40) problems.push(`lap panel ${Math.round(lap?.height ?? 0)} px tall`);
      for (const b of hud) {
        if (b.y < barBottom - 0.5 || b.y + b.height > touchTop + 0.5) problems.push(`${b.id} outside ${Math.round(barBottom)}..${Math.round(touchTop)} (y ${Math.round(b.y)}..${Math.round(b.y + b.height)})`);
        for (const t of touch) if (intersects(b, t)) problems.push(`${b.id} x ${t.id}`);
      }
      for (let i = 0; i < hud.length; i++) for (let j = i + 1; j < hud.length; j++) if (intersects(hud[i], hud[j])) problems.push(`${hud[i].id} x ${hud[j].id}`);
      // The fps figure sits inside the speed panel or clear of it, not across its edge.
      const [fps] = await boxes(page, ['hud-fps']);
      const speed = hud.find((b) => b.id === 'hud-speed-panel');
      const inside = fps && speed && fps.y >= speed.y && fps.y + fps.height <= speed.y + speed.height && fps.x >= speed.x && fps.x + fps.width <= speed.x + speed.width;
      if (fps && speed && intersects(fps, speed) && !inside) problems.push(`hud-fps across the speed panel's edge (y ${Math.round(fps.y)}, panel from ${Math.round(speed.y)})`);
      seen = problems;
      return problems;
    }, { timeout: 60_000 }).toEqual([]).catch((e: Error) => {
      throw new Error(`${e.message}\nlast seen: ${seen.join('; ')}`);
    });
    // Folded, not gone: the lap time and the autonomy figure still read.
    await expect(page.getByTestId('hud-laptime')).toBeVisible();
    await expect(page.getByTestId('hud-autonomy')).toHaveText(/%/);
    log('HUD panels apart');
    if (process.env.SCREENSHOTS === '1') await page.screenshot({ path: `docs/screenshots/hud-${vp.width}x${vp.height}-touch.png` });

    // OFF TRACK beside the autopilot block: take over, steer off the road, and hold the moment.
    await page.keyboard.down('ArrowUp');
    await page.keyboard.down('ArrowLeft');
    await expect(page.getByTestId('hud-warning')).toBeVisible({ timeout: 60_000 });
    await game.hook('pause', true);
    await page.keyboard.up('ArrowLeft');
    await page.keyboard.up('ArrowUp');
    await expect(page.getByTestId('hud-autopilot')).toBeVisible();
    const [warning] = await boxes(page, ['hud-warning']);
    log(`OFF TRACK chip ${Math.round(warning?.width ?? 0)}x${Math.round(warning?.height ?? 0)} at ${Math.round(warning?.x ?? 0)},${Math.round(warning?.y ?? 0)}`);
    expect(chipProblems(warning, await boxes(page, HUD_IDS), touch, barBottom, touchTop)).toEqual([]);
    if (process.env.SCREENSHOTS === '1') await page.screenshot({ path: `docs/screenshots/hud-${vp.width}x${vp.height}-touch-offtrack.png` });
    await game.hook('pause', false);

    // REC while recording (the expert drives): clear of the panels too.
    await page.getByTestId('mode-record').tap();
    await game.hook('setDriver', 'expert');
    await expect(page.getByTestId('hud-recording')).toBeVisible({ timeout: 60_000 });
    const [rec] = await boxes(page, ['hud-recording']);
    log(`REC chip ${Math.round(rec?.width ?? 0)}x${Math.round(rec?.height ?? 0)} at ${Math.round(rec?.x ?? 0)},${Math.round(rec?.y ?? 0)}`);
    expect(chipProblems(rec, await boxes(page, HUD_IDS), touch, barBottom, touchTop)).toEqual([]);
    await game.hook('setDriver', 'human');
    expect(game.errors).toEqual([]);
    await ctx.close();
  });
}
