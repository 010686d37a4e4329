/**
 * The browser host keeps the port it last served a data folder on, and asks for it again next time. The page's
 * origin (http://127.0.0.1:<port>) is where its local storage lives — the creator's place, the UI language before
 * the settings arrive — so a host that came back on another port looked like a fresh install. An explicit
 * `--port` (0 included: "any free port", what tests use) is obeyed and not remembered; a remembered port that is
 * taken now falls back to a free one, which is then remembered instead.
 */
import fs from 'node:fs';
import path from 'node:path';

export const PORT_FILE = 'host-port.json';

/** The port last remembered for this data folder, or null (none, unreadable, or not a port). */
export function rememberedPort(dataDir: string): number | null {
  try {
    const { port } = JSON.parse(fs.readFileSync(path.join(dataDir, PORT_FILE), 'utf8')) as { port?: unknown };
    return typeof port === 'number' && Number.isInteger(port) && port >= 1024 && port <= 65535 ? port : null;
  } catch {
    return null;
  }
}

/** Remembers the port (temp file + rename: never a half-written file). A folder we cannot write to only loses the memory. */
export function rememberPort(dataDir: string, port: number): void {
  const file = path.join(dataDir, PORT_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, `${JSON.stringify({ port })}\n`);
    fs.renameSync(tmp, file);
  } catch {
    fs.rmSync(tmp, { force: true });
  }
}

const inUse = (err: unknown) => ['EADDRINUSE', 'EACCES'].includes((err as NodeJS.ErrnoException)?.code ?? '');

/**
 * Starts the host: on `explicitPort` when one was given; otherwise on the remembered port, or a free one when
 * there is none or it is taken — and remembers where it ended up.
 */
export async function startOnRememberedPort<H>(dataDir: string, explicitPort: number | null, start: (port: number) => Promise<H>, portOf: (host: H) => number): Promise<H> {
  if (explicitPort !== null) return start(explicitPort);
  const wish = rememberedPort(dataDir);
  let host: H;
  if (wish === null) host = await start(0);
  else host = await start(wish).catch((err: unknown) => (inUse(err) ? start(0) : Promise.reject(err)));
  rememberPort(dataDir, portOf(host));
  return host;
}
