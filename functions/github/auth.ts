/**
 * How alert-ledger authenticates to GitHub: a token (classic or fine-grained PAT), or a GitHub
 * App installation, whose short-lived tokens `@octokit/auth-app` creates and this module renews
 * before they expire. Credentials are checked before the first request so a wrong key or id
 * fails with a message that says what to fix. No message here ever contains a token or a key.
 */
import { createPrivateKey, type KeyObject, sign } from 'node:crypto';
import { createAppAuth } from '@octokit/auth-app';
import { Octokit } from '@octokit/rest';
import { mapGitHubError } from './alerts.ts';
import { GitHubAuthError, GitHubError, GitHubPermissionError } from './errors.ts';

/**
 * Octokit logs every failed request; failures reach callers as mapped errors instead, and request
 * logs could carry URLs with query strings the caller did not mean to print.
 */
export const SILENT_OCTOKIT_LOG = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

export type GitHubAuth =
  | { kind: 'token'; token: string }
  | {
      kind: 'app';
      /** The App's numeric id (App settings, "App ID"), not its client id. */
      appId: number;
      /** The App's private key, PEM (PKCS#1 or PKCS#8); `\n` escapes from env vars are accepted. */
      privateKey: string;
      /**
       * The installation to read through (the number at the end of its settings URL); null: each
       * organisation's own installation, found with `findInstallationId` (an App installed on
       * several organisations has one installation on each).
       */
      installationId: number | null;
    };

/** Where each credential comes from, for messages that say what to change. */
const APP_ENV = {
  appId: 'GITHUB_APP_ID',
  privateKey: 'GITHUB_APP_PRIVATE_KEY',
  installationId: 'GITHUB_APP_INSTALLATION_ID',
} as const;

/**
 * A PEM as it arrives from an environment variable or a secret: literal `\n` sequences, CRLF
 * line ends, surrounding quotes and blanks are all common and all harmless.
 */
export function normalisePrivateKey(raw: string): string {
  let pem = raw.trim();
  if ((pem.startsWith('"') && pem.endsWith('"')) || (pem.startsWith("'") && pem.endsWith("'"))) {
    pem = pem.slice(1, -1).trim();
  }
  return `${pem.replace(/\\n/g, '\n').replace(/\r\n/g, '\n').trim()}\n`;
}

function positiveInteger(value: number): boolean {
  return Number.isSafeInteger(value) && value > 0;
}

/**
 * Checks App credentials before any request: the ids are positive integers and the key is an
 * RSA private key that can sign (GitHub App JWTs are RS256). Returns the normalised PEM.
 *
 * @throws GitHubAuthError naming the setting to fix, never quoting it.
 */
export function checkAppCredentials(auth: Extract<GitHubAuth, { kind: 'app' }>): string {
  if (!positiveInteger(auth.appId)) {
    throw new GitHubAuthError(
      `${APP_ENV.appId} must be the GitHub App's numeric App ID (App settings > General > "App ID"), not its client ID or name.`,
    );
  }
  if (auth.installationId !== null && !positiveInteger(auth.installationId)) {
    throw new GitHubAuthError(
      `${APP_ENV.installationId} must be the numeric id of the App's installation on the organisation: the number at the end of https://github.com/organizations/ORG/settings/installations/ID.`,
    );
  }
  const pem = normalisePrivateKey(auth.privateKey);
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw new GitHubAuthError(
      `${APP_ENV.privateKey} is not a readable PEM private key. Use the .pem file GitHub generated for the App (App settings > Private keys), whole, from "-----BEGIN" to the "-----END" line; in an environment variable newlines may be written as \\n.`,
    );
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw new GitHubAuthError(
      `${APP_ENV.privateKey} is a ${key.asymmetricKeyType ?? 'non-RSA'} key; GitHub App keys are RSA. Use the .pem file GitHub generated for the App.`,
    );
  }
  try {
    sign('sha256', Buffer.from('alert-ledger'), key);
  } catch {
    throw new GitHubAuthError(
      `${APP_ENV.privateKey} cannot sign: use the App's private key, not a public key.`,
    );
  }
  return pem;
}

/**
 * The credentials from the environment: `GITHUB_TOKEN`, or `GITHUB_APP_ID` +
 * `GITHUB_APP_PRIVATE_KEY` (+ `GITHUB_APP_INSTALLATION_ID` to name one installation; without it,
 * each organisation's installation is looked up). A token wins when both are set.
 *
 * @example
 * const auth = gitHubAuthFromEnv(process.env);
 */
