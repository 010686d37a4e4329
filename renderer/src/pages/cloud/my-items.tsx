import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CloudItem, CloudItemFileType, CloudModel } from '../../../../main/common/contract';
import { fileUrl } from '../../api';
import { sayText } from '../../i18n/say';
import { useCloud } from '../../stores/cloud-store';
import { ConfirmDialog } from '../../ui/dialog';
import { formatDate } from '../../ui/format';
import { Icon } from '../../ui/icon';
import { cloudModels, deleteErrorKey } from './cloud-rules';

const FILE_TYPES: CloudItemFileType[] = ['thumbnail', 'request', 'reply', 'output', 'log'];

const statusBadge = { PROGRESS: 'accent', OK: 'success', NG: 'danger' } as const;

function ItemFiles({ item }: { item: CloudItem }) {
  const { t } = useTranslation('cloud');
  const fetchFile = useCloud((s) => s.itemFile);
  const [busy, setBusy] = useState<CloudItemFileType | null>(null);
  const [saved, setSaved] = useState<{ type: CloudItemFileType; file: string; contentType: string | null } | null>(null);
  const get = async (type: CloudItemFileType) => {
    setBusy(type);
    const res = await fetchFile(item.requestId, type);
    setBusy(null);
    if (res) setSaved({ type, ...res });
  };
  const isImage = saved && (saved.contentType?.startsWith('image/') || /\.(png|jpe?g|gif|webp)$/i.test(saved.file));
  return (
    <div className="item-files" data-testid="item-files">
      <span className="faint">{t('items.files')}</span>
      {FILE_TYPES.map((type) => (
        <button key={type} type="button" className="button ghost small" onClick={() => void get(type)} disabled={busy !== null} data-testid={`item-file-${type}`}>
          {busy === type && <span className="spinner" />}
          {t(`items.fileTypes.${type}`)}
        </button>
      ))}
      {saved && (
        <div className="item-file-saved" data-testid="item-file-saved">
          {isImage && <img src={fileUrl(saved.file)} alt={t(`items.fileTypes.${saved.type}`)} className="item-thumb" />}
          <a href={fileUrl(saved.file)} target="_blank" rel="noreferrer" className="mono">
            {t('items.saved', { file: saved.file.split('/').pop() })}
          </a>
        </div>
      )}
    </div>
  );
}

function ItemRow({ model, item }: { model: CloudModel; item: CloudItem }) {
  const { t, i18n } = useTranslation('cloud');
  const remove = useCloud((s) => s.deleteItem);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<{ key: string | null; message: string } | null>(null);
  const name = item.itemName || t('items.unnamed');
  const confirm = async () => {
    setBusy(true);
    const res = await remove(model, item.requestId);
    setBusy(false);
    setConfirming(false);
    if (!res.ok) setError({ key: deleteErrorKey(res.code), message: sayText(i18n, res) });
  };
  return (
    <li className="cloud-item" data-testid="cloud-item" data-request-id={item.requestId} data-status={item.status}>
      <div className="cloud-item-row">
        <button type="button" className="cloud-item-main" onClick={() => setOpen((o) => !o)} aria-expanded={open} data-testid="cloud-item-toggle">
          <Icon name="chevronRight" size={14} className={open ? 'cloud-chev open' : 'cloud-chev'} />
          <span className="cloud-item-name" data-testid="cloud-item-name">
            {name}
          </span>
        </button>
        <span className={`badge ${statusBadge[item.status]}`} data-testid="cloud-item-status">
          {t(`items.status.${item.status}`)}
        </span>
        {item.createdAt && <span className="faint cloud-item-date">{formatDate(item.createdAt, i18n.language)}</span>}
        <button type="button" className="icon-button" onClick={() => setConfirming(true)} aria-label={`${t('items.delete')}: ${name}`} title={t('items.delete')} data-testid="cloud-item-delete">
          <Icon name="trash" size={15} />
        </button>
      </div>
      {error && (
        <div className="cloud-error" role="alert" data-testid="cloud-item-error" data-reason={error.key ?? 'other'}>
          <Icon name="alert" size={15} /> <span>{error.key ? t(`items.${error.key}`) : error.message}</span>
        </div>
      )}
      {open && (
        <div className="cloud-item-detail">
          <div className="faint mono">{item.requestId}</div>
          <ItemFiles item={item} />
        </div>
      )}
      {/* mounted only while asked, so a long list does not hold a dialog per row */}
      {confirming && (
        <ConfirmDialog
          open
          title={t('items.deleteTitle')}
          message={t('items.deleteText', { name })}
          confirmLabel={t('items.deleteConfirm')}
          danger
          busy={busy}
          onConfirm={() => void confirm()}
          onCancel={() => setConfirming(false)}
          testId="delete-item-dialog"
        />
      )}
    </li>
  );
}

