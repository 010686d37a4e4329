/**
 * Test-only job entry: tries to read the file named in <jobDir>/probe.json from outside the job folder and to reach
 * the network, and prints what happened as one JSON line. Run through sandbox.ts exactly like a real job.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

const jobDir = process.argv[2]!;
const { outside, port } = JSON.parse(fs.readFileSync(path.join(jobDir, 'probe.json'), 'utf8')) as { outside: string; port: number };
const result: Record<string, string> = {};
try {
  result.read = `read:${fs.readFileSync(outside, 'utf8').trim()}`;
} catch (err) {
  result.read = `denied:${(err as NodeJS.ErrnoException).code ?? 'error'}`;
}
try {
  result.list = `listed:${fs.readdirSync(path.dirname(outside)).length}`;
} catch (err) {
  result.list = `denied:${(err as NodeJS.ErrnoException).code ?? 'error'}`;
}
fs.writeFileSync(path.join(jobDir, 'probe-wrote.txt'), 'ok');
const sock = net.connect({ host: '127.0.0.1', port }, () => {
  result.net = 'connected';
  sock.destroy();
  done();
});
sock.on('error', (err: NodeJS.ErrnoException) => {
  result.net = `failed:${err.code ?? 'error'}`;
  done();
});
function done(): void {
  process.stdout.write(`${JSON.stringify({ seq: 1, type: 'probe', ...result })}\n`);
  process.exit(0);
}
