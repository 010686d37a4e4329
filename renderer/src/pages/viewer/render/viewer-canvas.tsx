/**
 * One 3D view: a react-three-fiber canvas that renders on demand (nothing burns the CPU while idle),
 * owns the orbit controls, framing, remembered camera, turntable, environment lighting, helpers, the
 * measuring tool and screenshots. Per-frame values stay in refs; React re-renders only on settings changes.
 */
import { Grid, Html } from '@react-three/drei';
import { Canvas, useFrame, useThree } from '@react-three/fiber';
import { useEffect, useLayoutEffect, useMemo, useRef } from 'react';
import * as THREE from 'three';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';
import { HDRLoader } from 'three/examples/jsm/loaders/HDRLoader.js';
import { cameraMemory } from '../camera-memory';
import type { Vec3 } from '../formats/model';
import { useViewer, type LoadedModel, type SlotIndex, type ViewSettings } from '../viewer-store';
import { recordFirstFrame, recordGpu } from '../viewer-metrics';
import { glCapabilities } from './gl-capabilities';
import { hdrUrl, type LightingPreset } from './lighting';
import { compareFitBox, formatLength, frameBox, niceCellSize, viewAspect, type Box3Like } from './view-math';

/** What the page's toolbar and shortcuts can ask of a view. */
export interface ViewController {
  fit(): void;
  screenshot(transparent: boolean): Promise<Blob | null>;
  applyView(position: THREE.Vector3, target: THREE.Vector3): void;
}

export const controllers: Partial<Record<SlotIndex, ViewController>> = {};

const upRotation = (axis: ViewSettings['upAxis']) => new THREE.Euler(axis === 'z' ? -Math.PI / 2 : 0, 0, 0);

function worldBox(model: LoadedModel, axis: ViewSettings['upAxis'], which: 'box' | 'focus' = 'box'): THREE.Box3 {
  return model.object[which].clone().applyMatrix4(new THREE.Matrix4().makeRotationFromEuler(upRotation(axis)));
}

function useEnvironment(preset: LightingPreset) {
  const { gl, scene, invalidate } = useThree();
  useEffect(() => {
    if (preset === 'plain') {
      scene.environment = null;
      invalidate();
      return;
    }
    let cancelled = false;
    let env: THREE.Texture | null = null;
    new HDRLoader()
      .loadAsync(hdrUrl(preset))
      .then((hdr) => {
        if (cancelled) return hdr.dispose();
        hdr.mapping = THREE.EquirectangularReflectionMapping;
        const pmrem = new THREE.PMREMGenerator(gl);
        env = pmrem.fromEquirectangular(hdr).texture;
        pmrem.dispose();
        hdr.dispose();
        scene.environment = env;
        invalidate();
      })
      .catch((e: unknown) => console.warn(`Lighting preset "${preset}" could not be loaded`, e));
    return () => {
      cancelled = true;
      if (scene.environment === env) scene.environment = null;
      env?.dispose();
    };
  }, [preset, gl, scene, invalidate]);
}

function MeasureMarks({ points, size }: { points: Vec3[]; size: number }) {
  const line = useMemo(() => {
    if (points.length < 2) return null;
    const g = new THREE.BufferGeometry().setFromPoints(points.map((p) => new THREE.Vector3(...p)));
    const l = new THREE.Line(g, new THREE.LineBasicMaterial({ color: 0xf5b84a, depthTest: false }));
    l.renderOrder = 10;
    return l;
  }, [points]);
  useEffect(() => () => {
    line?.geometry.dispose();
    (line?.material as THREE.Material | undefined)?.dispose();
  }, [line]);
  const a = points[0];
  const b = points[1];
  const mid = a && b ? ([(a[0] + b[0]) / 2, (a[1] + b[1]) / 2, (a[2] + b[2]) / 2] as Vec3) : null;
  return (
    <group>
      {points.map((p, i) => (
        <mesh key={i} position={p} renderOrder={11}>
          <sphereGeometry args={[size, 16, 12]} />
          <meshBasicMaterial color={0xf5b84a} depthTest={false} />
        </mesh>
      ))}
      {line && <primitive object={line} />}
      {mid && a && b && (
        <Html position={mid} center className="viewer-measure-label">
          {formatLength(Math.hypot(b[0] - a[0], b[1] - a[1], b[2] - a[2]))}
        </Html>
      )}
    </group>
  );
}

