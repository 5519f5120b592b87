import { afterEach, describe, expect, it } from 'vitest';
import { createKeyboard, type KeyboardAdapter } from './keyboard.ts';

/** A key event as a browser would send it (Node has Event and EventTarget, not KeyboardEvent). */
function key(type: 'keydown' | 'keyup', code: string, key: string, extra: Record<string, unknown> = {}): Event {
  return Object.assign(new Event(type, { cancelable: true }), { code, key, repeat: false, ...extra });
}

describe('keyboard adapter', () => {
  let target: EventTarget;
  let doc: EventTarget;
  let hidden = false;
  let kb: KeyboardAdapter;
  const make = () => {
    target = new EventTarget();
    doc = new EventTarget();
    hidden = false;
    kb = createKeyboard({ target, visibility: doc, isHidden: () => hidden });
  };
  afterEach(() => kb.dispose());

  it('tracks held driving keys and stops the page from scrolling on arrows', () => {
    make();
    const down = key('keydown', 'ArrowLeft', 'ArrowLeft');
    target.dispatchEvent(down);
    expect(down.defaultPrevented).toBe(true);
    target.dispatchEvent(key('keydown', 'KeyW', 'w'));
    expect(kb.keys).toEqual({ left: true, right: false, throttle: true, brake: false });
    target.dispatchEvent(key('keyup', 'ArrowLeft', 'ArrowLeft'));
    expect(kb.keys).toEqual({ left: false, right: false, throttle: true, brake: false });
  });

  it('releasing one of two keys for the same action keeps it held', () => {
    make();
    target.dispatchEvent(key('keydown', 'ArrowUp', 'ArrowUp'));
    target.dispatchEvent(key('keydown', 'KeyW', 'w'));
    target.dispatchEvent(key('keyup', 'KeyW', 'w'));
    expect(kb.keys.throttle).toBe(true);
    target.dispatchEvent(key('keyup', 'ArrowUp', 'ArrowUp'));
    expect(kb.keys.throttle).toBe(false);
  });

  it('forgets held keys on blur and when the page is hidden', () => {
    make();
    target.dispatchEvent(key('keydown', 'ArrowUp', 'ArrowUp'));
    target.dispatchEvent(new Event('blur'));
    expect(kb.keys.throttle).toBe(false);
    target.dispatchEvent(key('keydown', 'KeyD', 'd'));
    doc.dispatchEvent(new Event('visibilitychange'));
    expect(kb.keys.right).toBe(true); // still visible
    hidden = true;
    doc.dispatchEvent(new Event('visibilitychange'));
    expect(kb.keys.right).toBe(false);
  });

  it('queues intents once per press, ignoring auto-repeat', () => {
    make();
    target.dispatchEvent(key('keydown', 'KeyP', 'p'));
    target.dispatchEvent(key('keydown', 'KeyP', 'p', { repeat: true }));
    target.dispatchEvent(key('keydown', 'KeyR', 'r'));
    expect(kb.takeIntents()).toEqual(['pause', 'reset']);
    expect(kb.takeIntents()).toEqual([]);
  });

  it('ignores keys typed into a form field, but still releases held ones there', () => {
    make();
    target.dispatchEvent(key('keydown', 'ArrowUp', 'ArrowUp'));
    const typed = key('keydown', 'KeyR', 'r');
    Object.defineProperty(typed, 'target', { value: { tagName: 'INPUT' } });
    target.dispatchEvent(typed);
    const typedW = key('keydown', 'KeyW', 'w');
    Object.defineProperty(typedW, 'target', { value: { tagName: 'TEXTAREA' } });
    target.dispatchEvent(typedW);
    expect(kb.takeIntents()).toEqual([]);
    expect(typed.defaultPrevented).toBe(false);
    const up = key('keyup', 'ArrowUp', 'ArrowUp');
    Object.defineProperty(up, 'target', { value: { tagName: 'INPUT' } });
    target.dispatchEvent(up);
    expect(kb.keys.throttle).toBe(false);
  });

  it('does not drive or act on browser shortcuts', () => {
    make();
    target.dispatchEvent(key('keydown', 'KeyR', 'r', { ctrlKey: true }));
    target.dispatchEvent(key('keydown', 'KeyA', 'a', { metaKey: true }));
    expect(kb.takeIntents()).toEqual([]);
    expect(kb.keys.left).toBe(false);
  });

  it('stops listening after dispose', () => {
    make();
    kb.dispose();
    target.dispatchEvent(key('keydown', 'ArrowUp', 'ArrowUp'));
    target.dispatchEvent(key('keydown', 'KeyP', 'p'));
    expect(kb.keys.throttle).toBe(false);
    expect(kb.takeIntents()).toEqual([]);
  });
});
