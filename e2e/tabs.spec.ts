// Two tabs of one library (issue 11): a clip import runs in one tab while another tab loads
// fresh (its start-up orphan sweep runs). The import holds its clip's Web Lock, so the sweep
// leaves the half-written chunks alone and the imported clip is complete, frame for frame.
import 'fake-indexeddb/auto';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { exportClipsZip } from '../src/data/clipArchive.ts';
import { openClipStore } from '../src/data/clipStore.ts';
import { recordSyntheticClip } from '../src/data/testKit.ts';
import { GamePage } from './gamePage.ts';

/** Steps of the synthetic clip: large enough that its import outlasts a second tab's start-up. */
const STEPS = 1500;

test.describe('tabs sharing the library', () => {
  test('a fresh tab loading during an import does not sweep the clip being imported: it arrives complete (frame hash)', async ({ browser }, info) => {
    test.setTimeout(240_000);
    // The clip to import, made in Node through the same writer and exporter the game uses.
    const src = await openClipStore({ name: `tabs-${Date.now()}`, storage: null });
    const meta = await recordSyntheticClip(src, { steps: STEPS, frameWidth: 200, frameHeight: 66, name: 'two tabs' });
    const expected = createHash('sha256').update(await src.readFrames(meta.id, { start: 0, end: STEPS })).digest('hex');
    const file = info.outputPath('two-tabs.zip');
    writeFileSync(file, new Uint8Array(await (await exportClipsZip(src, [meta.id], { level: 6 })).arrayBuffer()));
    src.close();

    const context = await browser.newContext();
    const a = new GamePage(await context.newPage());
    await a.open('?track=oval');
    await a.page.getByTestId('panel-library').click();
    await a.page.getByTestId('import-file').setInputFiles(file);
    // The import is under way once it holds its clip's lock.
    const clipLocks = (p: GamePage) => p.page.evaluate(async () => ((await navigator.locks.query()).held ?? []).filter((l) => l.name?.startsWith('deepsteer-clip:')).length);
    await expect.poll(() => clipLocks(a), { timeout: 60_000, intervals: [20] }).toBe(1);

    const b = new GamePage(await context.newPage());
    await b.open('?track=oval');
    await b.hook('clips'); // resolves once tab B's store is open and its orphan sweep has run
    expect(await clipLocks(b), 'the import was still under way when the second tab had swept').toBe(1);

    await expect(a.page.getByTestId('clip-row')).toHaveCount(1, { timeout: 120_000 });
    const clips = await a.hook('clips');
    expect(clips).toHaveLength(1);
    expect(clips[0]).toMatchObject({ frameCount: STEPS, complete: true });
    const digest = await b.page.evaluate(async (id) => {
      const h = window.__deepsteer!;
      return h.clipDigest(id);
    }, clips[0].id);
    expect(digest.count).toBe(STEPS);
    // clipDigest hashes every camera's frames in order; this clip has the centre camera only.
    expect(digest.frames).toBe(expected);
    expect(a.errors.filter((e) => !/favicon/.test(e))).toEqual([]);
    await context.close();
  });
});
