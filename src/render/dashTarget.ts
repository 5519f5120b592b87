// The dash camera's render targets: the one view renderDash reads back at each control tick, and
// the strip of views side by side that renderDashViews reads back at once (auto-record's centre
// and side cameras).

import { NearestFilter, SRGBColorSpace, type WebGLRenderer, WebGLRenderTarget } from 'three';
import { rgbaStripToRgbViews } from './pixels.ts';

/** A render target for dash frames: sRGB, nearest filtering, a depth buffer, no multisampling. */
export function createDashTarget(width: number, height: number): WebGLRenderTarget {
  const t = new WebGLRenderTarget(width, height, { depthBuffer: true, samples: 0 });
  t.texture.colorSpace = SRGBColorSpace;
  t.texture.magFilter = NearestFilter;
  t.texture.minFilter = NearestFilter;
  t.texture.generateMipmaps = false;
  return t;
}

export function assertDashSize(w: number, h: number): void {
  if (!Number.isInteger(w) || !Number.isInteger(h) || w < 8 || h < 8 || w > 1024 || h > 1024) {
    throw new RangeError(`dash size must be whole pixels within 8..1024, got ${w}x${h}`);
  }
}

/** Views side by side in one target (made on first use and when the size changes), read back at once. */
export class DashStrip {
  private target: WebGLRenderTarget | null = null;
  private rgba = new Uint8Array(0);

  /**
   * Calls draw(i, target) for each of outs' views with the target's viewport and scissor on view i
   * (left to right), then reads the strip back once into outs (RGB, row 0 at the top).
   */
  render(renderer: WebGLRenderer, viewWidth: number, height: number, outs: readonly Uint8Array[], draw: (i: number, target: WebGLRenderTarget) => void): void {
    const w = viewWidth * outs.length;
    if (!this.target || this.target.width !== w || this.target.height !== height) {
      this.target?.dispose();
      this.target = createDashTarget(w, height);
      this.target.scissorTest = true; // each view clears only its own part
    }
    const t = this.target;
    if (this.rgba.length !== w * height * 4) this.rgba = new Uint8Array(w * height * 4);
    for (let i = 0; i < outs.length; i++) {
      t.viewport.set(i * viewWidth, 0, viewWidth, height);
      t.scissor.set(i * viewWidth, 0, viewWidth, height);
      draw(i, t);
    }
    renderer.readRenderTargetPixels(t, 0, 0, w, height, this.rgba);
    rgbaStripToRgbViews(this.rgba, viewWidth, height, outs);
  }

  dispose(): void {
    this.target?.dispose();
    this.target = null;
  }
}
