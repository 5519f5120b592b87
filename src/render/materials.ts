// The materials of the world and the textures they sample. Materials are created once and live
// as long as the renderer; a theme change rewrites their colours and swaps their textures in
// place, so meshes never need rebuilding for a new look. Owns (and disposes) every texture.
//
// Lambert shading everywhere but the car: it is the cheapest lit material, and software GL here
// pays per pixel.

import {
  AdditiveBlending,
  Color,
  DataTexture,
  LinearFilter,
  LinearMipmapLinearFilter,
  LinearMipmapNearestFilter,
  MeshBasicMaterial,
  MeshLambertMaterial,
  NearestFilter,
  NoColorSpace,
  RepeatWrapping,
  RGBAFormat,
  SRGBColorSpace,
  type Texture,
  UnsignedByteType,
} from 'three';
import { chequerTexels, facadeTexels, linearTexels, radialTexels, stripeTexels, surfaceTexels, type TexelImage } from './textures.ts';
import type { Theme, ThemeName } from './themes.ts';

/**
 * Uploads texels as a texture. Colour texels are sRGB; by default they are stored converted to
 * linear bytes (see linearTexels: twice as fast to sample on software GL), `srgb: true` keeps
 * them sRGB (decoded by the GPU), `data: true` leaves non-colour data alone.
 */
export function dataTexture(img: TexelImage, opts: { repeat?: boolean; nearest?: boolean; srgb?: boolean; data?: boolean; mipBlend?: boolean } = {}): DataTexture {
  const linear = !opts.srgb && !opts.data;
  const texels = linear ? linearTexels(img) : img;
  const t = new DataTexture(texels.data, texels.width, texels.height, RGBAFormat, UnsignedByteType);
  if (opts.repeat ?? true) t.wrapS = t.wrapT = RepeatWrapping;
  if (opts.nearest) {
    t.magFilter = NearestFilter;
    t.minFilter = NearestFilter;
  } else {
    t.magFilter = LinearFilter;
    t.minFilter = (opts.mipBlend ?? true) ? LinearMipmapLinearFilter : LinearMipmapNearestFilter;
    t.generateMipmaps = true;
  }
  t.colorSpace = opts.srgb ? SRGBColorSpace : NoColorSpace;
  t.needsUpdate = true;
  return t;
}

interface ThemeTextures {
  asphalt: DataTexture;
  grass: DataTexture;
  gravel: DataTexture;
  kerb: DataTexture;
}

export interface WorldMaterials {
  readonly asphalt: MeshLambertMaterial;
  readonly gravel: MeshLambertMaterial;
  readonly grass: MeshLambertMaterial;
  readonly markings: MeshLambertMaterial;
  readonly kerb: MeshLambertMaterial;
  readonly startLine: MeshLambertMaterial;
  readonly hills: MeshBasicMaterial;
  readonly farHills: MeshBasicMaterial;
  /** Scenery: white, the vertex colours carry the shades (sceneryMesh.ts recolours per theme). */
  readonly foliage: MeshLambertMaterial;
  /** Trunks, poles, cones. */
  readonly props: MeshLambertMaterial;
  /** The start gantry's posts. */
  readonly metal: MeshLambertMaterial;
  readonly lamp: MeshLambertMaterial;
  readonly facade: MeshLambertMaterial;
  readonly roof: MeshLambertMaterial;
  /** Additive pools of lamp light on the ground at night. */
  readonly lampPool: MeshBasicMaterial;
}

/** The world's materials for one renderer. NOTE applyTheme mutates them in place. */
export class MaterialSet {
  readonly m: WorldMaterials;
  private readonly cache = new Map<ThemeName, ThemeTextures>();
  private readonly shared: Texture[] = [];
  /** A soft white disc fading to black at its rim (light pools, the car's contact shadow). */
  readonly radial: DataTexture;