export function gitHubAuthFromEnv(env: Record<string, string | undefined>): GitHubAuth {
  const token = env.GITHUB_TOKEN?.trim();
  if (token) return { kind: 'token', token };
  const appId = env[APP_ENV.appId]?.trim();
  const privateKey = env[APP_ENV.privateKey];
  const installationId = env[APP_ENV.installationId]?.trim();
  if (!appId && !privateKey && !installationId) {
    throw new GitHubAuthError(
      `No GitHub credentials: set GITHUB_TOKEN, or ${APP_ENV.appId} and ${APP_ENV.privateKey} for a GitHub App.`,
    );
  }
  const missing = Object.entries({ appId, privateKey })
    .filter(([, value]) => !value)
    .map(([name]) => APP_ENV[name as keyof typeof APP_ENV]);
  if (missing.length > 0) {
    throw new GitHubAuthError(`GitHub App credentials are incomplete: set ${missing.join(' and ')}.`);
  }
  const numeric = (name: keyof typeof APP_ENV, value: string | undefined): number => {
    const n = /^\d+$/.test(value ?? '') ? Number(value) : Number.NaN;
    if (!positiveInteger(n)) throw new GitHubAuthError(`${APP_ENV[name]} must be a number.`);
    return n;
  };
  return {
    kind: 'app',
    appId: numeric('appId', appId),
    privateKey: privateKey ?? '',
    installationId: installationId ? numeric('installationId', installationId) : null,
  };
}

/**
 * The id of the App's installation on `org` (`GET /orgs/{org}/installation`, as the App itself,
 * with its JWT): what an App installed on several organisations reads each one through.
 *
 * @throws GitHubAuthError when the App is not installed there (404) or its credentials are refused.
 * @example
 * const id = await findInstallationId(auth, 'octo', 'https://api.github.com'); // 4242
 */
export async function findInstallationId(
  auth: Extract<GitHubAuth, { kind: 'app' }>,
  org: string,
  baseUrl: string,
): Promise<number> {
  const privateKey = checkAppCredentials(auth);
  const { token } = await createAppAuth({ appId: auth.appId, privateKey })({ type: 'app' });
  const app = new Octokit({
    auth: token,
    baseUrl,
    log: SILENT_OCTOKIT_LOG,
  });
  try {
    const { data } = await app.request('GET /orgs/{org}/installation', { org });
    if (!positiveInteger(data.id))
      throw new Error(`GitHub answered an installation without an id for ${org}`);
    return data.id;
  } catch (error) {
    const { status } = failure(error);
    if (status === 404) {
      throw new GitHubAuthError(
        `GitHub App ${auth.appId} is not installed on the organisation ${org} (404): install it there (https://github.com/organizations/${org}/settings/installations), or remove ${org} from ORGS.`,
        status,
        { cause: error },
      );
    }
    if (status === 401) {
      throw new GitHubAuthError(
        `GitHub refused the GitHub App's credentials (401) when looking up its installation on ${org}: check that ${APP_ENV.appId} (${auth.appId}) is the App's ID and ${APP_ENV.privateKey} is a current private key of that same App, and that this machine's clock is right.`,
        status,
        { cause: error },
      );
    }
    throw mapGitHubError(error, `look up GitHub App ${auth.appId}'s installation on ${org}`);
  }
}

/** GitHub's installation tokens live an hour; renew at most this long before they expire. */
const MAX_RENEW_MARGIN_MS = 5 * 60_000;

/**
 * The installation token cache handed to `@octokit/auth-app`. Its own cache keeps a token 59
 * minutes whatever `expires_at` says; this one drops it a little before `expires_at` (a tenth of
 * its life, at most five minutes), so a long snapshot never sends an expired token.
 */
export class ExpiringTokenCache {
  private readonly entries = new Map<string, string>();

  constructor(private readonly clock: () => number = Date.now) {}

  /** auth-app's value: `token|createdAt|expiresAt|...`; '' (falsy) is a miss. */
  get(key: string): string {
    const value = this.entries.get(key);
    if (value === undefined) return '';
    const [, createdAt = '', expiresAt = ''] = value.split('|');
    const expires = Date.parse(expiresAt);
    const created = Date.parse(createdAt);
    const life = Number.isNaN(created) ? 0 : Math.max(0, expires - created);
    const margin = Math.min(MAX_RENEW_MARGIN_MS, life / 10);
    if (Number.isNaN(expires) || this.clock() >= expires - margin) {
      this.entries.delete(key);
      return '';
    }
    return value;
  }

