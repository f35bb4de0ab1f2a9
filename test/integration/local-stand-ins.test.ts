import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { findFreePort, ownsListeningPort, startDynamoStandIn } from '../../infra/local/dynamodb.ts';

/** Whether `pid` is a running process (a zombie, dead but not yet reaped, counts as gone). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc: kill(0) is all there is
  }
}

describe('local stand-ins', () => {
  const dir = mkdtempSync(join(tmpdir(), 'alert-ledger-stand-in-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('stops DynamoDB Local when the process that started it is killed without closing it', async () => {
    // A process that starts DynamoDB Local, prints the Java process's id and waits, never closing it.
    const module = fileURLToPath(new URL('../../infra/local/dynamodb.ts', import.meta.url));
    const script = join(dir, 'starts-and-waits.mjs');
    writeFileSync(
      script,
      [
        `import { startDynamoStandIn } from ${JSON.stringify(module)};`,
        'const ddb = await startDynamoStandIn({ dataDir: null });',
        "process.stdout.write(String(ddb.pid) + '\\n');",
        'setInterval(() => {}, 1000);',
      ].join('\n'),
    );
    const parent = spawn(process.execPath, ['--import', 'tsx', script], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let java = 0;
    try {
      java = await new Promise<number>((resolve, reject) => {
        let out = '';
        let err = '';
        parent.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes('\n')) resolve(Number(out.trim()));
        });
        parent.stderr.on('data', (chunk: Buffer) => {
          err += chunk.toString();
        });
        parent.once('exit', (code) => reject(new Error(`the starting process exited (${code}): ${err}`)));
      });
      expect(java).toBeGreaterThan(0);
      expect(running(java)).toBe(true);
    } finally {
      parent.kill('SIGKILL');
    }
    const deadline = Date.now() + 20_000;
    while (running(java) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(running(java)).toBe(false);
  }, 60_000);

  /** An HTTP server answering an HTML page on a free port, as another stand-in's UI would. */
  async function htmlServer(): Promise<{ server: Server; port: number }> {
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html><body>not DynamoDB</body></html>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    return { server, port: typeof address === 'object' && address ? address.port : 0 };
  }

  it('moves DynamoDB Local to another port when the free one it found was taken before Java bound it', async () => {
    const { server, port: taken } = await htmlServer();
    const picked: number[] = [];
    try {
      const ddb = await startDynamoStandIn({
        dataDir: null,
        // The first port found free is taken by then (another stand-in got it); the next is free.
        pickPort: async (host) => {
          const port = picked.length === 0 ? taken : await findFreePort(host);
          picked.push(port);
          return port;
        },
      });
      try {
        expect(picked).toHaveLength(2);
        expect(ddb.endpoint).toBe(`http://127.0.0.1:${picked[1]}`);
        // The endpoint is DynamoDB, served by the Java process it reports.
        const res = await fetch(ddb.endpoint);
        expect(res.headers.get('content-type')).toBe('application/x-amz-json-1.0');
        expect(ownsListeningPort(ddb.pid as number, picked[1] as number)).toBe(true);
        expect(ownsListeningPort(ddb.pid as number, taken)).toBe(false);
      } finally {
        await ddb.close();
      }
    } finally {
      server.close();
    }
  }, 60_000);

  it('refuses a port given explicitly when something else answers there, or another DynamoDB Local holds it', async () => {
    const { server, port } = await htmlServer();
    try {
      await expect(startDynamoStandIn({ dataDir: null, port })).rejects.toThrow(
        `DynamoDB Local cannot use port ${port}: port ${port} answers, but not as DynamoDB. Stop what holds it, or leave the port out to pick a free one.`,
      );
    } finally {
      server.close();
    }
    const first = await startDynamoStandIn({ dataDir: null });
    try {
      const busy = Number(new URL(first.endpoint).port);
      await expect(startDynamoStandIn({ dataDir: null, port: busy })).rejects.toThrow(
        new RegExp(
          `DynamoDB Local cannot use port ${busy}: (another DynamoDB Local holds port|port ${busy} is taken)`,
        ),
      );
      // The first one still answers.
      expect((await fetch(first.endpoint)).headers.has('x-amzn-requestid')).toBe(true);
    } finally {
      await first.close();
    }
  }, 60_000);
});
