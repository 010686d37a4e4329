/** The control channel keeps a refusal's coded sentence (issue 15.12): the caller can show it in the creator's language. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../common/app-error';
import { say } from '../../common/messages';
import { askAgent, serveControl, type ControlServer } from './control-socket';

let server: ControlServer | null = null;
let dir = '';
afterEach(async () => {
  await server?.close();
  server = null;
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('control socket', () => {
  it("a coded refusal arrives with its code and parameters; a plain one as its sentence; a second agent is refused with a coded sentence", async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-ctl-'));
    server = await serveControl(dir, async (cmd) => {
      if (cmd === 'pause') throw new AppError('INVALID_INPUT', say('contributor.consent_changed', {}));
      if (cmd === 'resume') throw new Error('plain words');
      return { cmd };
    });
    expect(await askAgent(dir, 'status')).toEqual({ cmd: 'status' });
    await expect(askAgent(dir, 'pause')).rejects.toMatchObject({
      code: 'INTERNAL',
      message: 'The consent text changed; read it again before turning donating on.',
      messageCode: 'contributor.consent_changed',
      messageParams: {},
    });
    const plain = await askAgent(dir, 'resume').catch((e: unknown) => e as AppError);
    expect(plain).toMatchObject({ code: 'INTERNAL', message: 'plain words' });
    expect((plain as AppError).messageCode).toBeUndefined();
    if (process.platform !== 'win32') {
      await expect(serveControl(dir, async () => null)).rejects.toMatchObject({ code: 'CONFLICT', messageCode: 'contributor.agent_running', messageParams: { dir } });
    }
  });
});
