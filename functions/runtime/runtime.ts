import { createGitHubClient, type GitHubClient } from '../github/client.ts';
import { detectGhesVersion, supportsHideSecret } from '../github/ghes.ts';
import { DynamoStore } from '../store/dynamo-store.ts';
import type { Log } from '../use-cases/log.ts';
import { type AwsClients, buildAwsClients, resolveGitHubAuth } from './clients.ts';
import { type RuntimeConfig, readRuntimeConfig } from './config.ts';

export { createLogger } from './logger.ts';

/** Everything a handler needs, built once per cold start and reused by warm invocations. */
export interface Runtime {
  config: RuntimeConfig;
  clients: AwsClients;
  store: DynamoStore;
  github(): Promise<GitHubClient>;
  /** Whether the secret scanning lists honour hide_secret (github.com, GHES 3.18+). */
  hideSecret(): Promise<boolean>;
}

/**
 * @example
 * const runtime = createRuntime(readRuntimeConfig(process.env));
 */
export function createRuntime(config: RuntimeConfig, log?: Log): Runtime {
  const clients = buildAwsClients(config);
  let gh: Promise<GitHubClient> | undefined;
  let hide: Promise<boolean> | undefined;
  const github = (): Promise<GitHubClient> => {
    gh ??= resolveGitHubAuth(config, clients).then((auth) =>
      createGitHubClient({
        auth,
        baseUrl: config.GITHUB_API_URL,
        onWarning: (message, details) => log?.warn(message, details),
      }),
    );
    gh.catch(() => {
      gh = undefined;
    });
    return gh;
  };
  return {
    config,
    clients,
    store: new DynamoStore(clients.dynamodb, config.TABLE_NAME),
    github,
    hideSecret: () => {
      // github.com always honours it; only GHES needs asking (one request, once per cold start).
      hide ??=
        new URL(config.GITHUB_API_URL).hostname === 'api.github.com'
          ? Promise.resolve(true)
          : github().then(detectGhesVersion).then(supportsHideSecret);
      hide.catch(() => {
        hide = undefined;
      });
      return hide;
    },
  };
}

/** A lazily built runtime from `process.env`, for the Lambda handlers. */
export function lazyRuntime(log?: Log): () => Runtime {
  let runtime: Runtime | undefined;
  return () => {
    runtime ??= createRuntime(readRuntimeConfig(process.env), log);
    return runtime;
  };
}
