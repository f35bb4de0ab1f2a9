import { findInstallationId, type GitHubAuth } from '../github/auth.ts';
import { createGitHubClient, type GitHubClient } from '../github/client.ts';
import { detectGhesVersion, supportsHideSecret } from '../github/ghes.ts';
import { DynamoStore } from '../store/dynamo-store.ts';
import type { Log } from '../use-cases/log.ts';
import { type AwsClients, buildAwsClients, resolveGitHubAuth } from './clients.ts';
import { ConfigError, type RuntimeConfig, readRuntimeConfig } from './config.ts';

export { createLogger } from './logger.ts';

/** Everything a handler needs, built once per cold start and reused by warm invocations. */
export interface Runtime {
  config: RuntimeConfig;
  clients: AwsClients;
  store: DynamoStore;
  /**
   * The GitHub client for `org`: one shared client with a token or a named App installation;
   * with an App and no GITHUB_APP_INSTALLATION_ID, a client per organisation, through the App's
   * installation there (looked up once). Enterprise lists need a token and no `org`.
   */
  github(org?: string): Promise<GitHubClient>;
  /**
   * Drops the client `github(org)` gave (and the installation looked up for it) and the
   * credentials read, after GitHub refused them: the App may have been reinstalled or the token
   * rotated, and the next call reads and looks again.
   */
  forgetGitHub(org?: string): void;
  /** Whether the secret scanning lists honour hide_secret (github.com, GHES 3.18+). */
  hideSecret(org?: string): Promise<boolean>;
}

/**
 * @example
 * const runtime = createRuntime(readRuntimeConfig(process.env));
 */
export function createRuntime(config: RuntimeConfig, log?: Log): Runtime {
  const clients = buildAwsClients(config);
  let auth: Promise<GitHubAuth> | undefined;
  const resolvedAuth = (): Promise<GitHubAuth> => {
    auth ??= resolveGitHubAuth(config, clients);
    auth.catch(() => {
      auth = undefined;
    });
    return auth;
  };
  /** By organisation (lower-cased) when each has its own installation; '' for the shared client. */
  const gh = new Map<string, Promise<GitHubClient>>();
  let hide: Promise<boolean> | undefined;
  const github = async (org?: string): Promise<GitHubClient> => {
    const credentials = await resolvedAuth();
    const perOrg = credentials.kind === 'app' && credentials.installationId === null;
    const key = perOrg ? (org ?? '').toLowerCase() : '';
    let client = gh.get(key);
    if (!client) {
      client = (async () => {
        let chosen = credentials;
        if (chosen.kind === 'app' && chosen.installationId === null) {
          if (!org) {
            throw new ConfigError(
              'GITHUB_APP_INSTALLATION_ID is not set, so the App installation is looked up per organisation, and none was named: pass an organisation (--org, ORGS), or set GITHUB_APP_INSTALLATION_ID',
            );
          }
          chosen = {
            ...chosen,
            installationId: await findInstallationId(chosen, org, config.GITHUB_API_URL),
          };
          log?.info('GitHub App installation found', { org, installationId: chosen.installationId });
        }
        return createGitHubClient({
          auth: chosen,
          baseUrl: config.GITHUB_API_URL,
          onWarning: (message, details) => log?.warn(message, details),
        });
      })();
      gh.set(key, client);
      client.catch(() => gh.delete(key));
    }
    return client;
  };
  return {
    config,
    clients,
    store: new DynamoStore(clients.dynamodb, config.TABLE_NAME),
    github,
    forgetGitHub: (org?: string) => {
      gh.delete((org ?? '').toLowerCase());
      gh.delete('');
      // The credentials are read again too (a token rotated in Secrets Manager).
      auth = undefined;
    },
    hideSecret: (org?: string) => {
      // github.com always honours it; only GHES needs asking (one request, once per cold start).
      hide ??=
        new URL(config.GITHUB_API_URL).hostname === 'api.github.com'
          ? Promise.resolve(true)
          : github(org).then(detectGhesVersion).then(supportsHideSecret);
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
