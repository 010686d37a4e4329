import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SecretStore, type Cipher } from './secret-store';

/** A stand-in for safeStorage: reversible, but never the plain text on disk. */
function fakeCipher(opts: { available?: boolean; backend?: ReturnType<NonNullable<Cipher['getSelectedStorageBackend']>> } = {}): Cipher {
  const key = 0x5a;
  return {
    isEncryptionAvailable: () => opts.available ?? true,
    encryptString: (s: string) => Buffer.from([0x76, 0x31, ...Buffer.from(s, 'utf8').map((b) => b ^ key)]),
    decryptString: (b: Buffer) => {
      if (b[0] !== 0x76 || b[1] !== 0x31) throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
      return Buffer.from(b.subarray(2).map((x) => x ^ key)).toString('utf8');
    },
    getSelectedStorageBackend: () => opts.backend ?? 'gnome_libsecret',
  };
}

let dir: string;
let file: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-secrets-'));
  file = path.join(dir, '.secrets.json');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('SecretStore', () => {
  it('stores encrypted, reads back, forgets', () => {
    const store = new SecretStore(file, fakeCipher(), 'linux');
    const token = 'eyJhbGciOiJIUzI1NiJ9.refresh-token-value';
    store.set('atlas.refreshToken', token);
    expect(fs.readFileSync(file, 'utf8')).not.toContain(token);
    expect(fs.readFileSync(file, 'utf8')).not.toContain('refresh-token-value');
    expect(store.get('atlas.refreshToken')).toBe(token);
    expect(new SecretStore(file, fakeCipher(), 'linux').get('atlas.refreshToken')).toBe(token);
    expect(store.has('atlas.refreshToken')).toBe(true);
    expect(store.delete('atlas.refreshToken')).toBe(true);
    expect(store.delete('atlas.refreshToken')).toBe(false);
    expect(store.get('atlas.refreshToken')).toBeNull();
  });

  it('writes the file for its owner only', () => {
    if (process.platform === 'win32') return;
    new SecretStore(file, fakeCipher(), 'linux').set('k', 'v');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it('refuses to store when the OS cannot encrypt, instead of writing plain text', () => {
    const store = new SecretStore(file, fakeCipher({ available: false }), 'darwin');
    expect(() => store.set('wallet.key', 'secret')).toThrow(expect.objectContaining({ code: 'UNSUPPORTED' }));
    expect(fs.existsSync(file)).toBe(false);
    expect(store.unavailableReason()).toMatch(/keychain/);
  });

  it('refuses Linux basic_text (a fixed public password), but not on other systems', () => {
    const linux = new SecretStore(file, fakeCipher({ backend: 'basic_text' }), 'linux');
    expect(() => linux.set('k', 'v')).toThrow(/keyring/);
    expect(fs.existsSync(file)).toBe(false);
    const mac = new SecretStore(file, fakeCipher({ backend: 'basic_text' }), 'darwin');
    mac.set('k', 'v');
    expect(mac.get('k')).toBe('v');
  });

  it('answers null for a secret that can no longer be decrypted', () => {
    fs.writeFileSync(file, JSON.stringify({ version: 1, entries: { k: Buffer.from('garbage').toString('base64') } }));
    expect(new SecretStore(file, fakeCipher(), 'linux').get('k')).toBeNull();
  });

  it('says a damaged file is damaged, and rejects odd names', () => {
    fs.writeFileSync(file, '{not json');
    const store = new SecretStore(file, fakeCipher(), 'linux');
    expect(() => store.get('k')).toThrow(expect.objectContaining({ code: 'IO_ERROR' }));
    expect(() => new SecretStore(path.join(dir, 'b.json'), fakeCipher(), 'linux').set('../x', 'v')).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    expect(() => new SecretStore(path.join(dir, 'b.json'), fakeCipher(), 'linux').get('')).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });
});
