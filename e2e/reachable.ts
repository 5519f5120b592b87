// Reachability of controls, for the e2e specs of a newcomer's first minutes (firstRun.spec.ts at
// desktop sizes, firstRunPhone.spec.ts on phones): the top bar's displayed controls, and a check
// that each lies inside the viewport and is the element hit at its centre.
import { expect, type Locator, type Page } from '@playwright/test';

/** Every interactive control of the top bar that is displayed. */
export async function barControls(page: Page): Promise<Locator[]> {
  const all = await page.locator('.ds-topbar').locator('button, select, input').all();
  const shown: Locator[] = [];
  for (const c of all) if (await c.isVisible()) shown.push(c);
  return shown;
}

/** Each control lies inside the viewport and is the element hit at its centre (not covered). */
export async function expectReachable(page: Page, controls: Locator[]): Promise<void> {
  const vp = page.viewportSize()!;
  for (const c of controls) {
    const label = (await c.getAttribute('data-testid')) ?? (await c.getAttribute('aria-label')) ?? (await c.textContent());
    const box = await c.boundingBox();
    expect(box, `${label} has a box`).not.toBeNull();
    expect(box!.x, `${label} left edge`).toBeGreaterThanOrEqual(0);
    expect(box!.y, `${label} top edge`).toBeGreaterThanOrEqual(0);
    expect(box!.x + box!.width, `${label} right edge`).toBeLessThanOrEqual(vp.width + 0.5);
    expect(box!.y + box!.height, `${label} bottom edge`).toBeLessThanOrEqual(vp.height + 0.5);
    const hit = await c.evaluate((el) => {
      const r = el.getBoundingClientRect();
      const top = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
      return top !== null && (top === el || el.contains(top));
    });
    expect(hit, `${label} is not covered`).toBe(true);
  }
}
