import { useCallback, useRef } from 'react';
import { api } from '../../api';
import { useMedia } from '../../stores/media-store';
import { useSettings } from '../../stores/settings-store';
import { showError } from '../../stores/toast-store';

const ACCEPT = 'video/*,image/*,.mkv,.mov,.m4v,.avi,.webm,.heic';

/**
 * The Import action: the native dialog where the shell has one (Electron), otherwise a hidden file input whose
 * files are uploaded to the browser host. Returns the action and the input to render.
 */
export function useImport(projectId: number | null) {
  const inputRef = useRef<HTMLInputElement>(null);
  const nativeDialogs = useSettings((s) => s.info?.nativeDialogs ?? false);
  const importFiles = useMedia((s) => s.importFiles);
  const importPaths = useMedia((s) => s.importPaths);

  const pick = useCallback(async () => {
    if (projectId === null) return;
    if (nativeDialogs) {
      try {
        const { paths } = await api.dialog.openMedia({ multiple: true });
        await importPaths(projectId, paths);
      } catch (err) {
        showError(err);
      }
      return;
    }
    inputRef.current?.click();
  }, [projectId, nativeDialogs, importPaths]);

  const input = (
    <input
      ref={inputRef}
      type="file"
      multiple
      accept={ACCEPT}
      hidden
      data-testid="import-input"
      onChange={(e) => {
        const files = Array.from(e.currentTarget.files ?? []);
        e.currentTarget.value = ''; // picking the same file again must fire change again
        if (projectId !== null && files.length > 0) void importFiles(projectId, files);
      }}
    />
  );
  return { pick, input };
}
