/**
 * Where tokens rest. Electron keeps them with safeStorage (main/electron-main/secret-store.ts, passed in by the
 * shell); the CLI and the browser host use the OS keychain through @napi-rs/keyring (Keychain on macOS, Credential
 * Manager on Windows, the Secret Service on Linux); where no keychain answers (a headless Linux rig) they go to one
 * owner-only file in the data folder, and the user is told so once, as the gh and docker CLIs do. That file is
 * the only place a token may rest outside the keychain: never SQLite, logs, `--json` output, error messages or argv.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../common/app-error';
import { say } from '../../common/messages';

export type VaultBackend = 'keychain' | 'file' | 'electron';

export interface SecretVault {
  readonly backend: VaultBackend;
  /** The secret, or null when none is stored under `name`. */
  get(name: string): Promise<string | null>;
  set(name: string, value: string): Promise<void>;
  /** True when something was stored and is now gone. */
  delete(name: string): Promise<boolean>;
}

/** What the Electron shell passes in: its safeStorage-backed SecretStore (or anything shaped like it). */
export interface SecretStoreLike {
  get(name: string): string | null;
  set(name: string, value: string): void;
  delete(name: string): boolean;
  /** Why it cannot store safely here (no keyring behind safeStorage), or null. */
  unavailableReason?(): string | null;
}

/** The keychain's service name; each secret is an account under it. */
export const KEYCHAIN_SERVICE = 'Kraken Studio';

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,99}$/;

function checkName(name: string): void {
  if (!NAME.test(name)) throw new AppError('INVALID_INPUT', say('secrets.bad_name', { name }));
}

/** The plain sentence for a keychain failure, without anything that was being stored. */
function keychainProblem(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.replace(/\s+/g, ' ').slice(0, 200);
}

interface AsyncEntryLike {
  setPassword(password: string, signal?: AbortSignal | null): Promise<void>;
  getPassword(signal?: AbortSignal | null): Promise<string | null>;
  deleteCredential(signal?: AbortSignal | null): Promise<boolean>;
}
type EntryCtor = new (service: string, username: string, options?: { linux?: { store?: 'secret-service' | 'keyutils' } }) => AsyncEntryLike;

let cachedCtor: EntryCtor | null | undefined;
/** Loaded lazily: a platform without a prebuilt binary simply has no keychain (the file vault takes over). */
function loadEntry(): EntryCtor | null {
  if (cachedCtor !== undefined) return cachedCtor;
  try {
    // Loaded on first use: a platform without its binary has no keychain (the file vault takes over), not a crash.
    cachedCtor = (require('@napi-rs/keyring') as { AsyncEntry: EntryCtor }).AsyncEntry;
  } catch {
    cachedCtor = null;
  }
  return cachedCtor;
}

export interface KeyringVaultOptions {
  /** Default "Kraken Studio". */
  service?: string;
  /** A keychain that does not answer in this long is treated as unreachable. Default 10 s. */
  timeoutMs?: number;
}

/** The OS keychain through @napi-rs/keyring. On Linux it is pinned to the Secret Service (never the kernel keyring, which forgets at reboot). */
export class KeyringVault implements SecretVault {
  readonly backend = 'keychain' as const;
  readonly service: string;
  private readonly timeoutMs: number;

  constructor(opts: KeyringVaultOptions = {}) {
    this.service = opts.service ?? KEYCHAIN_SERVICE;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
  }

  private entry(name: string): AsyncEntryLike {
    checkName(name);
    const Entry = loadEntry();
    if (!Entry) throw new AppError('UNSUPPORTED', say('secrets.no_keychain', {}));
    return new Entry(this.service, name, { linux: { store: 'secret-service' } });
  }

  private async call<T>(what: 'read' | 'store' | 'delete', fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const signal = AbortSignal.timeout(this.timeoutMs);
    try {
      return await fn(signal);
    } catch (err) {
      if (err instanceof AppError) throw err;
      throw new AppError(
        'UNSUPPORTED',
        signal.aborted ? say(`secrets.${what}_timeout`, { seconds: Math.round(this.timeoutMs / 1000) }) : say(`secrets.${what}_failed`, { error: keychainProblem(err) }),
      );
    }
  }

  // The entry is made inside call(): pinning the Secret Service connects at construction, which may throw.
  get(name: string): Promise<string | null> {
    return this.call('read', (signal) => this.entry(name).getPassword(signal));
  }

  set(name: string, value: string): Promise<void> {
    return this.call('store', (signal) => this.entry(name).setPassword(value, signal));
  }

  delete(name: string): Promise<boolean> {
    return this.call('delete', (signal) => this.entry(name).deleteCredential(signal));
  }

  /** Stores, reads back and deletes a random value: null when the keychain works, else why not. */
  async probe(): Promise<string | null> {
    const name = `probe-${process.pid}-${randomBytes(4).toString('hex')}`;
    const value = randomBytes(16).toString('hex');
    try {
      await this.set(name, value);
      const back = await this.get(name);
      await this.delete(name);
      return back === value ? null : 'the system keychain did not give back what was stored';
    } catch (err) {
      return err instanceof AppError ? err.message : keychainProblem(err);
    }
  }
}

interface CredentialsFile {
  version: 1;
  entries: Record<string, string>;
}

/** `<dataDir>/.credentials/credentials.json`: hidden, so no shell serves it as a data file. */
export function credentialsFile(dataDir: string): string {
  return path.join(dataDir, '.credentials', 'credentials.json');
}

const warnedFiles = new Set<string>();

