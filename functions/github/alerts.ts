import type { AlertType, StreamName } from '../core/model.ts';
import type { GitHubClient } from './client.ts';
import {
  GitHubAuthError,
  GitHubError,
  GitHubFeatureUnavailableError,
  GitHubNotFoundError,
  GitHubPermissionError,
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

const ROUTES: Record<AlertType, string> = {
  dependabot: 'GET /orgs/{org}/dependabot/alerts',
  secret_scanning: 'GET /orgs/{org}/secret-scanning/alerts',
  code_scanning: 'GET /orgs/{org}/code-scanning/alerts',
};

/** The audit log actions alert-ledger reads (prefix qualifiers: each matches `prefix.*`). */
export const AUDIT_ACTION_PREFIXES = [
  'repository_vulnerability_alert',
  'secret_scanning_alert',
  'secret_scanning_push_protection',
  'code_scanning',
] as const;

function statusOf(error: unknown): number | null {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : null;
}

/** Maps an Octokit failure to this adapter's errors, saying what to do next. */
export function mapGitHubError(error: unknown, what: string, stream?: StreamName): GitHubError {
  if (error instanceof GitHubError) return error;
  const status = statusOf(error);
  const message = error instanceof Error ? error.message : String(error);
  if (status === 401) {
    return new GitHubAuthError(
      `GitHub rejected the token while trying to ${what} (401): the token is invalid or expired. Create a new one and set GITHUB_TOKEN.`,
      status,
      { cause: error },
    );
  }
  if ((status === 403 || status === 404) && stream) {
    return new GitHubFeatureUnavailableError(
      `${stream} is not available for ${what} (${status}: ${message}). Either the feature is not enabled, or ${STREAM_PERMISSIONS[stream]}.`,
      status,
      { cause: error },
    );
  }
  if (status === 403) {
    return new GitHubPermissionError(
      `GitHub refused to ${what} (403: ${message}). Check that the token can read the organisation and its security alerts.`,
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
      `GitHub did not answer while trying to ${what} (${status ?? 'no response'}: ${message}). Retries were exhausted; run again later, the snapshot resumes safely.`,
      status,
      { cause: error },
    );
  }
  return new GitHubError(`GitHub failed to ${what} (${status}: ${message}).`, status, { cause: error });
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

export interface ListOptions {
  /** Stop once items are older than this (incremental runs); undefined lists everything. */
  updatedSince?: string;
  perPage?: number;
}

/**
 * Pages of raw alert objects of one type for an organisation, newest update first.
 * Secret scanning is listed twice: provider patterns, then the non-provider types by name.
 */
export async function* listAlertPages(
  gh: GitHubClient,
  org: string,
  alertType: AlertType,
  options: ListOptions = {},
): AsyncGenerator<unknown[]> {
  const base = { org, per_page: options.perPage ?? 100, sort: 'updated', direction: 'desc' } as const;
  const variants: Record<string, unknown>[] =
    alertType === 'secret_scanning'
      ? [
          { ...base, hide_secret: true },
          { ...base, hide_secret: true, secret_type: NON_PROVIDER_SECRET_TYPES.join(',') },
        ]
      : [base];
  const since = options.updatedSince ? Date.parse(options.updatedSince) : null;
  for (const params of variants) {
    try {
      for await (const page of gh.paginate.iterator(ROUTES[alertType], params)) {
        const items = page.data as unknown[];
        if (since === null) {
          yield items;
          continue;
        }
        const fresh = items.filter(
          (i) => Date.parse((i as { updated_at?: string }).updated_at ?? '') >= since,
        );
        yield fresh;
        if (fresh.length < items.length) break;
      }
    } catch (error) {
      throw mapGitHubError(error, `list ${alertType} alerts of ${org}`, alertType);
    }
  }
}

/** Pages of raw audit log events for the alert actions, newest first. */
export async function* listAuditLogPages(
  gh: GitHubClient,
  org: string,
  options: { createdSince?: string; perPage?: number } = {},
): AsyncGenerator<unknown[]> {
  for (const prefix of AUDIT_ACTION_PREFIXES) {
    const phrase = [
      `action:${prefix}`,
      options.createdSince ? `created:>=${options.createdSince.slice(0, 10)}` : '',
    ]
      .filter(Boolean)
      .join(' ');
    try {
      for await (const page of gh.paginate.iterator('GET /orgs/{org}/audit-log', {
        org,
        phrase,
        include: 'web',
        order: 'desc',
        per_page: options.perPage ?? 100,
      })) {
        yield page.data as unknown[];
      }
    } catch (error) {
      throw mapGitHubError(error, `read the audit log of ${org}`, 'audit_log');
    }
  }
}
