import type { AlertType, StreamName } from '../core/model.ts';
import type { GitHubClient } from './client.ts';
import {
  GitHubAuthError,
  GitHubError,
  GitHubFeatureUnavailableError,
  GitHubNotFoundError,
  GitHubPermissionError,
  GitHubRateLimitError,
  GitHubUnavailableError,
} from './errors.ts';

/**
 * Secret types GitHub returns only when a request names them (non-provider patterns, GitHub
 * changelog 2024-08-06). Without this second listing a collector silently misses those alerts.
 */
export const NON_PROVIDER_SECRET_TYPES = [
  'password',
  'http_basic_authentication_header',
  'http_bearer_authentication_header',
  'mongodb_connection_string',
  'mysql_connection_string',
  'postgres_connection_string',
  'generic_private_key',
  'rsa_private_key',
  'ec_private_key',
  'openssh_private_key',
  'pgp_private_key',
] as const;

/** What each stream needs, for the 403 message: classic token scope and GitHub App permission. */
export const STREAM_PERMISSIONS: Record<StreamName, string> = {
  dependabot:
    'a classic token needs the `security_events` scope (or `repo`); a fine-grained token or GitHub App needs "Dependabot alerts: read"',
  secret_scanning:
    'a classic token needs the `security_events` scope (or `repo`); a fine-grained token or GitHub App needs "Secret scanning alerts: read"',
  code_scanning:
    'a classic token needs the `security_events` scope; a fine-grained token or GitHub App needs "Code scanning alerts: read"',
  audit_log:
    'a classic token needs the `read:audit_log` scope; a GitHub App needs "Administration: read" on the organisation (Enterprise Cloud or GHES only)',
};

function statusOf(error: unknown): number | null {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : null;
}

/** The longest part of what GitHub said that a message quotes. */
const QUOTED_MAX = 200;

/**
 * What GitHub said, to quote in a message: the `message` of its JSON answer, on one line and cut
 * at QUOTED_MAX characters, or the failure's own words when there was no answer (a network
 * error). Never an answer's raw body, which Octokit makes the error's message when it is not
 * JSON: a proxy's or load balancer's error page can echo the request's headers, token included,
 * and the message goes on to manifests, reports and logs.
 *
 * @example
 * gitHubSays(new RequestError('<html>…', 502, { request, response: { data: '<html>…' } })); // ''
 */
export function gitHubSays(error: unknown): string {
  const response = (error as { response?: { data?: unknown } } | null)?.response;
  const data = response?.data;
  const said =
    response === undefined
      ? error instanceof Error
        ? error.message
        : String(error)
      : typeof data === 'object' &&
          data !== null &&
          typeof (data as { message?: unknown }).message === 'string'
        ? (data as { message: string }).message
        : '';
  const line = said.replace(/\s+/g, ' ').trim();
  return line.length > QUOTED_MAX ? `${line.slice(0, QUOTED_MAX)}…` : line;
}

