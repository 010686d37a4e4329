import { z } from 'zod';
import { channel, Empty, IsoTime } from './define';

/** A backup's file name in `<dataDir>/backups/` (never a path: the page cannot point the restore elsewhere). */
export const BackupName = z
  .string()
  .max(120)
  .regex(/^studio-(?:before-restore-)?\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}\.\d{3}Z-v\d+\.db$/, 'Not the name of a backup');

export const Backup = z.object({
  name: z.string(),
  /** backup: automatic or "Back up now"; before-restore: the library a restore replaced; damaged: kept for recovery, not restorable. */
  kind: z.enum(['backup', 'before-restore', 'damaged']),
  createdAt: IsoTime,
  schemaVersion: z.number().int().nullable(),
  sizeBytes: z.number().int(),
});
export type Backup = z.infer<typeof Backup>;

export const LibraryWarning = z.object({
  kind: z.literal('empty-library'),
  /** Project folders on disk while the library has no project. */
  projectFolders: z.number().int(),
  backupAvailable: z.boolean(),
  message: z.string(),
});
export type LibraryWarning = z.infer<typeof LibraryWarning>;

export const DbStatus = z.object({
  file: z.string(),
  backupsDir: z.string(),
  schemaVersion: z.number().int(),
  sizeBytes: z.number().int(),
  /** The last quick_check (at open, or now when asked with `check: true`). */
  healthy: z.boolean(),
  problems: z.array(z.string()),
  checkedAt: IsoTime,
  libraryWarning: LibraryWarning.nullable(),
  latestBackup: Backup.nullable(),
  /** Why the last automatic backup could not be written, when it could not. */
  backupError: z.string().nullable(),
});
export type DbStatus = z.infer<typeof DbStatus>;

export const RestoreResult = z.object({
  restored: z.string(),
  schemaVersion: z.number().int(),
  /** The copy kept of the library that was replaced (in the backups folder). */
  keptCopy: z.string().nullable(),
});
export type RestoreResult = z.infer<typeof RestoreResult>;

export const storeChannels = {
  'db.status': channel(
    'The library database: its check (run again with check: true), schema, newest backup, and a warning when it is empty but projects are on disk.',
    z.object({ check: z.boolean().default(false) }).strict(),
    DbStatus,
  ),
  'db.backups': channel('Backups of the library, newest first.', Empty, z.array(Backup)),
  'db.backup': channel('Back the library up now (online backup; the newest few are kept).', Empty, Backup),
  'db.restore': channel(
    'Replace the library with a backup; the current one is kept as a before-restore copy. Refused while jobs run.',
    z.object({ name: BackupName }).strict(),
    RestoreResult,
  ),
};
