/**
 * `kraken train …` as a user runs it: child processes against the vision emulator (emulators/vision) on 127.0.0.1,
 * a fresh data folder, the address from KRAKEN_VISION_URL or --api, tokens in the 0600 file (KRAKEN_KEYCHAIN=off).
 * login from stdin, chat, start, watch to the end (exit 0) and to a failure (exit 1), status, logs, list, pull →
 * `kraken infer --model <id>` offline with the class names as labels, predict, cancel; refusals are one stderr line.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startVisionEmulator, type VisionEmulator } from '../../../emulators/vision';
import { openVisionKit } from '../../node/cloud/vision/kit';
import { CLASSES, classZip, subject } from '../../node/cloud/vision/scripted-platform.test-kit';

const root = path.resolve(__dirname, '..', '..', '..');
const source = path.join(root, 'main', 'cli', 'index.ts');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-cli-train-'));
const dataDir = path.join(work, 'data');
const USER = { email: 'cli@example.com', password: 'Cli-Pass-2026!' };
let em: VisionEmulator;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function kraken(args: string[], o: { stdin?: string; env?: Record<string, string | undefined> } = {}): Promise<Run> {
  return new Promise((resolve) => {
    const all: Record<string, string | undefined> = { ...process.env, KRAKEN_DATA_DIR: dataDir, KRAKEN_VISION_URL: em.url, KRAKEN_EMULATOR_VISION_URL: undefined, KRAKEN_KEYCHAIN: 'off', ...o.env };
    for (const [k, v] of Object.entries(all)) if (v === undefined) delete all[k];
    const child = spawn(process.execPath, ['--import', 'tsx', source, ...args], { cwd: root, env: all });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(o.stdin ?? '');
  });
}

function oneErrorLine(r: Run, pattern: RegExp): void {
  expect(r.code, r.stdout + r.stderr).toBe(1);
  const lines = r.stderr.trim().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
}

/** Uploads the three-subject dataset through the same library and vault the CLI uses; the platform's dataset id. */
async function dataset(): Promise<string> {
  const zip = await classZip(path.join(work, 'subjects.zip'), 10);
  const k = openVisionKit({ dataDir, env: { KRAKEN_VISION_URL: em.url }, keychain: false });
  try {
    const d = await k.service.uploadDataset(zip, { name: 'subjects', format: 'imagefolder' });
    await em.waitForDataset(d.datasetId, 20_000);
    return d.datasetId;
  } finally {
    k.close();
  }
}

beforeAll(async () => {
  em = await startVisionEmulator({ quiet: true, epochDelayMs: 20 });
  em.createUser({ ...USER, plan: 'pro' });
}, 60_000);