export interface FileVaultOptions {
  /** Told once per process, at the first secret stored, that the keychain is not used. */
  onFallback?: (message: string) => void;
  /** Why the keychain was not used (shown with the warning where useful). */
  reason?: string;
}

/** The fallback: one 0600 JSON file in a 0700 folder of the data folder. Plain text, readable only by the user. */
export class FileVault implements SecretVault {
  readonly backend = 'file' as const;
  readonly file: string;

  constructor(
    dataDir: string,
    private readonly opts: FileVaultOptions = {},
  ) {
    this.file = credentialsFile(dataDir);
  }

  /** The sentence shown once, as gh and docker do. */
  get warning(): string {
    return `No system keychain is reachable; credentials are kept in ${this.file} (readable only by you)`;
  }

  async get(name: string): Promise<string | null> {
    checkName(name);
    return this.read().entries[name] ?? null;
  }

  /** The names stored (never the values). */
  names(): string[] {
    return Object.keys(this.read().entries);
  }

  async set(name: string, value: string): Promise<void> {
    checkName(name);
    const data = this.read();
    data.entries[name] = value;
    this.write(data);
    if (!warnedFiles.has(this.file)) {
      warnedFiles.add(this.file);
      this.opts.onFallback?.(this.warning);
    }
  }

  async delete(name: string): Promise<boolean> {
    checkName(name);
    const data = this.read();
    if (!Object.hasOwn(data.entries, name)) return false;
    delete data.entries[name];
    if (Object.keys(data.entries).length === 0) fs.rmSync(this.file, { force: true });
    else this.write(data);
    return true;
  }

  private read(): CredentialsFile {
    let raw: string;
    try {
      const st = fs.statSync(this.file);
      // Someone loosened it (a copy, a backup restore): tighten it again before reading.
      if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) fs.chmodSync(this.file, 0o600);
      raw = fs.readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, entries: {} };
      throw AppError.from(err);
    }
    try {
      const parsed = JSON.parse(raw) as Partial<CredentialsFile>;
      const entries: Record<string, string> = {};
      if (parsed && typeof parsed.entries === 'object' && parsed.entries !== null) {
        for (const [k, v] of Object.entries(parsed.entries)) if (NAME.test(k) && typeof v === 'string') entries[k] = v;
      }
      return { version: 1, entries };
    } catch {
      throw new AppError('IO_ERROR', say('secrets.file_damaged', { path: this.file }), { path: this.file });
    }
  }

  private write(data: CredentialsFile): void {
    const dir = path.dirname(this.file);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (process.platform !== 'win32') fs.chmodSync(dir, 0o700);
    const tmp = `${this.file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    // Created 0600 from the first byte (never world-readable, even for an instant), then renamed over the old one.
    const fd = fs.openSync(tmp, 'w', 0o600);
    try {
      fs.writeSync(fd, JSON.stringify(data));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, this.file);
  }
}

/** Electron's safeStorage store behind the async vault interface. */
export class ElectronVault implements SecretVault {
  readonly backend = 'electron' as const;
  constructor(private readonly store: SecretStoreLike) {}
  async get(name: string): Promise<string | null> {
    return this.store.get(name);
  }
  async set(name: string, value: string): Promise<void> {
    this.store.set(name, value);
  }
  async delete(name: string): Promise<boolean> {
    return this.store.delete(name);
  }
}

export interface OpenVaultOptions {
  /** Electron's safeStorage store, passed in by the Electron shell. */
  electron?: SecretStoreLike;
  /** Told once, when the first secret goes to the fallback file. */
  onFallback?: (message: string) => void;
  /** The keychain to try; false skips it (straight to the file). Default: a KeyringVault for "Kraken Studio". */
  keychain?: Pick<KeyringVault, 'probe'> & SecretVault | false;
}

export type OpenedVault = SecretVault & {
  /** Why the keychain (or safeStorage) was not used, when the file vault was chosen. */
  readonly fallbackReason?: string;
};

/**
 * The vault for this shell: Electron's safeStorage when given and usable, else the OS keychain when a probe
 * set/get/delete works, else the 0600 file in the data folder.
 */
export async function openVault(dataDir: string, opts: OpenVaultOptions = {}): Promise<OpenedVault> {
  const reasons: string[] = [];
  if (opts.electron) {
    const why = opts.electron.unavailableReason?.() ?? null;
    if (!why) return new ElectronVault(opts.electron);
    reasons.push(why);
  }
  if (opts.keychain !== false) {
    const keychain = opts.keychain ?? new KeyringVault();
    const why = await keychain.probe();
    if (!why) {
      await moveFileSecretsInto(keychain, dataDir);
      return keychain;
    }
    reasons.push(why);
  } else reasons.push('the keychain is turned off for this run');
  const vault = new FileVault(dataDir, { onFallback: opts.onFallback, reason: reasons.join('; ') });
  return Object.assign(vault, { fallbackReason: reasons.join('; ') });
}

/**
 * A keychain that answers now (one was installed on a rig that used the file): what the file holds moves into it
 * and the file goes, so a token rests in one place only. A secret the keychain refuses stays in the file.
 */
async function moveFileSecretsInto(keychain: SecretVault, dataDir: string): Promise<void> {
  const file = new FileVault(dataDir);
  if (!fs.existsSync(file.file)) return;
  let names: string[];
  try {
    names = file.names();
  } catch {
    return; // a damaged file is left for the user (FileVault's message says what to do)
  }
  for (const name of names) {
    const value = await file.get(name);
    if (value === null) continue;
    try {
      await keychain.set(name, value);
      await file.delete(name);
    } catch {
      // keep it in the file; the next start tries again
    }
  }
}
