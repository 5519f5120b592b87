// The render layer's public face: what the app imports to draw the game and read the dash camera.

export { createRenderer, NoWebGLError, DEFAULT_QUALITY } from './renderer.ts';
export type { Renderer, RendererOptions, RenderQuality, MainView } from './renderer.ts';
export { DEFAULT_PIP } from './dashPip.ts';
export type { DashPip, PipLayout, PipCorner } from './dashPip.ts';
export { interpolatePose, poseOfCar } from './pose.ts';
export type { CarPose } from './pose.ts';
export { CAMERA_MODES, DASH_MOUNT } from './cameraRig.ts';
export type { CameraMode, DashView } from './cameraRig.ts';
export { THEME_NAMES, isThemeName } from './themes.ts';
export type { ThemeName } from './themes.ts';