afterAll(async () => {
  await em?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

describe('kraken train', () => {
  it('answers --help for the group and each command; bad input is refused before anything is sent (exit 2)', async () => {
    const group = await kraken(['train', '--help']);
    expect(group.code).toBe(0);
    for (const c of ['login', 'chat', 'start', 'list', 'status', 'watch', 'logs', 'cancel', 'pull', 'predict']) expect(group.stdout).toContain(`train ${c}`);
    em.clearRequests();
    const bad = await kraken(['train', 'start', '--dataset', 'ds_1', '--model', 'resnet50', '--task', 'regression', '--classes', 'a,b']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--task takes classification, detection or segmentation/);
    const pw = await kraken(['train', 'login', '--email', USER.email, USER.password]);
    expect(pw.code).toBe(2);
    expect(pw.stderr).toMatch(/password is read from stdin only/);
    expect(em.requests().filter((r) => !r.path.includes('__emulator'))).toEqual([]);
  }, 60_000);

  it('login from stdin, chat, start → watch to the end (exit 0, every epoch), status, logs, list, pull → kraken infer offline, predict', async () => {
    const login = await kraken(['train', 'login', '--email', USER.email, '--password-stdin'], { stdin: `${USER.password}\n` });
    expect(login.code, login.stderr).toBe(0);
    expect(login.stdout).toContain(USER.email);
    // No token or password in the library or the output.
    const db = fs.readFileSync(path.join(dataDir, 'studio.db')).toString('latin1');
    expect(db).not.toContain(USER.password);
    expect(login.stdout + login.stderr).not.toMatch(/eyJ|access_token/);

    const chat = await kraken(['train', 'chat', 'ResNet50으로 고양이 3종류 분류하는 모델 만들어줘', '--json']);
    expect(chat.code, chat.stderr).toBe(0);
    const reply = JSON.parse(chat.stdout) as { type: string; sessionId: string; questions: { field: string }[] };
    expect(reply.type).toBe('clarification_needed');
    expect(reply.questions.map((q) => q.field)).toContain('class_names');

    const datasetId = await dataset();
    const start = await kraken(['train', 'start', '--dataset', datasetId, '--model', 'resnet50', '--task', 'classification', '--classes', CLASSES.join(','), '--epochs', '6', '--lr', '0.01', '--name', 'cli subjects']);
    expect(start.code, start.stderr).toBe(0);
    const id = start.stdout.trim();
    expect(id).toMatch(/\S+/);
    expect(start.stderr).toContain(`kraken train watch ${id}`);

    const watch = await kraken(['train', 'watch', id]);
    expect(watch.code, watch.stderr).toBe(0);
    const epochs = watch.stdout.split('\n').filter((l) => l.startsWith('epoch ')).map((l) => Number(/^epoch (\d+)/.exec(l)![1]));
    expect(epochs).toEqual([1, 2, 3, 4, 5, 6]);
    expect(watch.stdout.trim().split('\n').at(-1)).toMatch(new RegExp(`^${id}  completed`));

    // --api instead of the environment (the same address, so the same saved sign-in).
    const status = await kraken(['train', 'status', id, '--json', '--api', em.url], { env: { KRAKEN_VISION_URL: undefined } });
    expect(JSON.parse(status.stdout)).toMatchObject({ workflowId: id, state: 'completed', classNames: CLASSES });
    const logs = await kraken(['train', 'logs', id, '--tail', '3', '--json']);
    expect(JSON.parse(logs.stdout).logs.length).toBeLessThanOrEqual(3);
    const list = await kraken(['train', 'list', '--status', 'completed']);
    expect(list.stdout).toContain(id);

    const pull = await kraken(['train', 'pull', id]);
    expect(pull.code, pull.stderr).toBe(0);
    const modelId = pull.stdout.trim();
    const img = path.join(work, 'disc.png');
    fs.writeFileSync(img, await subject(2, 500, 64));
    const infer = await kraken(['infer', '--model', modelId, img, '--jsonl']);
    expect(infer.code, infer.stderr).toBe(0);
    const result = infer.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type?: string; output?: { top?: { label: string }[] } })
      .find((l) => l.output?.top);
    expect(result!.output!.top![0]!.label).toBe('green-disc');

    const predict = await kraken(['train', 'predict', id, img]);
    expect(predict.code, predict.stderr).toBe(0);
    expect(predict.stdout).toMatch(/green-disc \d+\.\d%/);
  }, 180_000);

  it('cancel; watch exits 1 on training_error; an unknown workflow and a missing address are one stderr line, exit 1', async () => {
    const datasetId = await dataset();
    const k = openVisionKit({ dataDir, env: { KRAKEN_VISION_URL: em.url }, keychain: false });
    let id: string;
    let other: string;
    try {
      id = (await k.service.createWorkflow({ name: 'fails', taskType: 'classification', model: 'resnet50', datasetId, classNames: CLASSES, hyperparameters: { epochs: 200 } }, { follow: false })).workflowId;
      other = (await k.service.createWorkflow({ name: 'cancelled', taskType: 'classification', model: 'resnet50', datasetId, classNames: CLASSES, hyperparameters: { epochs: 200 } }, { follow: false })).workflowId;
    } finally {
      k.close();
    }
    const cancel = await kraken(['train', 'cancel', other, '--json']);
    expect(cancel.code, cancel.stderr).toBe(0);
    expect(JSON.parse(cancel.stdout)).toMatchObject({ workflowId: other, state: 'cancelled' });
    const watching = kraken(['train', 'watch', id]);
    await em.waitForWorkflow(id, ['training'], 30_000);
    em.failWorkflow(id, 'GPU fell off the bus');
    const watch = await watching;
    expect(watch.code).toBe(1);
    expect(watch.stdout).toMatch(/failed.*GPU fell off the bus/);

    const missing = await kraken(['train', 'status', 'wf_does_not_exist']);
    oneErrorLine(missing, /^kraken train: .*\[NOT_FOUND\]$/);
    const nowhere = await kraken(['train', 'list'], { env: { KRAKEN_VISION_URL: undefined } });
    oneErrorLine(nowhere, /No vision training platform address: pass --api <url>, set KRAKEN_VISION_URL/);
  }, 120_000);
});