  /**
   * `mipBlend: false` samples one mip level instead of blending two (trilinear): about half the
   * texture cost on software GL, at the price of faint bands where the level changes.
   */
  constructor(private readonly opts: { mipBlend: boolean } = { mipBlend: true }) {
    const chequer = dataTexture(chequerTexels(), { nearest: true });
    const facade = facadeTexels('buildings');
    const facadeColor = dataTexture(facade.color);
    const facadeLit = dataTexture(facade.lit);
    const glow = dataTexture(radialTexels(), { repeat: false, data: true });
    this.shared.push(chequer, facadeColor, facadeLit, glow);
    this.radial = glow;
    const square = 0.6; // start line chequer square, m
    chequer.repeat.set(1 / square, 1 / square);
    this.m = {
      asphalt: new MeshLambertMaterial(),
      gravel: new MeshLambertMaterial(),
      grass: new MeshLambertMaterial(),
      markings: new MeshLambertMaterial(),
      kerb: new MeshLambertMaterial(),
      startLine: new MeshLambertMaterial({ map: chequer }),
      hills: new MeshBasicMaterial(),
      farHills: new MeshBasicMaterial(),
      foliage: new MeshLambertMaterial({ flatShading: true, vertexColors: true }),
      props: new MeshLambertMaterial({ vertexColors: true }),
      metal: new MeshLambertMaterial({ color: 0x8a9096 }),
      lamp: new MeshLambertMaterial({ color: 0xdddddd }),
      facade: new MeshLambertMaterial({ map: facadeColor, emissiveMap: facadeLit, vertexColors: true }),
      roof: new MeshLambertMaterial({ color: 0x4a4c52 }),
      lampPool: new MeshBasicMaterial({ transparent: true, depthWrite: false, blending: AdditiveBlending, fog: false, map: glow }),
    };
  }

  private texturesFor(theme: Theme): ThemeTextures {
    let t = this.cache.get(theme.name);
    if (!t) {
      const surface = (style: Theme['asphalt'], what: string, texels = 128): DataTexture => {
        const tex = dataTexture(surfaceTexels(style, `${theme.name}:${what}`, texels), { mipBlend: this.opts.mipBlend });
        tex.repeat.set(1 / style.tileM, 1 / style.tileM);
        return tex;
      };
      const kerb = dataTexture(stripeTexels(theme.kerb[0], theme.kerb[1]), { mipBlend: this.opts.mipBlend });
      kerb.repeat.set(1, 1 / 4); // one red and one white stripe per 4 m of v
      t = { asphalt: surface(theme.asphalt, 'asphalt', 256), grass: surface(theme.grass, 'grass', 256), gravel: surface(theme.gravel, 'gravel'), kerb };
      this.cache.set(theme.name, t);
    }
    return t;
  }

  applyTheme(theme: Theme): void {
    const t = this.texturesFor(theme);
    const m = this.m;
    m.asphalt.map = t.asphalt;
    m.grass.map = t.grass;
    m.gravel.map = t.gravel;
    m.kerb.map = t.kerb;
    m.markings.color.setHex(theme.lines.color);
    m.markings.emissive.setHex(theme.lines.color).multiplyScalar(theme.lines.glow);
    m.hills.color.setHex(theme.hills);
    m.farHills.color.setHex(theme.hills).lerp(new Color(theme.fog.color), 0.45);
    m.lamp.emissive.setHex(0xffe0a0).multiplyScalar(theme.lamps);
    m.facade.emissive.setHex(0xffffff).multiplyScalar(theme.windows);
    m.lampPool.color.setHex(0xffc878).multiplyScalar(0.22 * theme.lamps);
    m.lampPool.visible = theme.lamps > 0;
    for (const mat of Object.values(m)) mat.needsUpdate = true;
  }

  dispose(): void {
    for (const mat of Object.values(this.m)) mat.dispose();
    for (const t of this.cache.values()) for (const tex of Object.values(t)) tex.dispose();
    for (const tex of this.shared) tex.dispose();
    this.cache.clear();
  }
}
