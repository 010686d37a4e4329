/**
 * electron-builder.yml, checked offline: loaded and validated by electron-builder's own code and schema (the
 * installers themselves need downloads), plus the choices this app depends on.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MODEL_3D_EXTENSIONS } from './open-files';

const root = path.resolve(__dirname, '..', '..');

interface LoadedConfig {
  appId?: string;
  productName?: string;
  files?: { filter: string[] }[] | string[];
  asar?: boolean;
  asarUnpack?: string[];
  extraResources?: { from: string; to: string; filter?: string[] }[];
  fileAssociations?: { ext: string | string[]; name?: string; role?: string }[];
  protocols?: { name: string; schemes: string[] }[];
  linux?: { target?: unknown[]; icon?: string };
  mac?: { target?: { target: string; arch: string[] }[]; entitlements?: string; entitlementsInherit?: string; hardenedRuntime?: boolean; icon?: string };
  win?: { target?: { target: string; arch: string[] }[]; icon?: string };
  publish?: unknown;
}

async function loadConfig(): Promise<{ config: LoadedConfig; validate: (c: unknown) => Promise<void> }> {
  // electron-builder's loader (reads the YAML, merges package.json) and schema validator, as `electron-builder` runs them.
  const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
    getConfig(dir: string, file: string | null, extra: unknown): Promise<LoadedConfig>;
    validateConfiguration(c: unknown, logger: unknown): Promise<void>;
  };
  const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
  const config = await getConfig(root, path.join(root, 'electron-builder.yml'), null);
  return { config, validate: (c) => validateConfiguration(c, new DebugLogger(false)) };
}

describe('electron-builder.yml', () => {
  it('passes electron-builder’s own schema, which does reject a bad key', async () => {
    const { config, validate } = await loadConfig();
    await expect(validate(config)).resolves.toBeUndefined();
    await expect(validate({ ...config, notAnOption: true })).rejects.toThrow(/notAnOption/);
  });

  it('names the app and packs dist/ and package.json', async () => {
    const { config } = await loadConfig();
    expect(config.appId).toBe('network.kraken.studio');
    expect(config.productName).toBe('Kraken Studio');
    const files = (config.files ?? []).flatMap((f) => (typeof f === 'string' ? [f] : f.filter));
    expect(files).toEqual(expect.arrayContaining(['dist/**/*', 'package.json']));
    expect(config.publish).toBeNull();
    // package.json's entry is inside what is packed.
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { main: string };
    expect(pkg.main).toMatch(/^dist\//);
  });

  it('unpacks every native module from the archive and ships resources/ beside it', async () => {
    const { config } = await loadConfig();
    expect(config.asar).toBe(true);
    for (const m of ['better-sqlite3', 'onnxruntime-node', 'sharp', '@ffmpeg-installer', '@ffprobe-installer']) {
      expect(config.asarUnpack, m).toContain(`node_modules/${m}/**`);
    }
    // `to: .` is normalised away: the resources folder itself, so the sample is at resourcesPath/sample/sample.mp4.
    // Each platform keeps only its own onnxruntime providers.
    const ownFiles = (c: unknown) => ((c as { files?: ({ filter: string[] } | string)[] })?.files ?? []).flatMap((f) => (typeof f === 'string' ? [f] : f.filter));
    expect(ownFiles(config.linux).join()).toMatch(/onnxruntime-node\/bin\/napi-v\*\/\{darwin,win32\}/);
    expect(ownFiles(config.mac).join()).toMatch(/onnxruntime-node\/bin\/napi-v\*\/\{linux,win32\}/);
    expect(ownFiles(config.win).join()).toMatch(/onnxruntime-node\/bin\/napi-v\*\/\{darwin,linux\}/);
    expect(config.extraResources).toHaveLength(1);
    expect(config.extraResources![0]).toMatchObject({ from: 'resources', filter: ['**/*'] });
    expect([undefined, '.']).toContain(config.extraResources![0]!.to);
  });

  it('builds AppImage+deb, dmg for both Mac architectures, and NSIS', async () => {
    const { config } = await loadConfig();
    expect(config.linux?.target).toEqual(['AppImage', 'deb']);
    expect(config.mac?.target).toEqual([{ target: 'dmg', arch: ['arm64', 'x64'] }]);
    expect(config.mac?.hardenedRuntime).toBe(true);
    expect(config.win?.target).toEqual([{ target: 'nsis', arch: ['x64'] }]);
  });

  it('associates 3D results and videos, and the kraken: scheme', async () => {
    const { config } = await loadConfig();
    const exts = (config.fileAssociations ?? []).flatMap((a) => (Array.isArray(a.ext) ? a.ext : [a.ext]));
    expect(exts.sort()).toEqual([...MODEL_3D_EXTENSIONS.map((e) => e.slice(1)), 'mp4', 'mov', 'webm', 'mkv'].sort());
    expect(config.protocols).toEqual([{ name: 'Kraken Studio', schemes: ['kraken'] }]);
  });

  it('points at build resources that exist: a large enough PNG icon and a valid entitlements plist', async () => {
    const { config } = await loadConfig();
    for (const icon of [config.linux?.icon, config.mac?.icon, config.win?.icon]) {
      const png = fs.readFileSync(path.join(root, icon!));
      expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
      // IHDR width/height: electron-builder needs at least 512×512 to make a macOS icon.
      expect(png.readUInt32BE(16)).toBeGreaterThanOrEqual(512);
      expect(png.readUInt32BE(20)).toBe(png.readUInt32BE(16));
    }
    const plist = fs.readFileSync(path.join(root, config.mac!.entitlements!), 'utf8');
    expect(config.mac?.entitlementsInherit).toBe(config.mac?.entitlements);
    expect(plist).toMatch(/<plist version="1.0">[\s\S]*<dict>[\s\S]*<\/dict>\s*<\/plist>/);
    expect(plist).toContain('<key>com.apple.security.cs.allow-jit</key>');
    expect(plist).not.toMatch(/device\.camera|device\.audio-input|personal-information/);
  });
});
