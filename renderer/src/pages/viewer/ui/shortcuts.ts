/** The viewer's keyboard shortcuts: one list feeds both the handler and the shortcut sheet. */
export const viewerShortcuts = [
  { keys: ['O'], action: 'open' },
  { keys: ['F'], action: 'fit' },
  { keys: ['T'], action: 'turntable' },
  { keys: ['G'], action: 'grid' },
  { keys: ['X'], action: 'axes' },
  { keys: ['W'], action: 'wireframe' },
  { keys: ['N'], action: 'normals' },
  { keys: ['M'], action: 'measure' },
  { keys: ['C'], action: 'compare' },
  { keys: ['U'], action: 'upAxis' },
  { keys: ['L'], action: 'lighting' },
  { keys: ['P'], action: 'screenshot' },
  { keys: ['+', '−'], action: 'pointSize' },
  { keys: ['Del'], action: 'close' },
  { keys: ['Esc'], action: 'escape' },
  { keys: ['?'], action: 'sheet' },
  { keys: ['drag'], action: 'orbit' },
  { keys: ['right-drag'], action: 'pan' },
  { keys: ['wheel'], action: 'zoom' },
] as const;

export type ViewerAction = (typeof viewerShortcuts)[number]['action'];

const keyMap: Record<string, ViewerAction> = {
  o: 'open',
  f: 'fit',
  t: 'turntable',
  g: 'grid',
  x: 'axes',
  w: 'wireframe',
  n: 'normals',
  m: 'measure',
  c: 'compare',
  u: 'upAxis',
  l: 'lighting',
  p: 'screenshot',
  delete: 'close',
  escape: 'escape',
  '?': 'sheet',
};

/** The action for a key press, with `delta` for the point-size keys; null when the key is not ours. */
export function actionForKey(e: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'altKey'>): { action: ViewerAction; delta?: number } | null {
  if (e.ctrlKey || e.metaKey || e.altKey) return null; // Ctrl/⌘ combinations belong to the app
  if (e.key === '+' || e.key === '=') return { action: 'pointSize', delta: 1 };
  if (e.key === '-' || e.key === '_') return { action: 'pointSize', delta: -1 };
  const a = keyMap[e.key.toLowerCase()];
  return a ? { action: a } : null;
}
