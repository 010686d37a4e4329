import { useCallback, useEffect, useRef, useState, type DragEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { targetOwnsKey } from '../../app/key-target';
import { Dialog } from '../../ui/dialog';
import { useToasts } from '../../stores/toast-store';
import { sidecarExtensions, viewerExtensions } from './formats/detect';
import { openModelFiles, openModelPath, restoreViewerFile } from './open-model';
import { controllers, ViewerCanvas } from './render/viewer-canvas';
import { lightingPresets } from './render/lighting';
import { MeasurePanel, SettingsPanel, SlotOverlay, StatsPanel } from './ui/panels';
import { actionForKey, viewerShortcuts, type ViewerAction } from './ui/shortcuts';
import { ViewerIcon, type ViewerIconName } from './ui/viewer-icons';
import { prewarmParser, releaseParser } from './workers/load-model';
import { useViewerSession } from './viewer-session';
import { useViewer, type SlotIndex } from './viewer-store';
import './viewer.css';

const accept = [...viewerExtensions, ...sidecarExtensions].map((e) => `.${e}`).join(',');

async function saveScreenshot(slot: SlotIndex, transparent: boolean): Promise<boolean> {
  const blob = await controllers[slot]?.screenshot(transparent);
  if (!blob) return false;
  const st = useViewer.getState().slots[slot];
  const base = st.status === 'ready' ? st.model.name.replace(/\.[^.]+$/, '') : 'kraken-view';
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = `${base}-${new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-')}.png`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  return true;
}

function ToolButton({ icon, label, shortcut, active, onClick, testId, disabled }: { icon: ViewerIconName; label: string; shortcut?: string; active?: boolean; onClick(): void; testId: string; disabled?: boolean }) {
  return (
    <button
      type="button"
      className={active ? 'viewer-tool active' : 'viewer-tool'}
      onClick={onClick}
      aria-pressed={active === undefined ? undefined : active}
      title={shortcut ? `${label} (${shortcut})` : label}
      data-testid={testId}
      disabled={disabled}
    >
      <ViewerIcon name={icon} />
      <span className="viewer-tool-label">{label}</span>
    </button>
  );
}

function ShortcutSheet() {
  const { t } = useTranslation('viewer');
  const open = useViewer((s) => s.shortcutsOpen);
  const setOpen = useViewer((s) => s.setShortcutsOpen);
  return (
    <Dialog open={open} title={t('shortcuts.title')} onClose={() => setOpen(false)} testId="viewer-shortcut-sheet" width={480}>
      <table className="shortcut-table">
        <tbody>
          {viewerShortcuts.map((s) => (
            <tr key={s.action}>
              <td>{t(`shortcuts.${s.action}`)}</td>
              <td className="shortcut-keys">
                {s.keys.map((k) => (
                  <kbd key={k}>{t(`keys.${k}`, { defaultValue: k })}</kbd>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted viewer-sheet-note">{t('shortcuts.note')}</p>
    </Dialog>
  );
}

export function ViewerPage() {
  const { t } = useTranslation('viewer');
  const compare = useViewer((s) => s.compare);
  const active = useViewer((s) => s.active);
  const settings = useViewer((s) => s.settings);
  const measuring = useViewer((s) => s.measuring);
  const anyReady = useViewer((s) => s.slots.some((x) => x.status === 'ready'));
  const input = useRef<HTMLInputElement>(null);
  const inputSlot = useRef<SlotIndex | undefined>(undefined);
  const [dragOver, setDragOver] = useState<SlotIndex | null>(null);
  const toast = useToasts((s) => s.push);

  const openPicker = useCallback((slot?: SlotIndex) => {
    inputSlot.current = slot;
    input.current?.click();
  }, []);

  const run = useCallback(
    (action: ViewerAction, delta = 0) => {
      const st = useViewer.getState();
      const s = st.settings;
      switch (action) {
        case 'open':
          return openPicker();
        case 'fit':
          controllers[0]?.fit();
          return st.compare ? controllers[1]?.fit() : undefined;
        case 'turntable':
          return st.set('turntable', !s.turntable);
        case 'grid':
          return st.set('grid', !s.grid);
        case 'axes':
          return st.set('axes', !s.axes);
        case 'wireframe':
          return st.set('wireframe', !s.wireframe);
        case 'normals':
          return st.set('normals', !s.normals);
        case 'measure':
          return st.setMeasuring(!st.measuring);
        case 'compare':
          return st.setCompare(!st.compare);
        case 'upAxis':
          return st.set('upAxis', s.upAxis === 'y' ? 'z' : 'y');
        case 'lighting':
          return st.set('lighting', lightingPresets[(lightingPresets.indexOf(s.lighting) + 1) % lightingPresets.length]!);
        case 'screenshot':
          void saveScreenshot(st.active, s.transparentShot).then((ok) => ok && toast({ kind: 'success', titleKey: 'viewer:screenshot.saved' }));
          return;
        case 'pointSize':
          return st.set('pointSize', Math.max(1, Math.min(12, s.pointSize + delta)));
        case 'close':
          return st.close(st.active);
        case 'escape':
          if (st.measuring) st.setMeasuring(false);
          return;
        case 'sheet':
          return st.setShortcutsOpen(true);
        default:
          return;
      }
    },
    [openPicker, toast],
  );

  useEffect(() => {
    prewarmParser();
    return releaseParser;
  }, []);

  // A model on screen is the creator's own GPU work: a contributor node pauses donating while it lasts.
  useViewerSession(useViewer((s) => s.slots.some((slot) => slot.status === 'ready' || slot.status === 'loading')));

  // deep link `#/viewer?open=<data-folder path>`: other pages (and plain links) open a model in one click
  useEffect(() => {
    const fromHash = () => {
      const m = /^#\/viewer\?(?:.*&)?open=([^&]+)/.exec(location.hash);
      if (!m) return false;
      history.replaceState(null, '', `${location.pathname}${location.search}#/viewer`);
      void openModelPath(decodeURIComponent(m[1]!));
      return true;
    };
    // no link to open: the 3D file kept for this project comes back (a reload, a restart)
    if (!fromHash()) void restoreViewerFile();
    window.addEventListener('hashchange', fromHash);
    return () => window.removeEventListener('hashchange', fromHash);
  }, []);

  // capture phase: on this page '?' opens the viewer's own sheet instead of the app-wide one
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      // a text field keeps every key; a slider or picker touched in the side panel keeps only its own keys
      if (targetOwnsKey(e) || document.querySelector('dialog[open]')) return;
      const hit = actionForKey(e);
      if (!hit) return;
      e.preventDefault();
      e.stopPropagation();
      run(hit.action, hit.delta);
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [run]);

  // drops are handled here and kept from the app-wide "import into project" drop target
  const hasFiles = (e: DragEvent) => Array.from(e.dataTransfer?.types ?? []).includes('Files');
  const dragProps = (slot: SlotIndex) => ({
    onDragEnter: (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      e.stopPropagation();
      setDragOver(slot);
    },
    onDragOver: (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      e.stopPropagation();
      e.dataTransfer.dropEffect = 'copy';
    },
    onDragLeave: (e: DragEvent) => {
      e.stopPropagation();
      if (!(e.currentTarget as HTMLElement).contains(e.relatedTarget as Node | null)) setDragOver(null);
    },
    onDrop: (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      e.stopPropagation();
      setDragOver(null);
      useViewer.getState().setActive(slot);
      void openModelFiles(Array.from(e.dataTransfer.files), compare ? slot : undefined);
    },
  });

  const slots: SlotIndex[] = compare ? [0, 1] : [0];
  return (
    <div className="viewer-page" data-testid="viewer-page">
      <div className="viewer-toolbar" role="toolbar" aria-label={t('toolbar.label')}>
        <ToolButton icon="open" label={t('toolbar.open')} shortcut="O" onClick={() => openPicker()} testId="viewer-open" />
        <span className="viewer-toolbar-sep" />
        <ToolButton icon="fit" label={t('toolbar.fit')} shortcut="F" onClick={() => run('fit')} testId="viewer-fit" disabled={!anyReady} />
        <ToolButton icon="turntable" label={t('toolbar.turntable')} shortcut="T" active={settings.turntable} onClick={() => run('turntable')} testId="viewer-turntable" />
        <ToolButton icon="grid" label={t('toolbar.grid')} shortcut="G" active={settings.grid} onClick={() => run('grid')} testId="viewer-grid" />
        <ToolButton icon="axes" label={t('toolbar.axes')} shortcut="X" active={settings.axes} onClick={() => run('axes')} testId="viewer-axes" />
        <ToolButton icon="wireframe" label={t('toolbar.wireframe')} shortcut="W" active={settings.wireframe} onClick={() => run('wireframe')} testId="viewer-wireframe" />
        <ToolButton icon="normals" label={t('toolbar.normals')} shortcut="N" active={settings.normals} onClick={() => run('normals')} testId="viewer-normals" />
        <span className="viewer-toolbar-sep" />
        <ToolButton icon="measure" label={t('toolbar.measure')} shortcut="M" active={measuring} onClick={() => run('measure')} testId="viewer-measure" disabled={!anyReady} />
        <ToolButton icon="compare" label={t('toolbar.compare')} shortcut="C" active={compare} onClick={() => run('compare')} testId="viewer-compare" />
        <ToolButton icon="camera" label={t('toolbar.screenshot')} shortcut="P" onClick={() => run('screenshot')} testId="viewer-screenshot" disabled={!anyReady} />
        <span className="viewer-toolbar-fill" />
        <ToolButton icon="keyboard" label={t('toolbar.shortcuts')} shortcut="?" onClick={() => run('sheet')} testId="viewer-shortcuts" />
      </div>
      <div className="viewer-body">
        <div className={compare ? 'viewer-views compare' : 'viewer-views'}>
          {slots.map((slot) => (
            <ViewPanel key={slot} slot={slot} active={compare && active === slot} dragOver={dragOver === slot} dragProps={dragProps(slot)} onOpen={() => openPicker(slot)} />
          ))}
        </div>
        <aside className="viewer-side" aria-label={t('side.label')}>
          {slots.map((slot) => (
            <StatsPanel key={slot} slot={slot} />
          ))}
          <MeasurePanel />
          <SettingsPanel />
        </aside>
      </div>
      <input
        ref={input}
        type="file"
        multiple
        accept={accept}
        hidden
        data-testid="viewer-file-input"
        onChange={(e) => {
          const files = Array.from(e.target.files ?? []);
          e.target.value = ''; // the same file can be opened again
          if (files.length) void openModelFiles(files, inputSlot.current);
        }}
      />
      <ShortcutSheet />
    </div>
  );
}

function ViewPanel({ slot, active, dragOver, dragProps, onOpen }: { slot: SlotIndex; active: boolean; dragOver: boolean; dragProps: Record<string, (e: DragEvent) => void>; onOpen(): void }) {
  const { t } = useTranslation('viewer');
  const name = useViewer((s) => {
    const st = s.slots[slot];
    return st.status === 'empty' ? null : st.status === 'ready' ? st.model.name : st.name;
  });
  const compare = useViewer((s) => s.compare);
  const close = useViewer((s) => s.close);
  const setActive = useViewer((s) => s.setActive);
  return (
    <div
      className={['viewer-panel', active ? 'active' : '', dragOver ? 'drag-over' : ''].join(' ')}
      data-testid={`viewer-panel-${slot}`}
      onPointerDown={() => setActive(slot)}
      {...dragProps}
    >
      {(compare || name) && (
        <div className="viewer-panel-head">
          <span className="viewer-panel-name" title={name ?? ''}>
            {compare && <span className="badge">{slot === 0 ? 'A' : 'B'}</span>} {name ?? t('empty.title')}
          </span>
          {name && (
            <button type="button" className="icon-button" onClick={() => close(slot)} aria-label={t('toolbar.close')} title={`${t('toolbar.close')} (Del)`} data-testid={`viewer-close-${slot}`}>
              <ViewerIcon name="close" size={16} />
            </button>
          )}
        </div>
      )}
      <div className="viewer-panel-body">
        <ViewerCanvas slot={slot} />
        <SlotOverlay slot={slot} onOpen={onOpen} />
        {dragOver && <div className="viewer-drop">{t('drop')}</div>}
      </div>
    </div>
  );
}
