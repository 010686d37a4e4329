/**
 * The Solana emulator's state in SQLite: registered models (the source the VM's model accounts are re-created
 * from), every transaction that landed (wire bytes, error, balances before and after, so the RPC can answer
 * getTransaction and getSignaturesForAddress after a restart), the payments already distributed (so a payment
 * is never paid out twice), and a little meta (slot, recent blockhashes).
 *
 * Lamport amounts are stored as decimal strings (they can pass 2^53).
 */
import { openDb, type Db } from '../base/db';

export interface ModelRow {
  pda: string;
  name: string;
  uploader: string;
  version_name: string;
  modality: string;
  wallet: string;
  relationship: string;
  parent_pda: string | null;
  /** The registered body as JSON, `encryptionKey` replaced by its SHA-256 (a secret never rests in clear). */
  body: string;
  transaction_hash: string;
  created_at: number;
}

export interface TxRow {
  signature: string;
  slot: number;
  /** Seconds since the epoch (the RPC's blockTime). */
  block_time: number;
  raw: Buffer;
  /** The Solana error as JSON, or null for a success. */
  err: string | null;
  fee: string;
  /** JSON arrays of decimal strings, in account-key order. */
  pre_balances: string;
  post_balances: string;
  logs: string;
  compute_units: number;
  account_keys: string;
}

export interface PaymentRow {
  signature: string;
  model_pda: string;
  /** The case-3 reply, as sent. */
  reply: string;
  created_at: number;
}

const MIGRATIONS = [
  `CREATE TABLE models (
     pda TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     uploader TEXT NOT NULL,
     version_name TEXT NOT NULL,
     modality TEXT NOT NULL,
     wallet TEXT NOT NULL,
     relationship TEXT NOT NULL CHECK (relationship IN ('root', 'derived', 'fine-tuned')),
     parent_pda TEXT,
     body TEXT NOT NULL,
     transaction_hash TEXT NOT NULL,
     created_at INTEGER NOT NULL
   );
   CREATE TABLE transactions (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     signature TEXT NOT NULL UNIQUE,
     slot INTEGER NOT NULL,
     block_time INTEGER NOT NULL,
     raw BLOB NOT NULL,
     err TEXT,
     fee TEXT NOT NULL,
     pre_balances TEXT NOT NULL,
     post_balances TEXT NOT NULL,
     logs TEXT NOT NULL,
     compute_units INTEGER NOT NULL,
     account_keys TEXT NOT NULL
   );
   CREATE TABLE tx_accounts (
     address TEXT NOT NULL,
     seq INTEGER NOT NULL REFERENCES transactions(seq) ON DELETE CASCADE,
     PRIMARY KEY (address, seq)
   );
   CREATE TABLE payments (
     signature TEXT PRIMARY KEY,
     model_pda TEXT NOT NULL,
     reply TEXT NOT NULL,
     created_at INTEGER NOT NULL
   );
   CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
];

export class SolanaStore {
  readonly db: Db;

  constructor(file: string) {
    this.db = openDb(file, MIGRATIONS);
  }

  close(): void {
    this.db.close();
  }

  meta(key: string): string | null {
    const row = this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
    return row?.value ?? null;
  }

  setMeta(key: string, value: string): void {
    this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  insertModel(m: ModelRow): void {
    this.db
      .prepare(
        `INSERT INTO models (pda, name, uploader, version_name, modality, wallet, relationship, parent_pda, body, transaction_hash, created_at)
         VALUES (@pda, @name, @uploader, @version_name, @modality, @wallet, @relationship, @parent_pda, @body, @transaction_hash, @created_at)`,
      )
      .run(m);
  }

  model(pda: string): ModelRow | null {
    return (this.db.prepare('SELECT * FROM models WHERE pda = ?').get(pda) as ModelRow | undefined) ?? null;
  }

  models(): ModelRow[] {
    return this.db.prepare('SELECT * FROM models ORDER BY created_at, rowid').all() as ModelRow[];
  }

  /** Re-points a model's parent (admin only: the API cannot make a cycle, tests need one). */
  setParent(pda: string, parent: string | null): void {
    this.db.prepare('UPDATE models SET parent_pda = ? WHERE pda = ?').run(parent, pda);
  }

  insertTx(t: TxRow, addresses: string[]): void {
    this.db.transaction(() => {
      const { lastInsertRowid } = this.db
        .prepare(
          `INSERT INTO transactions (signature, slot, block_time, raw, err, fee, pre_balances, post_balances, logs, compute_units, account_keys)
           VALUES (@signature, @slot, @block_time, @raw, @err, @fee, @pre_balances, @post_balances, @logs, @compute_units, @account_keys)`,
        )
        .run(t);
      const ins = this.db.prepare('INSERT OR IGNORE INTO tx_accounts (address, seq) VALUES (?, ?)');
      for (const a of addresses) ins.run(a, lastInsertRowid);
    })();
  }

  tx(signature: string): TxRow | null {
    return (this.db.prepare('SELECT signature, slot, block_time, raw, err, fee, pre_balances, post_balances, logs, compute_units, account_keys FROM transactions WHERE signature = ?').get(signature) as TxRow | undefined) ?? null;
  }

  /** Newest first; `before` / `until` are signatures (exclusive), as the RPC's getSignaturesForAddress reads them. */
  txsOf(address: string, o: { limit: number; before?: string; until?: string }): TxRow[] {
    const seqOf = (sig?: string) => (sig ? ((this.db.prepare('SELECT seq FROM transactions WHERE signature = ?').get(sig) as { seq: number } | undefined)?.seq ?? null) : null);
    const before = seqOf(o.before);
    const until = seqOf(o.until);
    return this.db
      .prepare(
        `SELECT t.signature, t.slot, t.block_time, t.raw, t.err, t.fee, t.pre_balances, t.post_balances, t.logs, t.compute_units, t.account_keys
         FROM tx_accounts a JOIN transactions t ON t.seq = a.seq
         WHERE a.address = ? AND (? IS NULL OR t.seq < ?) AND (? IS NULL OR t.seq > ?)
         ORDER BY t.seq DESC LIMIT ?`,
      )
      .all(address, before, before, until, until, o.limit) as TxRow[];
  }

  /** The block time of `slot` (the last transaction at or before it), or null before the first transaction. */
  blockTime(slot: number): number | null {
    const row = this.db.prepare('SELECT block_time FROM transactions WHERE slot <= ? ORDER BY seq DESC LIMIT 1').get(slot) as { block_time: number } | undefined;
    return row?.block_time ?? null;
  }

  txCount(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM transactions').get() as { n: number }).n;
  }

  recentTxs(limit: number): TxRow[] {
    return this.db.prepare('SELECT signature, slot, block_time, raw, err, fee, pre_balances, post_balances, logs, compute_units, account_keys FROM transactions ORDER BY seq DESC LIMIT ?').all(limit) as TxRow[];
  }

  payment(signature: string): PaymentRow | null {
    return (this.db.prepare('SELECT * FROM payments WHERE signature = ?').get(signature) as PaymentRow | undefined) ?? null;
  }

  insertPayment(p: PaymentRow): void {
    this.db.prepare('INSERT INTO payments (signature, model_pda, reply, created_at) VALUES (@signature, @model_pda, @reply, @created_at)').run(p);
  }

  payments(): PaymentRow[] {
    return this.db.prepare('SELECT * FROM payments ORDER BY created_at, rowid').all() as PaymentRow[];
  }

  wipe(): void {
    this.db.exec('DELETE FROM tx_accounts; DELETE FROM transactions; DELETE FROM payments; DELETE FROM models; DELETE FROM meta;');
  }
}
