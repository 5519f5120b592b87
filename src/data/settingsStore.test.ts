import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DataError } from './dataErrors.ts';
import { MAX_SETTING_BYTES, openSettingsStore } from './settingsStore.ts';
import { quotaLimitedFactory } from './testKit.ts';

const gamepadSchema = z.object({ deadzone: z.number().min(0).max(0.5), invertY: z.boolean() });
const GAMEPAD_DEFAULTS = { deadzone: 0.1, invertY: false };

describe('settings store', () => {
  it('round-trips JSON values, across connections', async () => {
    const factory = new IDBFactory();
    const settings = await openSettingsStore({ factory });
    await settings.put('gamepad', { deadzone: 0.2, invertY: true });
    await settings.put('theme', 'night');
    await settings.put('recent', [{ trackId: 'oval', at: 1.5 }, null, -0]);
    settings.close();

    const again = await openSettingsStore({ factory });
    expect(await again.get('gamepad', gamepadSchema, GAMEPAD_DEFAULTS)).toEqual({ deadzone: 0.2, invertY: true });
    expect(await again.get('theme', z.enum(['day', 'night']), 'day')).toBe('night');
    expect(await again.get('recent', z.array(z.unknown()), [])).toEqual([{ trackId: 'oval', at: 1.5 }, null, 0]);
    expect(await again.keys()).toEqual(['gamepad', 'recent', 'theme']);
    await again.put('theme', 'day');
    expect(await again.get('theme', z.string(), '?')).toBe('day');
  });

  it('gives the fallback for a missing, outdated or damaged value, never an error', async () => {
    const settings = await openSettingsStore({ factory: new IDBFactory() });
    expect(await settings.get('gamepad', gamepadSchema, GAMEPAD_DEFAULTS)).toBe(GAMEPAD_DEFAULTS);
    // An older build stored the deadzone as a percentage under another name.
    await settings.put('gamepad', { deadzonePct: 10 });
    expect(await settings.get('gamepad', gamepadSchema, GAMEPAD_DEFAULTS)).toBe(GAMEPAD_DEFAULTS);
    await settings.put('gamepad', { deadzone: 0.9, invertY: false });
    expect(await settings.get('gamepad', gamepadSchema, GAMEPAD_DEFAULTS)).toBe(GAMEPAD_DEFAULTS);
    await settings.put('gamepad', 'broken');
    expect(await settings.get('gamepad', gamepadSchema, GAMEPAD_DEFAULTS)).toBe(GAMEPAD_DEFAULTS);
    // A schema whose own transform throws is treated like a refusal.
    const throwing = z.string().transform((): string => {
      throw new Error('boom');
    });
    expect(await settings.get('gamepad', throwing, 'safe')).toBe('safe');
    // A schema with per-field catches keeps the valid parts of an outdated object.
    await settings.put('gamepad', { deadzone: 0.3, invertY: 'yes' });
    const lenient = z.object({ deadzone: gamepadSchema.shape.deadzone.catch(0.1), invertY: z.boolean().catch(false) });
    expect(await settings.get('gamepad', lenient, GAMEPAD_DEFAULTS)).toEqual({ deadzone: 0.3, invertY: false });
    await settings.remove('gamepad');
    await settings.remove('gamepad');
    expect(await settings.get('gamepad', gamepadSchema, GAMEPAD_DEFAULTS)).toBe(GAMEPAD_DEFAULTS);
  });

  it('refuses what is not plain JSON, naming where it sits, and values past the size cap', async () => {
    const settings = await openSettingsStore({ factory: new IDBFactory() });
    await settings.put('keep', 1);
    const cases: [unknown, RegExp][] = [
      [{ a: [1, { b: Number.NaN }] }, /setting 'x' is not plain JSON at a\[1\]\.b/],
      [{ when: new Date(0) }, /not plain JSON at when/],
      [new Map([['a', 1]]), /not plain JSON \(/],
      [[1, undefined], /not plain JSON at \[1\]/],
      [Infinity, /not plain JSON/],
      ['x'.repeat(MAX_SETTING_BYTES), /is 65538 bytes of JSON; at most 65536 are stored/],
    ];
    for (const [value, message] of cases) {
      const err = await settings.put('x', value).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(DataError);
      expect(err).toMatchObject({ code: 'invalid-input', message: expect.stringMatching(message) });
    }
    await expect(settings.put('', 1)).rejects.toMatchObject({ code: 'invalid-input' });
    // Undefined members are dropped, as JSON drops them.
    await settings.put('x', { a: 1, b: undefined });
    expect(await settings.get('x', z.record(z.string(), z.unknown()), {})).toEqual({ a: 1 });
    expect(await settings.keys()).toEqual(['keep', 'x']);
  });

  it('reports a full quota and keeps the old value', async () => {
    for (const mode of ['throw', 'abort'] as const) {
      const quota = quotaLimitedFactory(new IDBFactory(), Infinity, mode);
      const settings = await openSettingsStore({ factory: quota.factory });
      await settings.put('theme', 'day');
      quota.budgetBytes = quota.usedBytes;
      const err = await settings.put('theme', 'night').then(() => null, (e: unknown) => e);
      expect(err).toMatchObject({ name: 'StorageFullError', code: 'storage-full', message: "saving setting 'theme': the browser's storage for this site is full" });
      expect(await settings.get('theme', z.string(), '?')).toBe('day');
    }
  });
});
