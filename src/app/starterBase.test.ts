// Quick train's base: the starter's saved copy is found by the name and clips its zip declares,
// and imported only when missing (never a second copy).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ModelMeta } from '../data/index.ts';
import { createStarterBase, findStarter, starterIdentity } from './starterBase.ts';

const ZIP = new Uint8Array(readFileSync(new URL('../../assets/models/starter.deepsteer-model.zip', import.meta.url)));

function meta(id: string, name: string, clipIds: readonly string[], createdAt = 0): ModelMeta {
  return {
    id, name, clipIds, createdAt, kind: 'cnn_lstm', config: {}, normalization: {}, metrics: {}, backend: 'cpu', inputShape: [6, 33, 100, 3], weightBytes: 1,
  } as ModelMeta;
}

describe('the starter as Quick train base', () => {
  const who = starterIdentity(ZIP);

  it("reads the shipped starter's name and training clips from its zip", () => {
    expect(who.name.length).toBeGreaterThan(0);
    expect(who.clipIds.length).toBeGreaterThan(1);
  });

  it('finds the starter by name and clips (in any order), not a model trained on other clips', () => {
    const own = meta('own', who.name, ['player-clip']);
    const starter = meta('s', who.name, [...who.clipIds].reverse());
    expect(findStarter([own, starter], who)?.id).toBe('s');
    expect(findStarter([own], who)).toBeNull();
    expect(findStarter([meta('other', 'Another name', who.clipIds)], who)).toBeNull();
  });

  it('imports the starter only when the library lacks it (or it is being deleted)', async () => {
    const models: ModelMeta[] = [meta('own', 'Quick', ['c1'])];
    let imports = 0;
    const hidden = new Set<string>();
    const base = createStarterBase({
      fetchStarter: async () => ZIP,
      listModels: async () => models,
      importModel: async (bytes) => {
        imports++;
        expect(starterIdentity(bytes)).toEqual(who);
        const m = meta(`imported${imports}`, who.name, who.clipIds, imports);
        models.push(m);
        return m;
      },
      hidden: (id) => hidden.has(id),
    });
    expect((await base()).id).toBe('imported1');
    expect((await base()).id).toBe('imported1');
    expect(imports).toBe(1);
    hidden.add('imported1');
    expect((await base()).id).toBe('imported2');
    expect(imports).toBe(2);
  });
});
