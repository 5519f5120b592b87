import { describe, expect, it } from 'vitest';
import { createGamepadPoller, type PolledGamepad } from './gamepad.ts';
import { DEFAULT_INPUT_SETTINGS } from './settings.ts';

function pad(index: number, id: string, opts: { x?: number; pressed?: number[]; connected?: boolean } = {}): PolledGamepad {
  const buttons = Array.from({ length: 17 }, (_, i) => ({ pressed: opts.pressed?.includes(i) ?? false, value: opts.pressed?.includes(i) ? 1 : 0 }));
  return { index, id, connected: opts.connected ?? true, axes: [opts.x ?? 0, 0, 0, 0], buttons };
}

describe('gamepad poller', () => {
  it('reads nothing without a pad or without the Gamepad API', () => {
    expect(createGamepadPoller({ getGamepads: () => [null, null] }).poll()).toBeNull();
    const noApi = createGamepadPoller();
    expect(noApi.poll()).toBeNull();
    expect(noApi.padId).toBeNull();
  });

  it('reads the first connected pad and keeps press edges between polls', () => {
    let pads: (PolledGamepad | null)[] = [null, pad(1, 'pad A', { x: 1, pressed: [9] })];
    const poller = createGamepadPoller({ getGamepads: () => pads, settings: DEFAULT_INPUT_SETTINGS });
    const first = poller.poll()!;
    expect(poller.padId).toBe('pad A');
    expect(first.steer).toBe(-1);
    expect(first.intents).toEqual(['pause']);
    expect(poller.poll()!.intents).toEqual([]); // still held
    pads = [null, pad(1, 'pad A')];
    expect(poller.poll()!.intents).toEqual([]);
    pads = [null, pad(1, 'pad A', { pressed: [9] })];
    expect(poller.poll()!.intents).toEqual(['pause']);
  });

  it('moves to another pad when the one in use is unplugged', () => {
    let pads: (PolledGamepad | null)[] = [pad(0, 'pad A', { pressed: [3] }), pad(1, 'pad B', { pressed: [3] })];
    const poller = createGamepadPoller({ getGamepads: () => pads });
    expect(poller.poll()!.intents).toEqual(['reset']);
    expect(poller.padId).toBe('pad A');
    pads = [null, pad(1, 'pad B', { pressed: [3] })];
    const r = poller.poll()!;
    expect(poller.padId).toBe('pad B');
    expect(r.intents).toEqual(['reset']); // a new pad: its held button counts as a press
    pads = [pad(0, 'pad A', { connected: false }), null];
    expect(poller.poll()).toBeNull();
    expect(poller.padId).toBeNull();
  });

  it('applies new settings on the next poll', () => {
    const pads = [pad(0, 'pad', { x: 0.2 })];
    const poller = createGamepadPoller({ getGamepads: () => pads });
    expect(poller.poll()!.steer).not.toBe(0);
    poller.setSettings({ ...DEFAULT_INPUT_SETTINGS, gamepadDeadzone: 0.3 });
    expect(poller.poll()!.steer).toBe(0);
  });
});