  set(key: string, value: string): void {
    this.entries.set(key, value);
  }

  /** Forgets every token: the next request creates a new one. */
  clear(): void {
    this.entries.clear();
  }
}

/** Octokit constructor options for `auth`: a plain token, or the App strategy. */
export type OctokitAuthOptions =
  | { auth: string }
  | { authStrategy: typeof createAppAuth; auth: Record<string, unknown> };

export interface AppAuthSetup {
  options: OctokitAuthOptions;
  /** Null for a token; the App's token cache otherwise (cleared to force a new token). */
  cache: ExpiringTokenCache | null;
}

/** Builds what `new Octokit(...)` needs for `auth`, checking App credentials first. */
export function octokitAuth(
  auth: GitHubAuth,
  warn: (message: string, details: Record<string, unknown>) => void,
): AppAuthSetup {
  if (auth.kind === 'token') {
    if (auth.token.trim() === '') throw new GitHubAuthError('The GitHub token is empty: set GITHUB_TOKEN.');
    return { options: { auth: auth.token.trim() }, cache: null };
  }
  const privateKey = checkAppCredentials(auth);
  if (auth.installationId === null) {
    throw new GitHubAuthError(
      `No installation to read through: set ${APP_ENV.installationId}, or name the organisation so that its installation is looked up.`,
    );
  }
  const cache = new ExpiringTokenCache();
  return {
    cache,
    options: {
      authStrategy: createAppAuth,
      auth: {
        appId: auth.appId,
        privateKey,
        installationId: auth.installationId,
        cache,
        // auth-app only warns about retries and clock skew; its messages carry no credentials.
        log: { warn: (message: string) => warn(message, { appId: auth.appId }) },
      },
    },
  };
}

const ACCESS_TOKEN_PATH = /\/app\/installations\/\d+\/access_tokens(?:\?|$)/;

function failure(error: unknown): { status: number | null; url: string } {
  const e = error as { status?: unknown; request?: { url?: unknown } } | null;
  return {
    status: typeof e?.status === 'number' ? e.status : null,
    url: typeof e?.request?.url === 'string' ? e.request.url : '',
  };
}

/** True when a failure came from creating the installation token, not from the request itself. */
export function isTokenCreationFailure(error: unknown): boolean {
  return ACCESS_TOKEN_PATH.test(failure(error).url);
}

/**
 * The adapter error for a failure that only an App has, or undefined to let the caller map it:
 * the App's JWT refused, the installation gone, an enterprise endpoint (never open to Apps).
 */
export function mapAppFailure(
  error: unknown,
  auth: Extract<GitHubAuth, { kind: 'app' }>,
): GitHubError | undefined {
  if (error instanceof GitHubError) return error;
  const { status, url } = failure(error);
  if (ACCESS_TOKEN_PATH.test(url)) {
    if (status === 401) {
      return new GitHubAuthError(
        `GitHub refused the GitHub App's credentials (401) when creating an installation token: check that ${APP_ENV.appId} (${auth.appId}) is the App's ID and ${APP_ENV.privateKey} is a current private key of that same App (keys deleted in the App settings stop working), and that this machine's clock is right.`,
        status,
        { cause: error },
      );
    }
    if (status === 404) {
      return new GitHubAuthError(
        `GitHub App ${auth.appId} has no installation ${auth.installationId} (404): check ${APP_ENV.installationId}, and that the App is still installed on the organisation.`,
        status,
        { cause: error },
      );
    }
    if (status === 403 || status === 422) {
      return new GitHubPermissionError(
        `GitHub refused an installation token for installation ${auth.installationId} (${status}): the installation may be suspended, or the App lacks the permissions it asks for.`,
        status,
        { cause: error },
      );
    }
    return undefined;
  }
  if (status === 403 && /\/enterprises\//.test(url)) {
    return new GitHubPermissionError(
      'Enterprise-level alert lists and the enterprise audit log cannot be read with a GitHub App: GitHub refuses installation tokens there (403 "Resource not accessible by integration"). Use a token for --enterprise (GITHUB_TOKEN of an enterprise owner or security manager, classic with the read:enterprise and security_events scopes), or snapshot each organisation with --org and the App.',
      status,
      { cause: error },
    );
  }
  if (status === 401) {
    return new GitHubAuthError(
      `GitHub rejected the GitHub App's installation token (401) even after a new one was created: check that installation ${auth.installationId} is not suspended and that the App is still installed.`,
      status,
      { cause: error },
    );
  }
  return undefined;
}
