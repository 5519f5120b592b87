// App settings: a small key-value store of JSON values in the data layer's database. Values
// are validated when read, by a zod schema the reader passes: a missing, outdated or damaged
// value gives the reader's fallback instead of an error, so a settings change between builds
// can never stop the app from starting. Layout: docs/formats.md, "IndexedDB schema".

import type { z } from 'zod';
import type { ClipDb, OpenClipDbOptions } from './clipDb.ts';
import { guard, openClipDb, runWrite } from './clipDb.ts';
import { DataError } from './dataErrors.ts';
import { toJson } from './jsonValue.ts';

/** Largest value stored, in UTF-8 bytes of its JSON: settings are small; frames belong in clips. */
export const MAX_SETTING_BYTES = 64 * 1024;
export const MAX_SETTING_KEY_LENGTH = 200;

export type SettingsStoreOptions = OpenClipDbOptions;

export interface SettingsStore {
  /**
   * The stored value as `schema` reads it, or `fallback` when there is none or the schema
   * refuses it (an older layout, a hand-edited value). Give the schema `.catch()`es or
   * defaults to keep the valid parts of an outdated object. Storage failures still throw.
   */
  get<T>(key: string, schema: z.ZodType<T>, fallback: T): Promise<T>;
  /** Stores plain JSON (refused with 'invalid-input' otherwise, or past MAX_SETTING_BYTES). */
  put(key: string, value: unknown): Promise<void>;
  /** Forgets the value (the next get gives the fallback); no error when there was none. */
  remove(key: string): Promise<void>;
  /** Every stored key, sorted. */
  keys(): Promise<string[]>;
  close(): void;
}

function checkKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_SETTING_KEY_LENGTH) {
    throw new DataError('invalid-input', `a setting key must have 1 to ${MAX_SETTING_KEY_LENGTH} characters`);
  }
}

export async function openSettingsStore(options: SettingsStoreOptions = {}): Promise<SettingsStore> {
  const db: ClipDb = await openClipDb(options);

  const read = guard('reading a setting', async (key: string) => (await db.get('settings', key))?.value);

  return {
    async get(key, schema, fallback) {
      checkKey(key);
      const stored = await read(key);
      if (stored === undefined) return fallback;
      try {
        const parsed = schema.safeParse(stored);
        return parsed.success ? parsed.data : fallback;
      } catch {
        return fallback; // a schema's own transform threw: treat the value as unreadable
      }
    },

    async put(key, value) {
      checkKey(key);
      const json = toJson(value, `setting '${key}'`, MAX_SETTING_BYTES);
      await runWrite(db, ['settings'], `saving setting '${key}'`, async (tx) => {
        await tx.objectStore('settings').put({ key, value: json.value });
      });
    },

    async remove(key) {
      checkKey(key);
      await runWrite(db, ['settings'], `removing setting '${key}'`, async (tx) => {
        await tx.objectStore('settings').delete(key);
      });
    },

    keys: guard('listing settings', () => db.getAllKeys('settings')),

    close() {
      db.close();
    },
  };
}
