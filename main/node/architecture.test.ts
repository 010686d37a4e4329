/** The architecture fence, checked: services never import electron, and lint says so too. */
import { ESLint } from 'eslint';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '..', '..');
const plainNode = ['main/node', 'main/common', 'main/cli', 'main/host', 'native-workers'];

function* tsFiles(dir: string): Generator<string> {
  if (!fs.existsSync(dir)) return;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) yield* tsFiles(p);
    else if (/\.tsx?$/.test(e.name)) yield p;
  }
}

describe('architecture', () => {
  it('no core, CLI, host or worker file imports electron', () => {
    const offenders: string[] = [];
    for (const dir of plainNode)
      for (const file of tsFiles(path.join(root, dir))) {
        if (/from\s+['"]electron(\/[^'"]*)?['"]|require\(\s*['"]electron['"]\s*\)/.test(fs.readFileSync(file, 'utf8'))) offenders.push(path.relative(root, file));
      }
    expect(offenders).toEqual([]);
  });

  it('the lint rule rejects an electron import in service code and allows it in the Electron shell', async () => {
    const eslint = new ESLint({ cwd: root });
    const code = `import { app } from '${'elec' + 'tron'}';\nexport const name = app.getName();\n`;
    const [service] = await eslint.lintText(code, { filePath: path.join(root, 'main/node/example.ts') });
    expect(service!.messages.map((m) => m.ruleId)).toContain('no-restricted-imports');
    const [shell] = await eslint.lintText(code, { filePath: path.join(root, 'main/electron-main/example.ts') });
    expect(shell!.messages.map((m) => m.ruleId)).not.toContain('no-restricted-imports');
  });
});
