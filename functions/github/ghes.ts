/**
 * GitHub Enterprise Server: which release the API belongs to, and what that release supports.
 * github.com and GHE.com have no version (null); GHES names it in the
 * `x-github-enterprise-version` header of every response and in `/meta`'s `installed_version`.
 */
import type { GitHubClient } from './client.ts';
import { GitHubAuthError, GitHubError, GitHubUnavailableError } from './errors.ts';

function statusOf(error: unknown): number | null {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : null;
}

/**
 * The GHES release behind `gh` (e.g. `3.17.0`), or null for github.com.
 *
 * @example
 * const version = await detectGhesVersion(gh); // '3.17.0' on GHES 3.17, null on github.com
 */
export async function detectGhesVersion(gh: GitHubClient): Promise<string | null> {
  let response: Awaited<ReturnType<GitHubClient['request']>>;
  try {
    response = await gh.request('GET /meta');
  } catch (error) {
    if (error instanceof GitHubError) throw error;
    const status = statusOf(error);
    // Not an API that has /meta: certainly not GHES.
    if (status === 404) return null;
    if (status === 401) {
      throw new GitHubAuthError(
        'GitHub rejected the credentials (401) while reading /meta: the token is invalid or expired.',
        status,
        { cause: error },
      );
    }
    throw new GitHubUnavailableError(
      `GitHub did not answer /meta (${status ?? 'no response'}), so its version is unknown; run again later.`,
      status,
      { cause: error },
    );
  }
  const header = response.headers['x-github-enterprise-version'];
  if (typeof header === 'string' && header.trim() !== '') return header.trim();
  const installed = (response.data as { installed_version?: unknown } | null)?.installed_version;
  return typeof installed === 'string' && installed.trim() !== '' ? installed.trim() : null;
}

/** `3.17.2` to [3, 17]; null when it is not a version. */
function majorMinor(version: string): [number, number] | null {
  const match = /^(\d+)\.(\d+)/.exec(version);
  return match ? [Number(match[1]), Number(match[2])] : null;
}

/**
 * Whether the secret scanning lists honour `hide_secret=true`: github.com does, GHES from 3.18.
 * On older or unknown releases the literal secret comes back whatever is asked, so it must be
 * dropped from every item before anything is stored or logged (it must be anyway).
 */
export function supportsHideSecret(version: string | null): boolean {
  if (version === null) return true;
  const parsed = majorMinor(version);
  if (!parsed) return false;
  const [major, minor] = parsed;
  return major > 3 || (major === 3 && minor >= 18);
}
