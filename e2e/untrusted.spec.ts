// Every bad file a player can import, from the UI: replays (forged, over a cap, old format,
// bombs), clip and Udacity zips (bombs, lying sizes, huge images) and model zips. Each is refused
// with its reason, the library, the models and the leaderboard stay as they were, and the tab
// keeps drawing (a frame within 1 s of the import starting).

import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { strToU8, zipSync } from 'fflate';
import { bombZip, pngHeader, zipWithDeclaredSize } from '../src/data/untrusted/nastyKit.ts';
import { GamePage } from './gamePage.ts';

const REPLAY = JSON.parse(readFileSync('assets/replays/oval-expert.replay.json', 'utf8')) as Record<string, unknown>;
const V1 = readFileSync('src/scoring/fixtures/oval-expert.v1.replay.json');

/** Resolves with ms until the next animation frame (rejects past 1 s). */
function nextFrameWithin1s(page: Page): Promise<number> {
  return page.evaluate(() => new Promise<number>((resolve, reject) => {
    const t0 = performance.now();
    const timer = setTimeout(() => reject(new Error('no frame within 1 s')), 1000);
    requestAnimationFrame(() => {
      clearTimeout(timer);
      resolve(performance.now() - t0);
    });
  }));
}

const file = (name: string, data: Uint8Array | string, mimeType = 'application/octet-stream') => ({ name, mimeType, buffer: Buffer.from(typeof data === 'string' ? strToU8(data) : data) });

test.describe('untrusted files', () => {
  test('bad replays, clip zips and model zips are refused with their reason; nothing changes; the tab keeps drawing', async ({ page }) => {
    test.setTimeout(240_000);
    const game = new GamePage(page);
    await game.open('?track=oval');
    await game.hook('pause', true);
    await game.hook('setDriver', 'expert');
    await game.hook('runLaps', 1);
    await game.hook('pause', false);
    await page.getByTestId('panel-leaderboard').click();
    await page.getByTestId('board-class-expert').click();
    // The test's own lap; the oval's board also lists the shipped reference lap (data-shipped).
    const rows = page.locator('[data-testid="board-row"]:not([data-shipped="true"])');
    await expect(rows).toHaveCount(1);
    const clipsBefore = (await game.hook('clips')).length;
    const modelsBefore = (await game.hook('models')).length;

    const file0 = JSON.stringify;
    const oval = (REPLAY.start as { kind: string }).kind === 'lap' ? REPLAY : null;
    expect(oval).not.toBeNull();
    const shrunk = { format: 'deepsteer-track', version: 1, id: 'oval', name: 'Oval', width: 12, controlPoints: [[-60, -54], [60, -54], [60, 54], [-60, 54]] };
    const replays: [string, string, RegExp][] = [
      ['forged-track.replay.json', file0({ ...REPLAY, track: { id: 'oval', file: shrunk } }), /may not claim the preset or seed id 'oval'/],
      ['substeps.replay.json', file0({ ...REPLAY, car: { substeps: 1e8 } }), /substeps: must be an integer within 1\.\.8/],
      ['power.replay.json', file0({ ...REPLAY, car: { power: 120000 } }), /modified car \(power 60000 -> 120000\): only the default car is ranked/],
      ['old.replay.json', V1.toString('utf8'), /old replay format/],
      ['claim.replay.json', file0({ ...REPLAY, claim: { ...(REPLAY.claim as object), driverClass: 'autopilot' } }), /claims a autopilot lap, but the driver record makes it expert/],
      ['deep.replay.json', '['.repeat(500_000) + ']'.repeat(500_000), /./],
      ['huge.replay.json', ' '.repeat(3 * 1024 * 1024), /a replay is at most/],
    ];
    for (const [name, text, reason] of replays) {
      await page.getByTestId('replay-import').setInputFiles(file(name, text, 'application/json'));
      expect(await nextFrameWithin1s(page)).toBeLessThan(1000);
      await expect(page.getByTestId('notice-error').last()).toContainText(reason);
      await expect(rows).toHaveCount(1);
    }

    await page.getByTestId('panel-library').click();
    const zips: [string, Uint8Array, RegExp][] = [
      ['bomb.zip', bombZip('manifest.json', 1_000_000), /declares \d+ bytes; at most/],
      ['lying.zip', bombZip('manifest.json', 1_000_000, 1000), /inflates to more than the 1000 bytes it declares/],
      ['huge-declared.zip', zipWithDeclaredSize({ 'manifest.json': strToU8('{}') }, 'manifest.json', 0xfffffff0), /declares 4294967280 bytes/],
      ['udacity-png.zip', zipSync({ 'IMG/a.png': pngHeader(100_000, 100_000), 'driving_log.csv': strToU8('IMG/a.png,,,0,0,0,1\n') }), /declares 100000x100000 pixels/],
      ['random.zip', Uint8Array.from({ length: 5000 }, (_, i) => (i * 7919) & 255), /./],
    ];
    for (const [name, bytes, reason] of zips) {
      await page.getByTestId('import-file').setInputFiles(file(name, bytes, 'application/zip'));
      expect(await nextFrameWithin1s(page)).toBeLessThan(1000);
      await expect(page.getByTestId('notice-error').last()).toContainText(reason, { timeout: 30_000 });
      await expect(page.getByTestId('notice-error').last()).toContainText(name);
    }
    expect(await game.hook('clips')).toHaveLength(clipsBefore);

    await page.getByTestId('mode-train').click();
    const models: [string, Uint8Array, RegExp][] = [
      ['model-bomb.zip', bombZip('model.json', 1_000_000), /declares \d+ bytes; at most|not a readable model zip/],
      ['model-junk.zip', zipSync({ 'deepsteer.json': strToU8('{"format":1e999}'), 'model.json': strToU8('[[[[[]]]]]'), 'weights.bin': new Uint8Array(8) }), /deepsteer\.json|format/],
    ];
    for (const [name, bytes, reason] of models) {
      await page.getByTestId('model-import').setInputFiles(file(name, bytes, 'application/zip'));
      expect(await nextFrameWithin1s(page)).toBeLessThan(1000);
      await expect(page.getByTestId('notice-error').last()).toContainText(reason, { timeout: 60_000 });
    }
    expect(await game.hook('models')).toHaveLength(modelsBefore);
    await page.getByTestId('panel-leaderboard').click();
    await page.getByTestId('board-class-expert').click();
    await expect(rows).toHaveCount(1);
  });
});
