/** Stroke icons the shell's set does not have (same 24×24 style as renderer/src/ui/icon.tsx). */
const paths = {
  open: 'M3 7a2 2 0 0 1 2-2h4l2 2h8a2 2 0 0 1 2 2v1M3 7v10a2 2 0 0 0 2 2h12l4-8H7l-4 8',
  fit: 'M4 9V4h5M20 9V4h-5M4 15v5h5M20 15v5h-5M9 9h6v6H9z',
  turntable: 'M12 5c5 0 9 1.8 9 4s-4 4-9 4-9-1.8-9-4 4-4 9-4zM3 9v6c0 2.2 4 4 9 4M18 17l3 1.5-1.5 3',
  grid: 'M3 3h18v18H3zM3 9h18M3 15h18M9 3v18M15 3v18',
  axes: 'M5 19V5M5 19h14M5 19l8-8M3 7l2-2 2 2M17 17l2 2-2 2',
  wireframe: 'M12 3l8 4.5v9L12 21l-8-4.5v-9zM4 7.5l16 9M20 7.5l-16 9M12 3v18',
  normals: 'M4 18h16M7 18V9M12 18V5M17 18V9M5 10l2-2 2 2M10 7l2-2 2 2M15 10l2-2 2 2',
  measure: 'M3 17L17 3l4 4L7 21zM7 13l2 2M10 10l2 2M13 7l2 2',
  compare: 'M3 5h8v14H3zM13 5h8v14h-8z',
  camera: 'M4 8h3l2-3h6l2 3h3v11H4zM12 17a4 4 0 1 0 0-8 4 4 0 0 0 0 8z',
  keyboard: 'M3 7h18v10H3zM7 11h.01M11 11h.01M15 11h.01M7 14h10',
  close: 'M6 6l12 12M18 6L6 18',
  sun: 'M12 16a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM12 2v2M12 20v2M4.9 4.9l1.4 1.4M17.7 17.7l1.4 1.4M2 12h2M20 12h2M4.9 19.1l1.4-1.4M17.7 6.3l1.4-1.4',
} as const;

export type ViewerIconName = keyof typeof paths;

export function ViewerIcon({ name, size = 18 }: { name: ViewerIconName; size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={1.8} strokeLinecap="round" strokeLinejoin="round" aria-hidden="true" focusable="false">
      <path d={paths[name]} />
    </svg>
  );
}
