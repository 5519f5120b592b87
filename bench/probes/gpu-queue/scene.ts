// The gpu-queue probe's scene: a fogged, lit ground and `boxes` Lambert boxes (3000 on the page
// give a 1280x720 frame of ~150-200 ms on SwiftShader, heavier than the game's ~100 ms).
import { BoxGeometry, Color, DirectionalLight, Fog, HemisphereLight, Mesh, MeshLambertMaterial, PlaneGeometry, Scene } from 'three';

export function buildScene(boxes: number): Scene {
  const s = new Scene();
  s.background = new Color(0x88aacc);
  s.fog = new Fog(0x88aacc, 10, 200);
  s.add(new HemisphereLight(0xffffff, 0x444444, 1.2));
  const sun = new DirectionalLight(0xffffff, 1);
  sun.position.set(5, 10, 3);
  s.add(sun);
  const ground = new Mesh(new PlaneGeometry(400, 400, 40, 40), new MeshLambertMaterial({ color: 0x447744 }));
  ground.rotation.x = -Math.PI / 2;
  s.add(ground);
  const box = new BoxGeometry(1, 2, 1);
  const mat = new MeshLambertMaterial({ color: 0xaa8866 });
  let seed = 1;
  const rnd = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
  for (let i = 0; i < boxes; i++) {
    const b = new Mesh(box, mat);
    b.position.set((rnd() - 0.5) * 100, 1, -rnd() * 100);
    s.add(b);
  }
  return s;
}
