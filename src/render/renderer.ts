// The renderer: the one object the app drives to draw the game and to see through the dash
// camera. It owns the WebGL context and everything on the GPU (scene, textures, the dash render
// target); it holds no game state: every frame is drawn from the poses it is given.
//
// Frame loop, as the app should drive it:
// - at each requestAnimationFrame: render({ car: interpolatePose(prev, curr, alpha), camera, ghosts, dash })
// - at each 20 Hz control tick (recording, autopilot): renderDash(poseOfCar(world.car)) for the
//   tick's exact pose (never an interpolated one), once per camera (side cameras: pass a DashView);
//   render's PiP then shows that frame with dash: 'model'.
// Camera layers keep the player's car and the ghosts out of the dash camera: the model sees the
// road, never its own bonnet or a ghost.

import {
  Mesh,
  PCFShadowMap,
  PerspectiveCamera,
  Scene,
  SRGBColorSpace,
  WebGLRenderer,
  type WebGLRenderTarget,
} from 'three';
import type { Track } from '../sim/track.ts';
import { createCarKit, createCarModel, type CarKit, type CarModel } from './carMesh.ts';
import { type CameraMode, type CameraPlacement, createPlacement, type DashView, placeDashCamera, placeMainCamera } from './cameraRig.ts';
import { createPipQuad, type DashPip, DEFAULT_PIP, type PipLayout, type PipQuad, pipRect } from './dashPip.ts';
import { assertDashSize, createDashTarget, DashStrip } from './dashTarget.ts';
import { createEnvironment, type Environment } from './environment.ts';
import { MaterialSet } from './materials.ts';
import { rgbaBottomUpToRgbTopDown } from './pixels.ts';
import type { CarPose } from './pose.ts';
import { createSceneryMesh, type SceneryMesh } from './sceneryMesh.ts';
import { THEMES, type ThemeName } from './themes.ts';
import { createTrackMesh, type TrackMesh } from './trackMesh.ts';

/** Thrown by createRenderer when the browser cannot give a WebGL2 context. */
export class NoWebGLError extends Error {
  override name = 'NoWebGLError';
  constructor(readonly reason: string) {
    super(
      `WebGL2 is not available, so the road cannot be drawn${reason ? ` (${reason})` : ''}. ` +
        'Turn on hardware acceleration in the browser settings, or try another browser.',
    );
  }
}

export interface RenderQuality {
  /**
   * Drawing-buffer pixels per CSS pixel of the main view (the dash target is unaffected). Default:
   * 0.5 on software GL (SwiftShader, llvmpipe: it pays per pixel), else devicePixelRatio up to 2.
   */
  readonly pixelRatio: number;
  /** Sun shadows from the car, trees and buildings (costly on software GL). */
  readonly shadows: boolean;
  /** Multisampled main view. Fixed at creation (it is a property of the WebGL context). */
  readonly antialias: boolean;
  /** Multiplies the number of trees and bushes. */
  readonly sceneryDensity: number;
}

/** Cheap defaults (pixelRatio is decided per device, see RenderQuality). */
export const DEFAULT_QUALITY: Omit<RenderQuality, 'pixelRatio'> = { shadows: false, antialias: false, sceneryDensity: 1 };

/** Whether the context is drawn by a CPU rasteriser rather than a GPU. */
function isSoftwareGl(gl: WebGL2RenderingContext): boolean {
  const debug = gl.getExtension('WEBGL_debug_renderer_info');
  const names = [gl.getParameter(gl.RENDERER), debug ? gl.getParameter(debug.UNMASKED_RENDERER_WEBGL) : ''];
  return names.some((n) => /swiftshader|llvmpipe|softpipe|software/i.test(String(n)));
}

export interface MainView {
  readonly car: CarPose;
  readonly camera: CameraMode;
  /** Translucent cars (earlier laps, other drivers). */
  readonly ghosts?: readonly CarPose[];
  readonly dash?: DashPip;
}