/** Maps an Octokit failure to this adapter's errors, saying what to do next. */
export function mapGitHubError(error: unknown, what: string, stream?: StreamName): GitHubError {
  if (error instanceof GitHubError) return error;
  const status = statusOf(error);
  // Read for the words "rate limit" only: what is quoted is `gitHubSays`.
  const message = error instanceof Error ? error.message : String(error);
  const says = gitHubSays(error);
  const code = (s: number | string) => (says ? `${s}: ${says}` : String(s));
  const headers = (error as { response?: { headers?: Record<string, string | undefined> } } | null)?.response
    ?.headers;
  if (
    (status === 403 || status === 429) &&
    (headers?.['x-ratelimit-remaining'] === '0' || headers?.['retry-after'] || /rate limit/i.test(message))
  ) {
    // A secondary limit says how long to wait in `retry-after`; a primary one, when it resets.
    const retryAfter = Number(headers?.['retry-after']);
    const reset = Number(headers?.['x-ratelimit-reset']);
    const resetAt =
      Number.isFinite(retryAfter) && retryAfter > 0
        ? new Date(Date.now() + retryAfter * 1000).toISOString()
        : Number.isFinite(reset) && reset > 0
          ? new Date(reset * 1000).toISOString()
          : null;
    return new GitHubRateLimitError(
      `GitHub's rate limit stopped the attempt to ${what}${resetAt ? ` until ${resetAt}` : ''}; the snapshot resumes from its checkpoint on the next run.`,
      status,
      resetAt,
      { cause: error },
    );
  }
  if (status === 401) {
    return new GitHubAuthError(
      `GitHub rejected the token while trying to ${what} (401): the token is invalid or expired. Create a new one and set it as GITHUB_TOKEN, or in the secret GITHUB_TOKEN_SECRET_ARN names.`,
      status,
      { cause: error },
    );
  }
  if ((status === 403 || status === 404) && stream) {
    return new GitHubFeatureUnavailableError(
      `${stream} is not available for ${what} (${code(status)}). Either the feature is not enabled, or ${STREAM_PERMISSIONS[stream]}.`,
      status,
      { cause: error },
    );
  }
  if (status === 403) {
    return new GitHubPermissionError(
      `GitHub refused to ${what} (${code(403)}). Check that the token can read the organisation and its security alerts.`,
      status,
      { cause: error },
    );
  }
  if (status === 404) {
    return new GitHubNotFoundError(
      `GitHub could not find what was needed to ${what} (404). Check the organisation name, and that the token belongs to a member of it.`,
      status,
      { cause: error },
    );
  }
  if (status === null || status >= 500 || status === 429) {
    return new GitHubUnavailableError(
      `GitHub did not answer while trying to ${what} (${code(status ?? 'no response')}). Retries were exhausted; run again later, the snapshot resumes safely.`,
      status,
      { cause: error },
    );
  }
  if (status === 400 || status === 422) {
    return new GitHubError(
      `GitHub refused the request to ${what} as invalid (${code(status)}). This snapshot is recorded incomplete and the next run asks again; if it keeps happening, check that GITHUB_API_URL names the right server and that its version is one alert-ledger supports (GHES 3.17 or later).`,
      status,
      { cause: error },
    );
  }
  return new GitHubError(`GitHub failed to ${what} (${code(status)}).`, status, { cause: error });
}

/** Checks the organisation exists and the token can see it, before anything is written. */
export async function checkOrganisation(gh: GitHubClient, org: string): Promise<void> {
  try {
    await gh.request('GET /orgs/{org}', { org });
  } catch (error) {
    if (statusOf(error) === 404) {
      throw new GitHubNotFoundError(
        `Organisation "${org}" was not found (404). Check the spelling of --org, and that the token's owner is a member of it.`,
        404,
        { cause: error },
      );
    }
    throw mapGitHubError(error, `read organisation ${org}`);
  }
}

const ALERT_ROUTES: Record<AlertType, string> = {
  dependabot: 'GET /repos/{owner}/{repo}/dependabot/alerts/{alert_number}',
  secret_scanning: 'GET /repos/{owner}/{repo}/secret-scanning/alerts/{alert_number}',
  code_scanning: 'GET /repos/{owner}/{repo}/code-scanning/alerts/{alert_number}',
};

/**
 * One alert as GitHub reports it now (its raw object, the secret left out where the server can),
 * or null when GitHub no longer gives it: the alert, its repository or the feature is gone, or the
 * token may no longer read it (403/404).
 *
 * @throws GitHubError (mapped) for anything else: 401, rate limits, 5xx after retries.
 * @example
 * const raw = await fetchAlert(gh, 'code_scanning', 'octo/app', 3, { hideSecret: true });
 */
export async function fetchAlert(
  gh: GitHubClient,
  alertType: AlertType,
  repository: string,
  number: number,
  options: {
    hideSecret: boolean /** Retries of a 5xx or timeout (default: the client's). */;
    retries?: number;
  },
): Promise<Record<string, unknown> | null> {
  const [owner = '', repo = ''] = repository.split('/');
  const params = {
    owner,
    repo,
    alert_number: number,
    ...(alertType === 'secret_scanning' && options.hideSecret ? { hide_secret: true } : {}),
    ...(options.retries === undefined ? {} : { request: { retries: options.retries } }),
  };
  try {
    const res = await gh.request(ALERT_ROUTES[alertType], params);
    const data: unknown = res.data;
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      throw new GitHubError(
        `GitHub answered the request for ${alertType} alert ${repository} #${number} with something that is not an alert object; it is asked again on the next snapshot.`,
        res.status,
      );
    }
    return data as Record<string, unknown>;
  } catch (error) {
    const mapped = mapGitHubError(error, `read ${alertType} alert ${repository} #${number}`, alertType);
    if (mapped instanceof GitHubFeatureUnavailableError) return null;
    throw mapped;
  }
}
