import { describe, expect, it } from 'vitest';
import { resolveTrack } from '../sim/tracks.ts';
import { fitMinimap, hudLayout, mapHeading, mapX, mapY, type Rect, roadZone, trackBounds } from './layout.ts';

const SIZES: [number, number][] = [[1280, 720], [1920, 1080], [1024, 768], [800, 600], [800, 450], [1280, 600], [2560, 1080], [3840, 2160], [1366, 768]];

function overlaps(a: Rect, b: Rect): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

describe('hudLayout', () => {
  for (const [w, h] of SIZES) {
    it(`at ${w} x ${h}: panels on screen, apart, and off the road ahead`, () => {
      const l = hudLayout(w, h);
      expect(l.compact).toBe(false);
      const panels = { lap: l.lap, minimap: l.minimapBox, status: l.status, warning: l.warning, steering: l.steering, autopilot: l.autopilot, modelSlot: l.modelSlot, speed: l.speed };
      const road = roadZone(w, h);
      expect(l.road).toEqual(road);
      const entries = Object.entries(panels);
      for (const [name, r] of entries) {
        expect(r.x, name).toBeGreaterThanOrEqual(0);
        expect(r.y, name).toBeGreaterThanOrEqual(0);
        expect(r.x + r.w, name).toBeLessThanOrEqual(w);
        expect(r.y + r.h, name).toBeLessThanOrEqual(h);
        expect(overlaps(r, road), `${name} covers the road`).toBe(false);
      }
      for (let i = 0; i < entries.length; i++) {
        for (let j = i + 1; j < entries.length; j++) {
          expect(overlaps(entries[i][1], entries[j][1]), `${entries[i][0]} overlaps ${entries[j][0]}`).toBe(false);
        }
      }
    });
  }

  // Phones held sideways, the touch controls below: the HUD's layer is the view above them (844x390:
  // 192 px of a 342 px view, 915x412: 214 of 364, 932x430: 232 of 382; 360 px tall phones, 740x360
  // and 800x360, with the shorter touch strip there: 192 of 312), where the lap panel (182 units)
  // and the autopilot block used to overlap the steering panel, and the block went off the top.
  // A short window without touch controls (800 x 200): the view is the layer.
  for (const [w, h, view] of [[844, 192, 342], [740, 192, 312], [800, 192, 312], [800, 200, 200], [915, 214, 364], [932, 232, 382]] as const) {
    it(`on a short layer (${w} x ${h} over a view ${view} px tall): folded, panels on screen, apart, and off the road ahead`, () => {
      const l = hudLayout(w, h, view);
      expect(l.compact).toBe(true);
      expect(l.lap.h).toBeLessThanOrEqual(44 * l.unit);
      const panels = { lap: l.lap, minimap: l.minimapBox, steering: l.steering, autopilot: l.autopilot, modelSlot: l.modelSlot, speed: l.speed };
      const chips = { status: l.status, warning: l.warning };
      const road = roadZone(w, view);
      expect(l.road).toEqual(road.y + road.h <= h ? road : { ...road, h: h - road.y });
      for (const [name, r] of [...Object.entries(panels), ...Object.entries(chips)]) {
        expect(r.x >= 0 && r.y >= 0 && r.x + r.w <= w && r.y + r.h <= h, `${name} on screen`).toBe(true);
        // Without the taller view there is no sky below the top row: the chips may touch the top of the road there.
        if (view > h || !(name in chips)) expect(overlaps(r, road), `${name} covers the road`).toBe(false);
      }
      expect(l.minimapBox.h).toBeGreaterThan(40);
      // Room for the chips' text: the REC chip (about 200 px at this scale) and OFF TRACK (about 130).
      expect(l.status.w).toBeGreaterThanOrEqual(190);
      expect(l.warning.w).toBeGreaterThanOrEqual(130);
      // Nothing overlaps, the chips included: they show for moments (recording, off the road),
      // and used to cover the autopilot block and its model switch.
      const entries = [...Object.entries(panels), ...Object.entries(chips)];
      for (let i = 0; i < entries.length; i++) {
        for (let j = i + 1; j < entries.length; j++) {
          expect(overlaps(entries[i][1], entries[j][1]), `${entries[i][0]} overlaps ${entries[j][0]}`).toBe(false);
        }
      }
    });
  }

  it('the model switch sits by the autopilot block: above it, or under it when folded', () => {
    const wide = hudLayout(1280, 720);
    expect(wide.modelSlot.y + wide.modelSlot.h).toBeLessThanOrEqual(wide.autopilot.y);
    expect(wide.modelSlot.y).toBeGreaterThan(wide.lap.y + wide.lap.h);
    const short = hudLayout(844, 192, 342);
    expect(short.modelSlot.y).toBeGreaterThanOrEqual(short.autopilot.y + short.autopilot.h);
    expect(short.modelSlot.x).toBe(short.autopilot.x);
  });

  it('gauge, pedals, wheels and steering bar sit inside their panels', () => {
    for (const [w, h] of SIZES) {
      const l = hudLayout(w, h);
      const inside = (r: Rect, x0: number, y0: number, x1: number, y1: number) =>
        x0 >= r.x && y0 >= r.y && x1 <= r.x + r.w && y1 <= r.y + r.h;
      const g = l.gauge;
      const outer = g.r + g.width;
      expect(inside(l.speed, g.cx - outer, g.cy - outer, g.cx + outer, g.cy + outer)).toBe(true);
      const p = l.pedals;
      expect(p.throttleX).toBeGreaterThan(g.cx + outer);
      expect(p.brakeX).toBeGreaterThanOrEqual(p.throttleX + p.w);
      expect(inside(l.speed, p.throttleX, p.top, p.brakeX + p.w, p.top + p.h)).toBe(true);
      const wh = l.wheels;
      for (const x of [wh.soloX, wh.humanX, wh.modelX]) expect(inside(l.steering, x - wh.r, wh.y - wh.r, x + wh.r, wh.y + wh.r)).toBe(true);
      expect(wh.modelX - wh.humanX).toBeGreaterThan(2 * wh.r);
      const b = l.steerBar;
      expect(inside(l.steering, b.cx - b.half, b.y, b.cx + b.half, b.y)).toBe(true);
      expect(b.y).toBeGreaterThan(wh.y + wh.r);
    }
  });

  it('scales with the screen, within limits', () => {
    expect(hudLayout(1280, 720).unit).toBe(1);
    expect(hudLayout(1920, 1080).unit).toBe(1.5);
    expect(hudLayout(3840, 2160).unit).toBe(2);
    expect(hudLayout(320, 200).unit).toBe(0.7);
    expect(hudLayout(0, 0).width).toBe(1);
  });
});