export interface RendererOptions {
  readonly canvas: HTMLCanvasElement | OffscreenCanvas; // offscreen: the driving worker's dash camera (dashCamera.ts)
  readonly track: Track;
  readonly theme?: ThemeName;
  /** Dash frame size in pixels (default 200 x 66). */
  readonly dashWidth?: number;
  readonly dashHeight?: number;
  readonly quality?: Partial<RenderQuality>;
  readonly pip?: Partial<PipLayout>;
  /** The GPU dropped the context: rendering stops (renderDash returns null) until it is restored. */
  readonly onContextLost?: () => void;
  /** The context is back and the scene rebuilt; rendering continues. */
  readonly onContextRestored?: () => void;
}

export interface Renderer {
  readonly dashWidth: number;
  readonly dashHeight: number;
  readonly theme: ThemeName;
  readonly contextLost: boolean;
  /** Drawn by a CPU rasteriser (SwiftShader, llvmpipe): expect a few frames per second at full size. */
  readonly softwareGl: boolean;
  readonly quality: RenderQuality;
  setTrack(track: Track): void;
  setTheme(theme: ThemeName): void;
  setDashSize(width: number, height: number): void;
  setQuality(quality: Partial<Omit<RenderQuality, 'antialias'>>): void;
  setPip(layout: Partial<PipLayout>): void;
  /** Draws the main view (and the dash PiP) to the canvas. Does nothing while the context is lost. */
  render(view: MainView): void;
  /**
   * Renders the dash camera for a pose (a side camera if `view` shifts or yaws it) and reads it
   * back: RGB bytes, row 0 at the top, dashWidth * dashHeight * 3. Written into `out` if given
   * (pass your own buffer when you transfer it to a worker), else into a buffer the renderer owns
   * and overwrites on the next call. Null while the context is lost.
   */
  renderDash(car: CarPose, view?: DashView, out?: Uint8Array): Uint8Array | null;
  /**
   * Renders several dash views of one pose (the recorder's centre and side cameras) side by side
   * into one target and reads them back at once: one synchronous readback instead of one per
   * view. Each out gets the bytes renderDash(car, views[i]) would give. False while the context is lost.
   */
  renderDashViews(car: CarPose, views: readonly (DashView | undefined)[], outs: readonly Uint8Array[]): boolean;
  /** Sets the main view's size in CSS pixels (the canvas's layout size); keeps the aspect right. */
  resize(width: number, height: number): void;
  dispose(): void;
}

/** Camera layers: the dash camera sees only the world; the main camera sees everything. */
const LAYER_WORLD = 0;
const LAYER_PLAYER = 1;
const LAYER_GHOSTS = 2;
/** The player's roof, glass and wing: hidden from the cockpit camera, which sits under them. */
const LAYER_CABIN = 3;

const NO_GHOSTS: readonly CarPose[] = [];

/** Everything that lives on the GPU, rebuilt as a whole after a lost context. */
interface Content {
  readonly materials: MaterialSet;
  readonly env: Environment;
  readonly kit: CarKit;
  readonly player: CarModel;
  readonly ghosts: CarModel[];
  track: TrackMesh;
  scenery: SceneryMesh;
  readonly dashTarget: WebGLRenderTarget;
  /** renderDashViews' views side by side. */
  readonly strip: DashStrip;
  readonly pipQuad: PipQuad;
  /** Whether the dash target holds a frame yet (a 'model' PiP before the first renderDash draws one live). */
  dashDrawn: boolean;
}

function createGl(canvas: HTMLCanvasElement | OffscreenCanvas, antialias: boolean): WebGL2RenderingContext {
  let reason = '';
  const onError = (e: Event): void => {
    reason = (e as WebGLContextEvent).statusMessage || reason;
  };
  canvas.addEventListener('webglcontextcreationerror', onError);
  let gl: WebGL2RenderingContext | null = null;
  try {
    gl = canvas.getContext('webgl2', { antialias, alpha: false, depth: true, stencil: false, powerPreference: 'high-performance', preserveDrawingBuffer: false }) as WebGL2RenderingContext | null;
  } catch (e) {
    reason = e instanceof Error ? e.message : String(e);
  } finally {
    canvas.removeEventListener('webglcontextcreationerror', onError);
  }
  if (!gl) throw new NoWebGLError(reason || (typeof WebGL2RenderingContext === 'undefined' ? 'this browser has no WebGL2' : 'the browser refused to create a WebGL2 context'));
  return gl;
}

