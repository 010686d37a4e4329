/**
 * Option plumbing the cloud commands share (`kraken cloud`, `kraken gpu`): `--api`, `--data-dir`, `--json`, `--help`,
 * strict parsing that names the usage line, whole-number options, and the data folder to open.
 */
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { defaultDataDir } from '../node/app-paths';
import { UsageError, type CliIo } from './cli-io';

export const CLOUD_COMMON = '[--api <url>] [--data-dir <dir>] [--json]';

export const cloudCommonOptions = {
  api: { type: 'string' },
  'data-dir': { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies ParseArgsConfig['options'];

/** Strict parse of the common options plus `options`; a bad option is a UsageError that ends with the usage line. */
export function parseCloudArgs<O extends ParseArgsConfig['options']>(argv: string[], options: O, usage: string) {
  try {
    return parseArgs({ args: argv, allowPositionals: true, strict: true, options: { ...cloudCommonOptions, ...options } });
  } catch (err) {
    throw new UsageError(`${(err as Error).message.split('\n')[0]} ${usage}`);
  }
}

/** A whole number from `min` to `max`, or undefined when the option is absent. */
export function wholeNumber(v: string | undefined, name: string, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${name} takes a whole number from ${min} to ${max}, not "${v}".`);
  return n;
}

/** `--data-dir`, else the studio's data folder. */
export function cliDataDir(values: { 'data-dir'?: string }, io: CliIo): string {
  return values['data-dir'] ? path.resolve(values['data-dir']) : defaultDataDir(io.env);
}
