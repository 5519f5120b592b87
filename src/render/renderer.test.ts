// The renderer's fault paths that need no WebGL: Node has none, so a stand-in canvas plays the
// browser that refuses a context.
import { describe, expect, it } from 'vitest';
import { resolveTrack } from '../sim/tracks.ts';
import { createRenderer, NoWebGLError } from './renderer.ts';

/** A canvas whose getContext fails like a browser without WebGL2, optionally saying why. */
function refusingCanvas(reason?: string): HTMLCanvasElement {
  const listeners = new Map<string, (e: Event) => void>();
  return {
    addEventListener: (type: string, fn: (e: Event) => void) => listeners.set(type, fn),
    removeEventListener: (type: string) => listeners.delete(type),
    getContext: () => {
      if (reason) listeners.get('webglcontextcreationerror')?.({ statusMessage: reason } as unknown as Event);
      return null;
    },
  } as unknown as HTMLCanvasElement;
}

describe('createRenderer without WebGL', () => {
  const track = resolveTrack('oval');

  it('throws NoWebGLError carrying the browser\'s reason, with a message for the player', () => {
    let error: unknown;
    try {
      createRenderer({ canvas: refusingCanvas('GPU process was unable to boot'), track });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NoWebGLError);
    const e = error as NoWebGLError;
    expect(e.name).toBe('NoWebGLError');
    expect(e.reason).toBe('GPU process was unable to boot');
    expect(e.message).toMatch(/WebGL2 is not available/);
    expect(e.message).toMatch(/GPU process was unable to boot/);
  });

  it('still explains itself when the browser gives no reason', () => {
    expect(() => createRenderer({ canvas: refusingCanvas(), track })).toThrow(/WebGL2 is not available, so the road cannot be drawn \(.+\)/);
  });

  it('refuses dash sizes that are not whole pixels in range, before touching the GPU', () => {
    for (const [w, h] of [[0, 66], [200, 4], [200.5, 66], [2048, 66]]) {
      expect(() => createRenderer({ canvas: refusingCanvas(), track, dashWidth: w, dashHeight: h })).toThrow(RangeError);
    }
  });
});
