// What the Library panel asks of the app: every change to the clip store goes through these
// intents, performed by one command layer in src/app (libraryCommands.ts), which is also where
// undo lives. The panel itself only reads the store.

import type { ClipMeta, ClipTag, TransferOptions } from '../../data/index.ts';

export interface ImportRequest extends TransferOptions {
  readonly layout: 'clips' | 'udacity';
  /** The clip's name (Udacity recordings carry none). */
  readonly name: string;
  /** ms since the epoch, for a Udacity recording's date. */
  readonly createdAt: number;
}

export interface LibraryCommands {
  rename(clipId: string, name: string): Promise<void>;
  setTag(clipIds: readonly string[], tag: ClipTag | null): Promise<void>;
  /** Deletes clips; they leave the list at once and the player can undo for a few seconds. `label` names them in the notice. */
  remove(clipIds: readonly string[], label: string): Promise<void>;
  recover(clipId: string): Promise<ClipMeta>;
  importArchive(file: Blob, req: ImportRequest): Promise<ClipMeta[]>;
}
