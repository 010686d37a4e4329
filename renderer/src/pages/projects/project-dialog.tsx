import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Dialog } from '../../ui/dialog';

interface Props {
  open: boolean;
  mode: 'create' | 'edit';
  initial?: { name: string; description: string };
  onSubmit(values: { name: string; description: string }): Promise<boolean>;
  onClose(): void;
}

/** Create a project, or rename / re-describe one. */
export function ProjectDialog({ open, mode, initial, onSubmit, onClose }: Props) {
  const { t } = useTranslation('projects');
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [touched, setTouched] = useState(false);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (open) {
      setName(initial?.name ?? '');
      setDescription(initial?.description ?? '');
      setTouched(false);
      setBusy(false);
    }
  }, [open, initial]);

  const trimmed = name.trim();
  const nameError = trimmed.length === 0 ? t('dialog.nameRequired') : trimmed.length > 120 ? t('dialog.nameTooLong') : null;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (nameError || busy) return;
    setBusy(true);
    const ok = await onSubmit({ name: trimmed, description: description.trim() });
    setBusy(false);
    if (ok) onClose();
  };

  return (
    <Dialog open={open} title={mode === 'create' ? t('dialog.createTitle') : t('dialog.editTitle')} onClose={onClose} testId="project-dialog">
      <form id="project-form" onSubmit={submit} noValidate>
        <div className="field">
          <label htmlFor="project-name">{t('dialog.name')}</label>
          <input
            id="project-name"
            className="input"
            value={name}
            maxLength={200}
            autoFocus
            placeholder={t('dialog.namePlaceholder')}
            aria-invalid={touched && !!nameError}
            onChange={(e) => setName(e.target.value)}
            onBlur={() => setTouched(true)}
            data-testid="project-name-input"
          />
          {touched && nameError && <span className="field-error">{nameError}</span>}
        </div>
        <div className="field">
          <label htmlFor="project-description">{t('dialog.description')}</label>
          <textarea
            id="project-description"
            className="textarea"
            value={description}
            maxLength={2000}
            placeholder={t('dialog.descriptionPlaceholder')}
            onChange={(e) => setDescription(e.target.value)}
            data-testid="project-description-input"
          />
        </div>
      </form>
      <div className="dialog-footer" style={{ padding: '4px 0 14px' }}>
        <button type="button" className="button ghost" onClick={onClose}>
          {t('common:actions.cancel')}
        </button>
        <button type="submit" form="project-form" className="button primary" disabled={busy} data-testid="project-dialog-submit">
          {mode === 'create' ? t('common:actions.create') : t('common:actions.save')}
        </button>
      </div>
    </Dialog>
  );
}
