import { describe, expect, it } from 'vitest';
import { driveKeyFor, INPUT_INTENTS, intentFor, KEY_MAP } from './keymap.ts';

describe('key map', () => {
  it('drives with arrows and WASD by physical position', () => {
    expect(driveKeyFor('ArrowUp')).toBe('throttle');
    expect(driveKeyFor('KeyW')).toBe('throttle');
    expect(driveKeyFor('ArrowDown')).toBe('brake');
    expect(driveKeyFor('KeyS')).toBe('brake');
    expect(driveKeyFor('ArrowLeft')).toBe('left');
    expect(driveKeyFor('KeyA')).toBe('left');
    expect(driveKeyFor('ArrowRight')).toBe('right');
    expect(driveKeyFor('KeyD')).toBe('right');
    expect(driveKeyFor('KeyP')).toBeNull();
  });

  it('maps intent keys by the printed letter, either case', () => {
    expect(intentFor({ key: 'p', code: 'KeyP' })).toBe('pause');
    expect(intentFor({ key: 'P', code: 'KeyP' })).toBe('pause');
    expect(intentFor({ key: 'Escape', code: 'Escape' })).toBe('pause');
    expect(intentFor({ key: 'r', code: 'KeyR' })).toBe('reset');
    expect(intentFor({ key: 't', code: 'KeyT' })).toBe('recordToggle');
    expect(intentFor({ key: 'c', code: 'KeyC' })).toBe('cameraCycle');
    expect(intentFor({ key: 'm', code: 'Semicolon' })).toBe('autopilotToggle'); // AZERTY's M
    expect(intentFor({ key: 'h', code: 'KeyH' })).toBe('hudToggle');
    expect(intentFor({ key: 'g', code: 'KeyG' })).toBe('ghostToggle');
    expect(intentFor({ key: 'f', code: 'KeyF' })).toBe('fullscreen');
    expect(intentFor({ key: '?', code: 'Slash' })).toBe('help');
    expect(intentFor({ key: 'F1', code: 'F1' })).toBe('help');
    expect(intentFor({ key: 'v', code: 'KeyV' })).toBe('saliencyToggle');
    expect(intentFor({ key: 'L', code: 'KeyL' })).toBe('layersToggle');
    expect(intentFor({ key: 'k', code: 'KeyK' })).toBe('gatesToggle');
    expect(intentFor({ key: 'x', code: 'KeyX' })).toBeNull();
  });

  it('leaves browser shortcuts alone', () => {
    expect(intentFor({ key: 'r', code: 'KeyR', ctrlKey: true })).toBeNull();
    expect(intentFor({ key: 'f', code: 'KeyF', metaKey: true })).toBeNull();
    expect(intentFor({ key: 'p', code: 'KeyP', altKey: true })).toBeNull();
  });

  it('a driving position never fires an intent (Colemak prints R on the physical S)', () => {
    expect(intentFor({ key: 'r', code: 'KeyS' })).toBeNull();
  });

  it('falls back to the position on layouts without Latin letters', () => {
    expect(intentFor({ key: 'к', code: 'KeyR' })).toBe('reset'); // Russian layout
    expect(intentFor({ key: 'з', code: 'KeyP' })).toBe('pause');
  });

  it('documents every intent', () => {
    const reachable = new Set<string>();
    for (const key of ['p', 'Escape', 'r', 't', 'c', 'm', 'h', 'g', 'f', '?', 'F1', 'v', 'l', 'k']) {
      const i = intentFor({ key, code: '' });
      if (i) reachable.add(i);
    }
    expect([...reachable].sort()).toEqual([...INPUT_INTENTS].sort());
    expect(KEY_MAP.length).toBeGreaterThanOrEqual(INPUT_INTENTS.length);
  });
});