export function createRenderer(opts: RendererOptions): Renderer {
  const canvas = opts.canvas;
  const antialias = opts.quality?.antialias ?? DEFAULT_QUALITY.antialias;
  let pip: PipLayout = { ...DEFAULT_PIP, ...opts.pip };
  let track = opts.track;
  let themeName: ThemeName = opts.theme ?? 'day';
  let dashW = opts.dashWidth ?? 200;
  let dashH = opts.dashHeight ?? 66;
  assertDashSize(dashW, dashH);

  const gl = createGl(canvas, antialias);
  const softwareGl = isSoftwareGl(gl);
  let quality: RenderQuality = {
    ...DEFAULT_QUALITY,
    pixelRatio: softwareGl ? 0.5 : Math.min(globalThis.devicePixelRatio || 1, 2),
    ...opts.quality,
  };
  let renderer: WebGLRenderer;
  try {
    renderer = new WebGLRenderer({ canvas, context: gl, antialias });
  } catch (e) {
    throw new NoWebGLError(e instanceof Error ? e.message : String(e));
  }
  renderer.outputColorSpace = SRGBColorSpace;
  renderer.shadowMap.type = PCFShadowMap;

  const scene = new Scene();
  const mainCam = new PerspectiveCamera(60, 16 / 9, 0.5, 3000);
  mainCam.layers.enable(LAYER_PLAYER);
  mainCam.layers.enable(LAYER_GHOSTS);
  mainCam.layers.enable(LAYER_CABIN);
  const dashCam = new PerspectiveCamera(40, dashW / dashH, 0.3, 1500);
  dashCam.layers.set(LAYER_WORLD);
  const mainPlace: CameraPlacement = createPlacement();
  const dashPlace: CameraPlacement = createPlacement();

  let rgba = new Uint8Array(dashW * dashH * 4);
  let rgb = new Uint8Array(dashW * dashH * 3);
  const css = 'clientWidth' in canvas ? canvas : { clientWidth: 0, clientHeight: 0 }; // an OffscreenCanvas has no layout
  let size = { w: Math.max(1, css.clientWidth || canvas.width), h: Math.max(1, css.clientHeight || canvas.height) };
  let lost = false;
  let disposed = false;

  function buildContent(): Content {
    const materials = new MaterialSet({ mipBlend: !softwareGl });
    const env = createEnvironment(scene);
    const kit = createCarKit(materials.radial);
    const player = createCarModel(kit, { shadows: quality.shadows });
    player.setLayers(LAYER_PLAYER, LAYER_CABIN);
    scene.add(player.group);
    const dashTarget = createDashTarget(dashW, dashH);
    const c: Content = {
      materials, env, kit, player, ghosts: [],
      track: createTrackMesh(track, materials.m),
      scenery: createSceneryMesh(track, materials.m, { density: quality.sceneryDensity, shadows: quality.shadows }),
      dashTarget, strip: new DashStrip(), pipQuad: createPipQuad(dashTarget.texture), dashDrawn: false,
    };
    scene.add(c.track.group, c.scenery.group);
    fitToTrack(c);
    applyTheme(c);
    applyShadows(c);
    return c;
  }

  function fitToTrack(c: Content): void {
    // The sky dome must enclose the far hills wherever the car is, and sit inside the far plane.
    const reach = c.track.hillRadius * 1.45 + c.track.hillRadius + 200;
    c.env.setRadius(reach);
    mainCam.far = reach * 1.1;
    dashCam.far = reach * 1.1;
    mainCam.updateProjectionMatrix();
    dashCam.updateProjectionMatrix();
  }

  function applyTheme(c: Content): void {
    const theme = THEMES[themeName];
    c.materials.applyTheme(theme);
    c.env.applyTheme(theme);
    c.scenery.applyTheme(theme);
    for (const light of c.player.headlights) {
      light.visible = theme.headlights.intensity > 0;
      light.intensity = theme.headlights.intensity;
      light.distance = theme.headlights.distance;
    }
    renderer.setClearColor(theme.fog.color, 1);
  }

  function applyShadows(c: Content): void {
    renderer.shadowMap.enabled = quality.shadows;
    c.env.setShadows(quality.shadows);
    c.player.group.traverse((o) => {
      if (o instanceof Mesh && o.material !== c.kit.materials.shadow) o.castShadow = quality.shadows;
    });
    scene.traverse((o) => {
      if (o instanceof Mesh) {
        const mats = Array.isArray(o.material) ? o.material : [o.material];
        for (const m of mats) m.needsUpdate = true;
      }
    });
  }

  function rebuildScenery(c: Content): void {
    c.scenery.dispose();
    c.scenery = createSceneryMesh(track, c.materials.m, { density: quality.sceneryDensity, shadows: quality.shadows });
    scene.add(c.scenery.group);
    c.scenery.applyTheme(THEMES[themeName]);
  }

  function disposeContent(c: Content): void {
    c.track.dispose();
    c.scenery.dispose();
    c.player.dispose();
    for (const g of c.ghosts) g.dispose();
    c.kit.dispose();
    c.env.dispose();
    c.materials.dispose();
    c.dashTarget.dispose();
    c.strip.dispose();
    c.pipQuad.dispose();
  }

  let content = buildContent();

  function applyCamera(cam: PerspectiveCamera, p: CameraPlacement): void {
    cam.position.set(p.eye[0], p.eye[1], p.eye[2]);
    cam.up.set(p.up[0], p.up[1], p.up[2]);
    cam.lookAt(p.target[0], p.target[1], p.target[2]);
    if (cam.fov !== p.fovDeg || cam.near !== p.near) {
      cam.fov = p.fovDeg;
      cam.near = p.near;
      cam.updateProjectionMatrix();
    }
  }

  /** Renders the dash camera into the dash target, or into a strip's viewport (no readback). */
  function drawDash(car: CarPose, view: DashView | undefined, target: WebGLRenderTarget = content.dashTarget): void {
    content.player.setPose(car); // its headlights light the road ahead of the dash camera
    placeDashCamera(car, dashW / dashH, view, dashPlace);
    applyCamera(dashCam, dashPlace);
    content.env.follow(dashPlace.eye[0], dashPlace.eye[1], dashPlace.eye[2], car.x, -car.y);
    renderer.setRenderTarget(target); // takes the target's viewport and scissor
    renderer.render(scene, dashCam);
    renderer.setRenderTarget(null);
    if (target === content.dashTarget) content.dashDrawn = true;
  }

  function drawPip(): void {
    content.pipQuad.draw(renderer, pipRect(size, { width: dashW, height: dashH }, pip), size, THEMES[themeName].fog.color);
  }

  const onLost = (): void => {
    lost = true;
    opts.onContextLost?.();
  };
  const onRestored = (): void => {
    // three has re-initialised its GL state by now (its listener was added first); rebuild every
    // GPU resource from the same inputs rather than trust anything made on the old context.
    disposeContent(content);
    content = buildContent();
    renderer.setPixelRatio(quality.pixelRatio);
    renderer.setSize(size.w, size.h, false);
    lost = false;
    opts.onContextRestored?.();
  };
  canvas.addEventListener('webglcontextlost', onLost);
  canvas.addEventListener('webglcontextrestored', onRestored);

  function resize(width: number, height: number): void {
    size = { w: Math.max(1, Math.round(width)), h: Math.max(1, Math.round(height)) };
    renderer.setPixelRatio(quality.pixelRatio);
    renderer.setSize(size.w, size.h, false);
    mainCam.aspect = size.w / size.h;
    mainCam.updateProjectionMatrix();
  }
  resize(size.w, size.h);

  const self: Renderer = {
    get dashWidth() {
      return dashW;
    },
    get dashHeight() {
      return dashH;
    },
    get theme() {
      return themeName;
    },
    get contextLost() {
      return lost;
    },
    softwareGl,
    get quality() {
      return quality;
    },
    setTrack(t: Track): void {
      if (t === track) return;
      track = t;
      content.track.dispose();
      content.track = createTrackMesh(track, content.materials.m);
      scene.add(content.track.group);
      rebuildScenery(content);
      fitToTrack(content);
    },
    setTheme(name: ThemeName): void {
      if (!(name in THEMES)) throw new RangeError(`unknown theme '${name}'`);
      if (name === themeName) return;
      themeName = name;
      applyTheme(content);
    },
    setDashSize(width: number, height: number): void {
      assertDashSize(width, height);
      if (width === dashW && height === dashH) return;
      dashW = width;
      dashH = height;
      content.dashTarget.setSize(dashW, dashH);
      content.dashDrawn = false;
      dashCam.aspect = dashW / dashH;
      dashCam.updateProjectionMatrix();
      rgba = new Uint8Array(dashW * dashH * 4);
      rgb = new Uint8Array(dashW * dashH * 3);
    },
    setQuality(q): void {
      const before = quality;
      quality = { ...quality, ...q, antialias: before.antialias };
      if (quality.pixelRatio !== before.pixelRatio) resize(size.w, size.h);
      if (quality.sceneryDensity !== before.sceneryDensity || quality.shadows !== before.shadows) rebuildScenery(content);
      if (quality.shadows !== before.shadows) applyShadows(content);
    },
    setPip(layout): void {
      pip = { ...pip, ...layout };
    },
    render(view: MainView): void {
      if (lost || disposed) return;
      const c = content;
      c.player.setPose(view.car);
      const ghosts = view.ghosts ?? NO_GHOSTS;
      while (c.ghosts.length < ghosts.length) {
        const g = createCarModel(c.kit, { ghost: true });
        g.setLayers(LAYER_GHOSTS, LAYER_GHOSTS);
        scene.add(g.group);
        c.ghosts.push(g);
      }
      for (let i = 0; i < c.ghosts.length; i++) {
        c.ghosts[i].group.visible = i < ghosts.length;
        if (i < ghosts.length) c.ghosts[i].setPose(ghosts[i]);
      }
      const dash = view.dash ?? 'off';
      if (dash === 'live' || (dash === 'model' && !c.dashDrawn)) drawDash(view.car, undefined);
      c.player.setPose(view.car);
      placeMainCamera(view.camera, view.car, mainPlace);
      if (view.camera === 'cockpit') mainCam.layers.disable(LAYER_CABIN);
      else mainCam.layers.enable(LAYER_CABIN);
      applyCamera(mainCam, mainPlace);
      c.env.follow(mainPlace.eye[0], mainPlace.eye[1], mainPlace.eye[2], view.car.x, -view.car.y);
      renderer.setRenderTarget(null);
      renderer.render(scene, mainCam);
      if (dash !== 'off') drawPip();
    },
    renderDash(car: CarPose, view?: DashView, out?: Uint8Array): Uint8Array | null {
      if (lost || disposed) return null;
      drawDash(car, view);
      renderer.readRenderTargetPixels(content.dashTarget, 0, 0, dashW, dashH, rgba);
      return rgbaBottomUpToRgbTopDown(rgba, dashW, dashH, out ?? rgb);
    },
    renderDashViews(car: CarPose, views: readonly (DashView | undefined)[], outs: readonly Uint8Array[]): boolean {
      if (lost || disposed) return false;
      if (outs.length !== views.length) throw new RangeError(`${views.length} views need as many buffers, got ${outs.length}`);
      content.strip.render(renderer, dashW, dashH, outs, (i, target) => drawDash(car, views[i], target));
      return true;
    },
    resize,
    dispose(): void {
      if (disposed) return;
      disposed = true;
      canvas.removeEventListener('webglcontextlost', onLost);
      canvas.removeEventListener('webglcontextrestored', onRestored);
      disposeContent(content);
      renderer.dispose();
    },
  };
  return self;
}
