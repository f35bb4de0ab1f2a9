import { readRuntimeConfig } from '../../runtime/config.ts';
import { createRuntime, type Runtime } from '../../runtime/runtime.ts';
import type { Log } from '../../use-cases/log.ts';
import { type LocalAws, startLocalAws } from '../local-aws.ts';

/**
 * Starts the AWS stand-ins under `dataDir` and builds the same runtime the Lambdas build, from
 * the environment plus the stand-ins' endpoints (and `overrides`, e.g. the simulated GitHub).
 */
export async function withLocalRuntime<T>(
  dataDir: string,
  log: Log,
  overrides: Record<string, string>,
  work: (rt: Runtime, aws: LocalAws) => Promise<T>,
): Promise<T> {
  // Validate the configuration before starting anything.
  readRuntimeConfig({ ...process.env, TABLE_NAME: 'placeholder', ...overrides });
  const aws = await startLocalAws(dataDir);
  try {
    const rt = createRuntime(readRuntimeConfig({ ...process.env, ...aws.env, ...overrides }), log);
    await rt.store.ensureTable();
    return await work(rt, aws);
  } finally {
    await aws.close();
  }
}
