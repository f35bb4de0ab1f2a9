/** Messages between the benchmark's processes (over Node's IPC channel) and how to start them. */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** One paginated listing as the simulator should count it: a path under the API root and its query. */
export interface ListQuery {
  id: string;
  path: string;
  query: Record<string, string>;
  /** Count only items updated (audit log: created) at or after this instant (ms), as an incremental run reads them. */
  sinceMs?: number;
}

export type SimRequest =
  | { type: 'stats' }
  | { type: 'change'; count: number; at: string; now: string; seed: number }
  | { type: 'setNow'; now: string }
  | { type: 'listTotals'; lists: ListQuery[] }
  /** Forget the requests counted for GitHub's per-endpoint limit: the next run comes days later. */
  | { type: 'forgetRequests' }
  | { type: 'close' };

export interface SimStats {
  requests: number;
  /** CPU the simulator process has used so far, in seconds. */
  cpuSeconds: number;
  /** Requests by kind of path: `org`, `org:dependabot`, `repo:code-scanning`, `repos`, ... */
  byKind: Record<string, number>;
  /** Requests refused for GitHub's secondary rate limits (100 at once, 900 a minute per endpoint). */
  secondaryLimited: number;
  /** The most requests one endpoint had within a minute since the last `forgetRequests`. */
  peakPerEndpoint: { endpoint: string; requests: number };
  /** Answers that left later than the latency after their request arrived (the simulator's own work took longer). */
  late: number;
  /** The most any answer left late since the last `forgetRequests` (ms). */
  latestMs: number;
}

export interface SimReady {
  type: 'ready';
  url: string;
  token: string;
  org: string;
  repositories: number;
  alerts: Record<'dependabot' | 'secret_scanning' | 'code_scanning', number>;
  /** Secret scanning alerts of non-provider (generic) types: the second secret scanning lane. */
  nonProviderSecrets: number;
  auditEvents: number;
  generateMs: number;
  endsAt: string;
}

export type SimResponse =
  | SimReady
  | { type: 'stats'; stats: SimStats }
  | { type: 'changed'; changes: number; byType: Record<string, number>; auditEventsAdded: number }
  | { type: 'ok' }
  | { type: 'listTotals'; totals: Record<string, number> }
  | { type: 'error'; message: string };

/**
 * Starts a TypeScript file of this folder in its own Node process, under tsx, with IPC.
 * BENCH_CPU_PROF=<dir> writes each child's CPU profile there (Node refuses it in NODE_OPTIONS).
 * The AWS SDK's notice that its 2027 releases need Node 22 is turned off with its own switch: the
 * Lambdas run Node 22, and here it would repeat in every child's output.
 */
export function forkTs(file: string, env: Record<string, string> = {}): ChildProcess {
  const path = fileURLToPath(new URL(file, import.meta.url));
  const profile = process.env.BENCH_CPU_PROF;
  return fork(path, [], {
    execArgv: ['--import', 'tsx', ...(profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [])],
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

/** Sends one message (or none) and waits for the next answer of the child (one request at a time). */
export function ask<T>(child: ChildProcess, message: unknown | null): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (answer: unknown) => {
      cleanup();
      const a = answer as { type?: string; message?: string };
      if (a.type === 'error') reject(new Error(a.message));
      else resolve(answer as T);
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`child process exited with code ${code} before answering`));
    };
    const cleanup = () => {
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
    if (message !== null) child.send(message as object);
  });
}

/** Waits for the message a child sends by itself once it is ready. */
export function readyMessage<T>(child: ChildProcess): Promise<T> {
  return ask<T>(child, null);
}
