// The starter model as Quick train's base: the saved model a newcomer's first model is
// fine-tuned from (src/ui/training/quickTrain.ts says why). Which saved model is the starter is
// read from the shipped zip's own manifest (deepsteer.json: its name and training clips), so
// one installed by Autopilot, by an import, or by an older version of the game is found; when
// the library lacks it (deleted, or the player never pressed Watch) it is imported again.

import { ZipReader } from '../data/index.ts';
import type { ModelMeta } from '../data/index.ts';

/** How the starter's saved copy is recognised: the name and training clips its zip declares. */
export interface StarterIdentity {
  readonly name: string;
  readonly clipIds: readonly string[];
}

/** deepsteer.json of a model zip, read through the bounded zip reader (64 KiB at most). */
export function starterIdentity(zip: Uint8Array): StarterIdentity {
  const reader = ZipReader.openSync(zip);
  const entry = reader.entries.find((e) => e.name === 'deepsteer.json' || e.name.endsWith('/deepsteer.json'));
  if (!entry) throw new Error('the starter model zip has no deepsteer.json');
  const manifest = JSON.parse(new TextDecoder().decode(reader.readSync(entry, 64 * 1024))) as { metadata?: { name?: unknown; clips?: unknown } };
  const name = manifest.metadata?.name;
  const clips = manifest.metadata?.clips;
  if (typeof name !== 'string' || !Array.isArray(clips)) throw new Error('the starter model zip names no model or clips');
  return { name, clipIds: clips.map((c) => String((c as { id?: unknown }).id)) };
}

/** The saved copy of the starter among `models` (the newest if several), or null. */
export function findStarter(models: readonly ModelMeta[], starter: StarterIdentity): ModelMeta | null {
  const want = [...starter.clipIds].sort().join('\n');
  const copies = models.filter((m) => m.name === starter.name && [...m.clipIds].sort().join('\n') === want);
  return copies.sort((a, b) => a.createdAt - b.createdAt).at(-1) ?? null;
}

export interface StarterBaseDeps {
  /** The shipped starter zip's bytes. */
  fetchStarter(): Promise<Uint8Array>;
  listModels(): Promise<readonly ModelMeta[]>;
  importModel(bytes: Uint8Array): Promise<ModelMeta>;
  /** A model deleted and still undoable (modelCommands.isHidden): not used as a base. */
  hidden?(id: string): boolean;
}

/** A function that returns the starter's saved copy, importing it when missing. */
export function createStarterBase(deps: StarterBaseDeps): () => Promise<ModelMeta> {
  let zip: Uint8Array | null = null;
  let identity: StarterIdentity | null = null;
  return async () => {
    zip ??= await deps.fetchStarter();
    identity ??= starterIdentity(zip);
    const models = (await deps.listModels()).filter((m) => !deps.hidden?.(m.id));
    // importModel may take the buffer (transferred to a worker): hand it a copy.
    return findStarter(models, identity) ?? (await deps.importModel(zip.slice()));
  };
}
