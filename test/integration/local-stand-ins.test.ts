import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

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
});