function Scene({ slot, host }: { slot: SlotIndex; host: React.RefObject<HTMLDivElement | null> }) {
  const slotState = useViewer((s) => s.slots[slot]);
  const model = slotState.status === 'ready' ? slotState.model : null;
  const settings = useViewer((s) => s.settings);
  const measuring = useViewer((s) => s.measuring);
  const measure = useViewer((s) => (s.measure.slot === slot ? s.measure.points : null));
  const { gl, camera, scene, invalidate } = useThree();
  const viewSize = useThree((s) => s.size);
  const getThree = useThree((s) => s.get);
  const compare = useViewer((s) => s.compare);
  const synced = useViewer((s) => s.settings.syncCameras);
  const otherLoad = useViewer((s) => {
    const o = s.slots[slot === 0 ? 1 : 0];
    return o.status === 'ready' ? o.model.loadId : 0;
  });
  const controls = useRef<OrbitControls | null>(null);
  /** The view is a fit (not moved by hand since, nor a remembered view): it is fitted again when the panel changes shape. */
  const autoFit = useRef(false);
  const firstFramePending = useRef(0);
  const syncing = useRef(false);
  const cam = camera as THREE.PerspectiveCamera;

  useEnvironment(settings.lighting);

  const saveView = () => {
    const m = useViewer.getState().slots[slot];
    if (m.status !== 'ready' || !controls.current) return;
    if (autoFit.current) return cameraMemory.forget(m.model.cameraKey);
    const t = controls.current.target;
    cameraMemory.save(m.model.cameraKey, { position: cam.position.toArray() as Vec3, target: t.toArray() as Vec3, upAxis: useViewer.getState().settings.upAxis });
  };

  // a layout effect, declared before the model's: a view that mounts with its model already loaded (the second
  // panel of compare) must have its controls when the model is framed, or it stays at the default camera
  useLayoutEffect(() => {
    const c = new OrbitControls(camera, gl.domElement);
    c.screenSpacePanning = true;
    const onChange = () => {
      invalidate();
      const st = useViewer.getState();
      if (!syncing.current && st.compare && st.settings.syncCameras) controllers[slot === 0 ? 1 : 0]?.applyView(cam.position, c.target);
    };
    const onStart = () => (autoFit.current = false);
    c.addEventListener('change', onChange);
    c.addEventListener('start', onStart);
    c.addEventListener('end', saveView);
    controls.current = c;
    return () => {
      saveView();
      c.removeEventListener('change', onChange);
      c.removeEventListener('start', onStart);
      c.removeEventListener('end', saveView);
      c.dispose();
      controls.current = null;
    };
  }, [camera, gl]);

  /**
   * Frames the model for this panel's own shape (half the page in compare). With synced cameras in compare
   * both views frame both models, so the sync cannot leave one view with the other model's framing.
   */
  const fit = () => {
    const st = useViewer.getState();
    const m = st.slots[slot];
    if (m.status !== 'ready' || !controls.current) return;
    const toBox = (b: THREE.Box3): Box3Like => ({ min: b.min.toArray() as Vec3, max: b.max.toArray() as Vec3 });
    const other = st.slots[slot === 0 ? 1 : 0];
    const box = compareFitBox(toBox(worldBox(m.model, st.settings.upAxis, 'focus')), st.compare && other.status === 'ready' ? toBox(worldBox(other.model, st.settings.upAxis, 'focus')) : null, st.settings.syncCameras);
    const { width, height } = getThree().size;
    const aspect = viewAspect(width, height);
    cam.aspect = aspect;
    const f = frameBox(box.min, box.max, cam.fov, aspect);
    cam.position.set(...f.position);
    cam.near = f.near;
    cam.far = f.far;
    cam.updateProjectionMatrix();
    controls.current.target.set(...f.target);
    controls.current.update();
    autoFit.current = true;
    invalidate();
  };

  // the panel changed shape (compare on or off, window resized) or the other model came or went: a fitted
  // view is fitted again, so the model never ends up cropped by a half-width panel; a hand-made view stays
  useEffect(() => {
    if (autoFit.current) fit();
  }, [viewSize.width, viewSize.height, compare, synced, otherLoad]);

  // a new model (or a new up axis): set clipping planes, then the remembered view or a fitted one
  useLayoutEffect(() => {
    if (!model || !controls.current) return;
    const box = worldBox(model, settings.upAxis);
    const radius = Math.max(1e-6, box.getSize(new THREE.Vector3()).length() / 2);
    const saved = cameraMemory.load(model.cameraKey);
    if (saved && saved.upAxis === settings.upAxis) {
      cam.position.set(...saved.position);
      controls.current.target.set(...saved.target);
      const dist = cam.position.distanceTo(controls.current.target);
      cam.near = Math.max(dist / 1000, radius / 1e4);
      cam.far = dist * 100 + radius * 10;
      cam.updateProjectionMatrix();
      controls.current.update();
      autoFit.current = false;
    } else {
      fit();
    }
    firstFramePending.current = model.loadId;
    if (model.object.splats) model.object.splats.onSorted = () => invalidate();
    invalidate();
  }, [model, settings.upAxis]);

  useEffect(() => {
    controllers[slot] = {
      fit,
      async screenshot(transparent) {
        const bg = scene.background;
        if (transparent) scene.background = null;
        gl.setClearAlpha(0);
        gl.render(scene, camera);
        // the canvas bitmap is copied synchronously by toBlob, before the compositor may clear it
        const blob = await new Promise<Blob | null>((resolve) => gl.domElement.toBlob(resolve, 'image/png'));
        scene.background = bg;
        invalidate();
        return blob;
      },
      applyView(position, target) {
        if (!controls.current) return;
        autoFit.current = false; // the other view leads; it fits again for both
        syncing.current = true;
        cam.position.copy(position);
        controls.current.target.copy(target);
        controls.current.update();
        syncing.current = false;
        invalidate();
      },
    };
    return () => {
      delete controllers[slot];
    };
  }, [slot, gl, scene, camera]);

  // measuring: a click (not a drag) picks the nearest surface point or point-cloud point
  useEffect(() => {
    if (!measuring) return;
    const el = gl.domElement;
    let down: { x: number; y: number } | null = null;
    const onDown = (e: PointerEvent) => (down = { x: e.clientX, y: e.clientY });
    const onUp = (e: PointerEvent) => {
      if (!down || Math.hypot(e.clientX - down.x, e.clientY - down.y) > 4) return;
      down = null;
      const st = useViewer.getState();
      const m = st.slots[slot];
      if (m.status !== 'ready') return;
      const rect = el.getBoundingClientRect();
      const ndc = new THREE.Vector2(((e.clientX - rect.left) / rect.width) * 2 - 1, -((e.clientY - rect.top) / rect.height) * 2 + 1);
      const ray = new THREE.Raycaster();
      ray.setFromCamera(ndc, camera);
      const diag = m.model.object.box.getSize(new THREE.Vector3()).length();
      ray.params.Points = { threshold: diag * 0.005 };
      ray.params.Line = { threshold: diag * 0.005 };
      const hit = ray.intersectObject(m.model.object.root, true)[0];
      if (hit) st.addMeasurePoint(slot, hit.point.toArray() as Vec3);
    };
    el.addEventListener('pointerdown', onDown);
    el.addEventListener('pointerup', onUp);
    return () => {
      el.removeEventListener('pointerdown', onDown);
      el.removeEventListener('pointerup', onUp);
    };
  }, [measuring, gl, camera, slot]);

  useEffect(() => {
    if (settings.turntable) invalidate();
  }, [settings.turntable, invalidate]);

  // filmic tone mapping flatters lit meshes; scans and splats carry measured colours, shown as they are
  useEffect(() => {
    gl.toneMapping = model && !model.object.hasMeshes ? THREE.NoToneMapping : THREE.ACESFilmicToneMapping;
    invalidate();
  }, [model, gl, invalidate]);

  const up = useMemo(() => new THREE.Vector3(0, 1, 0), []);
  useFrame((_, delta) => {
    if (!settings.turntable || !controls.current) return;
    const t = controls.current.target;
    const offset = cam.position.clone().sub(t).applyAxisAngle(up, Math.min(delta, 0.1) * 0.5);
    cam.position.copy(t).add(offset);
    controls.current.update();
    invalidate();
  });

  // the render itself (priority 1 takes the loop over from fiber), then the first-frame mark
  useFrame(() => {
    gl.render(scene, camera);
    recordGpu(slot, gl.info.memory);
    if (firstFramePending.current && model?.loadId === firstFramePending.current) {
      recordFirstFrame(model.loadId);
      host.current?.setAttribute('data-rendered-load', String(model.loadId));
      firstFramePending.current = 0;
    }
  }, 1);

  const box = model ? worldBox(model, settings.upAxis) : null;
  const size = box ? box.getSize(new THREE.Vector3()) : new THREE.Vector3(4, 4, 4);
  const diag = Math.max(size.length(), 1e-6);
  const maxSide = Math.max(size.x, size.z, 1e-6);
  const cell = niceCellSize(Math.max(maxSide, diag / 3));
  const normals = model && settings.normals ? model.object.normalsHelper() : null;
  const plain = settings.lighting === 'plain';

  return (
    <>
      <color attach="background" args={[settings.background]} />
      <hemisphereLight args={[0xffffff, 0x444455, plain ? 1.4 : 0.25]} />
      <directionalLight position={[diag, diag * 1.5, diag * 0.8]} intensity={plain ? 2.2 : 0.6} />
      <group rotation={upRotation(settings.upAxis)}>
        {model && <primitive object={model.object.root} dispose={null} />}
        {normals && <primitive object={normals} dispose={null} />}
      </group>
      {settings.grid && (
        <Grid
          position={[box ? (box.min.x + box.max.x) / 2 : 0, box ? box.min.y : 0, box ? (box.min.z + box.max.z) / 2 : 0]}
          cellSize={cell}
          sectionSize={cell * 5}
          cellColor="#3a4358"
          sectionColor="#56627e"
          cellThickness={0.6}
          sectionThickness={1}
          fadeDistance={diag * 6}
          fadeStrength={1.5}
          infiniteGrid
          side={THREE.DoubleSide}
        />
      )}
      {settings.axes && <axesHelper args={[diag * 0.4]} />}
      {measure && measure.length > 0 && <MeasureMarks points={measure} size={diag * 0.006} />}
    </>
  );
}

export function ViewerCanvas({ slot }: { slot: SlotIndex }) {
  const host = useRef<HTMLDivElement>(null);
  const software = useMemo(() => glCapabilities().software, []);
  const status = useViewer((s) => s.slots[slot].status);
  const loadId = useViewer((s) => {
    const st = s.slots[slot];
    return st.status === 'ready' ? st.model.loadId : 0;
  });
  return (
    <div className="viewer-canvas" ref={host} data-testid={`viewer-canvas-${slot}`} data-status={status} data-load-id={loadId} data-software-gl={software || undefined}>
      <Canvas
        frameloop="demand"
        dpr={software ? 1 : [1, 2]}
        gl={{ antialias: !software, alpha: true, powerPreference: 'high-performance' }}
        camera={{ fov: 45, near: 0.01, far: 2000, position: [4, 3, 5] }}
        onCreated={({ gl }) => gl.setClearColor(0x000000, 0)}
      >
        <Scene slot={slot} host={host} />
      </Canvas>
    </div>
  );
}