/** The account's items in the cloud, per model, newest first, a cursor page at a time. */
export function MyItems() {
  const { t, i18n } = useTranslation('cloud');
  const signedIn = useCloud((s) => s.account?.state === 'signedIn');
  const [model, setModel] = useState<CloudModel>('gs3d');
  const list = useCloud((s) => s.items[model]);
  const load = useCloud((s) => s.loadItems);

  useEffect(() => {
    if (signedIn && !list?.loaded && !list?.loading) void load(model);
  }, [signedIn, model, list?.loaded, list?.loading, load]);

  return (
    <section className="panel cloud-items" data-testid="cloud-items" data-model={model} aria-labelledby="cloud-items-title">
      <div className="panel-title">
        <span id="cloud-items-title">
          <Icon name="cloud" size={14} /> {t('items.title')}
        </span>
        {signedIn && (
          <button type="button" className="button ghost small" onClick={() => void load(model)} disabled={list?.loading} data-testid="cloud-items-refresh">
            <Icon name="refresh" size={14} /> {t('items.refresh')}
          </button>
        )}
      </div>
      <p className="faint cloud-items-intro">{t('items.intro')}</p>
      {/* a list, not a button row: five model names do not fit the side column on one line */}
      <select className="select cloud-items-model" value={model} onChange={(e) => setModel(e.target.value as CloudModel)} aria-label={t('form.model')} data-testid="cloud-items-model">
        {cloudModels.map((m) => (
          <option key={m} value={m}>
            {t(`models.${m}`)}
          </option>
        ))}
      </select>
      {!signedIn ? (
        <p className="muted cloud-items-note" data-testid="cloud-items-signin">
          {t('items.signIn')}
        </p>
      ) : (
        <>
          {list?.error && (
            <div className="cloud-error" role="alert" data-testid="cloud-items-error">
              <Icon name="alert" size={15} /> <span>{t('items.error', { message: sayText(i18n, list.error) })}</span>
            </div>
          )}
          {list?.loaded && list.items.length === 0 && !list.error && (
            <p className="muted cloud-items-note" data-testid="cloud-items-empty">
              {t('items.empty', { model: t(`models.${model}`) })}
            </p>
          )}
          {list && list.items.length > 0 && (
            <ul className="cloud-item-list" data-testid="cloud-item-list">
              {list.items.map((i) => (
                <ItemRow key={i.requestId} model={model} item={i} />
              ))}
            </ul>
          )}
          <div className="cloud-items-foot">
            {list && list.items.length > 0 && (
              <span className="faint" data-testid="cloud-items-count">
                {t('items.count', { count: list.items.length })}
              </span>
            )}
            {list?.loading && (
              <span className="muted">
                <span className="spinner" /> {t('items.loading')}
              </span>
            )}
            {list?.hasNext && !list.loading && (
              <button type="button" className="button small" onClick={() => void load(model, true)} data-testid="cloud-items-more">
                {t('items.loadMore')}
              </button>
            )}
          </div>
        </>
      )}
    </section>
  );
}
