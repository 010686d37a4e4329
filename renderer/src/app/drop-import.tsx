import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useMedia } from '../stores/media-store';
import { useNav } from '../stores/nav-store';
import { useCurrentProject } from '../stores/project-store';
import { Icon } from '../ui/icon';

const hasFiles = (e: DragEvent) => Array.from(e.dataTransfer?.types ?? []).includes('Files');

/** Files dropped anywhere on the window are imported into the open project. */
export function DropImport() {
  const { t } = useTranslation();
  const project = useCurrentProject();
  const [over, setOver] = useState(false);
  const depth = useRef(0);
  const projectRef = useRef(project);
  projectRef.current = project;

  useEffect(() => {
    const enter = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth.current++;
      setOver(true);
    };
    const overFn = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault(); // without this the browser would open the file instead of dropping it here
      if (e.dataTransfer) e.dataTransfer.dropEffect = projectRef.current ? 'copy' : 'none';
    };
    const leave = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      depth.current = Math.max(0, depth.current - 1);
      if (depth.current === 0) setOver(false);
    };
    const drop = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth.current = 0;
      setOver(false);
      const p = projectRef.current;
      const files = Array.from(e.dataTransfer?.files ?? []);
      if (!p || files.length === 0) return;
      useNav.getState().navigate('media');
      void useMedia.getState().importFiles(p.id, files);
    };
    window.addEventListener('dragenter', enter);
    window.addEventListener('dragover', overFn);
    window.addEventListener('dragleave', leave);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragenter', enter);
      window.removeEventListener('dragover', overFn);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('drop', drop);
    };
  }, []);

  if (!over) return null;
  return (
    <div className="drop-overlay" data-testid="drop-overlay">
      <div className="drop-card">
        <Icon name="upload" size={36} />
        <div className="drop-title">{project ? t('drop.title', { project: project.name }) : t('drop.noProject')}</div>
        <div className="drop-hint">{t('drop.hint')}</div>
      </div>
    </div>
  );
}
