import { useTranslation } from 'react-i18next';
import { Dialog } from '../ui/dialog';
import { useUi } from '../stores/ui-store';
import { isMac, shortcutList } from './shortcuts';

export function ShortcutSheet() {
  const open = useUi((s) => s.shortcutsOpen);
  const setOpen = useUi((s) => s.setShortcutsOpen);
  const { t } = useTranslation();
  return (
    <Dialog open={open} title={t('shortcuts.title')} onClose={() => setOpen(false)} testId="shortcut-sheet">
      <table className="shortcut-table">
        <tbody>
          {shortcutList.map((s) => (
            <tr key={s.labelKey}>
              <td>{t(s.labelKey)}</td>
              <td className="shortcut-keys">
                {s.keys.map((k) => (
                  <kbd key={k}>{k === 'mod' ? (isMac ? '⌘' : 'Ctrl') : k}</kbd>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Dialog>
  );
}
