/**
 * Secrets (account tokens, wallet keys, API keys) encrypted with the OS keychain through Electron's
 * safeStorage (Keychain on macOS, DPAPI on Windows, libsecret/kwallet on Linux) and kept in one file in
 * userData. Never stored in clear: when the OS offers no real encryption, storing is refused with a clear
 * error instead of falling back to plain text. Only types come from `electron` (safeStorage is passed in).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { SafeStorage } from 'electron';
import { AppError } from '../common/app-error';

export type Cipher = Pick<SafeStorage, 'isEncryptionAvailable' | 'encryptString' | 'decryptString'> &
  Partial<Pick<SafeStorage, 'getSelectedStorageBackend'>>;

interface SecretFile {
  version: 1;
  /** name → base64 of the ciphertext safeStorage produced. */
  entries: Record<string, string>;
}

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,99}$/;

export class SecretStore {
  constructor(
    private readonly file: string,
    private readonly cipher: Cipher,
    private readonly platform: NodeJS.Platform = process.platform,
  ) {}

  /** Why secrets cannot be stored on this machine, or null when they can. */
  unavailableReason(): string | null {
    if (!this.cipher.isEncryptionAvailable()) return 'The system keychain is not available, so secrets cannot be stored safely.';
    // On Linux without a keyring Chromium "encrypts" with a fixed, public password: that is plain text in disguise.
    if (this.platform === 'linux' && this.cipher.getSelectedStorageBackend?.() === 'basic_text') {
      return 'No system keyring (GNOME Keyring or KWallet) is running, so secrets cannot be stored safely. Start one and try again.';
    }
    return null;
  }

  /** Encrypts and stores `value` under `name`. */
  set(name: string, value: string): void {
    checkName(name);
    const reason = this.unavailableReason();
    if (reason) throw new AppError('UNSUPPORTED', reason);
    const data = this.read();
    data.entries[name] = this.cipher.encryptString(value).toString('base64');
    this.write(data);
  }

  /** The decrypted secret, or null when none is stored (or it can no longer be decrypted, e.g. a new OS account). */
  get(name: string): string | null {
    checkName(name);
    const stored = this.read().entries[name];
    if (stored === undefined || !this.cipher.isEncryptionAvailable()) return null;
    try {
      return this.cipher.decryptString(Buffer.from(stored, 'base64'));
    } catch {
      return null;
    }
  }

  has(name: string): boolean {
    checkName(name);
    return Object.hasOwn(this.read().entries, name);
  }

  /** Forgets a secret; true when one was stored. */
  delete(name: string): boolean {
    checkName(name);
    const data = this.read();
    if (!Object.hasOwn(data.entries, name)) return false;
    delete data.entries[name];
    this.write(data);
    return true;
  }

  private read(): SecretFile {
    let raw: string;
    try {
      raw = fs.readFileSync(this.file, 'utf8');
    } catch {
      return { version: 1, entries: {} };
    }
    try {
      const parsed = JSON.parse(raw) as Partial<SecretFile>;
      const entries: Record<string, string> = {};
      if (parsed && typeof parsed.entries === 'object' && parsed.entries !== null) {
        for (const [k, v] of Object.entries(parsed.entries)) if (NAME.test(k) && typeof v === 'string') entries[k] = v;
      }
      return { version: 1, entries };
    } catch {
      throw new AppError('IO_ERROR', `The secrets file ${this.file} is damaged; sign in again after removing it.`);
    }
  }

  private write(data: SecretFile): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    // Owner-only: the ciphertext is useless without the keychain, but there is no reason to show it around.
    fs.writeFileSync(tmp, JSON.stringify(data), { mode: 0o600 });
    fs.renameSync(tmp, this.file);
  }
}

function checkName(name: string): void {
  if (!NAME.test(name)) throw new AppError('INVALID_INPUT', `Bad secret name "${name}"`);
}