describe('minimap fit', () => {
  const track = resolveTrack('oval');
  const b = trackBounds(track);

  it('bounds hold every centreline point, plus half the road', () => {
    for (let i = 0; i < track.n; i += 7) {
      expect(track.xs[i]).toBeGreaterThanOrEqual(b.minX + track.width / 2 - 1e-9);
      expect(track.xs[i]).toBeLessThanOrEqual(b.maxX - track.width / 2 + 1e-9);
      expect(track.ys[i]).toBeGreaterThanOrEqual(b.minY + track.width / 2 - 1e-9);
      expect(track.ys[i]).toBeLessThanOrEqual(b.maxY - track.width / 2 + 1e-9);
    }
  });

  it('fits the box keeping the aspect, right- and top-aligned, north up', () => {
    const box = { x: 1000, y: 20, w: 240, h: 170 };
    const fit = fitMinimap(b, box, 10);
    const dx = b.maxX - b.minX;
    const dy = b.maxY - b.minY;
    expect(dx / dy).toBeGreaterThan(2); // the oval is wide: width limits
    expect(fit.rect.w).toBeCloseTo(240, 9);
    expect(fit.rect.h).toBeLessThan(170);
    expect(fit.rect.h).toBeCloseTo(dy * fit.scale + 20, 9);
    expect(fit.rect.x + fit.rect.w).toBeCloseTo(box.x + box.w, 9);
    expect(fit.rect.y).toBe(box.y);
    // Corners map to the padded rect's corners; north (larger y) is up the screen.
    expect(mapX(fit, b.minX)).toBeCloseTo(fit.rect.x + 10, 9);
    expect(mapX(fit, b.maxX)).toBeCloseTo(fit.rect.x + fit.rect.w - 10, 9);
    expect(mapY(fit, b.maxY)).toBeCloseTo(fit.rect.y + 10, 9);
    expect(mapY(fit, b.minY)).toBeCloseTo(fit.rect.y + fit.rect.h - 10, 9);
    // Every point of the track lands inside the rect.
    for (let i = 0; i < track.n; i += 5) {
      const x = mapX(fit, track.xs[i]);
      const y = mapY(fit, track.ys[i]);
      expect(x).toBeGreaterThan(fit.rect.x);
      expect(x).toBeLessThan(fit.rect.x + fit.rect.w);
      expect(y).toBeGreaterThan(fit.rect.y);
      expect(y).toBeLessThan(fit.rect.y + fit.rect.h);
    }
  });

  it('a tall track is limited by height and sits at the right edge', () => {
    const fit = fitMinimap({ minX: 0, maxX: 100, minY: 0, maxY: 400 }, { x: 0, y: 0, w: 240, h: 170 }, 10);
    expect(fit.scale).toBeCloseTo(150 / 400, 12);
    expect(fit.rect.h).toBeCloseTo(170, 9);
    expect(fit.rect.x + fit.rect.w).toBeCloseTo(240, 9);
  });

  it('turns world headings (counter-clockwise) into screen rotations (clockwise)', () => {
    expect(mapHeading(0)).toBe(-0);
    expect(mapHeading(Math.PI / 2)).toBe(-Math.PI / 2); // north: pointing up the screen
  });
});
