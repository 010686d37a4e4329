/**
 * Every command and subcommand registered in main/cli/index.ts answers `--help` with exit 0 and its usage, without
 * needing its other arguments or a data folder. One child process walks them all (test-support/cli-help-walk.ts).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '..', '..');

interface Answer {
  argv: string[];
  code: number;
  out: string;
  err: string;
}

describe('kraken <command> --help', () => {
  it('answers for every command and subcommand: exit 0, usage text on stdout, nothing on stderr, no data folder made', () => {
    const dataDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-help-')), 'not-made');
    const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'test-support', 'cli-help-walk.ts')], {
      encoding: 'utf8',
      timeout: 120_000,
      cwd: root,
      env: { ...process.env, KRAKEN_HELP_WALK_DATA_DIR: dataDir },
    });
    expect(r.status, r.stderr).toBe(0);
    const answers = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Answer);
    const names = new Set(answers.map((a) => a.argv[0]));
    // The walk covers what the CLI registers (at least the commands of this test's time).
    for (const n of ['probe', 'extract', 'preflight', 'models', 'infer', 'sets', 'db']) expect(names).toContain(n);
    expect(answers.some((a) => a.argv.join(' ') === 'models import --help')).toBe(true);
    for (const a of answers) {
      const line = `kraken ${a.argv.join(' ')}`;
      expect({ line, code: a.code, err: a.err }).toEqual({ line, code: 0, err: '' });
      expect(a.out, line).toMatch(/usage: kraken/);
      if (a.argv[0] !== '--help') expect(a.out, line).toContain(`kraken ${a.argv[0]}`);
    }
    expect(fs.existsSync(dataDir)).toBe(false);
  });
});
