/** SQLite for emulator state: WAL, foreign keys, ordered migrations that each bump user_version. */
import Database from 'better-sqlite3';

export type Db = Database.Database;

/** Opens (creating) `file` and runs the migrations it has not seen yet, each in its own transaction. */
export function openDb(file: string, migrations: string[]): Db {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 2000');
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > migrations.length) {
    db.close();
    throw new Error(`${file} was written by a newer emulator (schema ${current}, this one knows ${migrations.length}); use another data folder.`);
  }
  for (let v = current; v < migrations.length; v++) {
    db.transaction(() => {
      db.exec(migrations[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
  return db;
}
