import { expect, test } from '@playwright/test';

test('the built page opens without console errors', async ({ page }) => {
  const errors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/');
  await expect(page).toHaveTitle(/DeepSteer/);
  expect(errors).toEqual([]);
});
