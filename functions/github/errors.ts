/** Errors of the GitHub adapter. Messages never include tokens; the Octokit error is the `cause`. */
export class GitHubError extends Error {
  constructor(
    message: string,
    readonly status: number | null = null,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** 401: the token is invalid, expired or revoked. */
export class GitHubAuthError extends GitHubError {}

/** 403 on something the product cannot work without (the organisation itself). */
export class GitHubPermissionError extends GitHubError {}

/** 404 on the organisation: it does not exist or the token cannot see it. */
export class GitHubNotFoundError extends GitHubError {}

/** The feature is off or not licensed for this organisation (403/404 from a list): a coverage gap. */
export class GitHubFeatureUnavailableError extends GitHubError {}

/** 5xx, timeouts and rate limits that outlasted the retries. */
export class GitHubUnavailableError extends GitHubError {}

/** A primary or secondary rate limit that outlasted the waits the client accepts. */
export class GitHubRateLimitError extends GitHubError {
  constructor(
    message: string,
    status: number | null,
    readonly resetAt: string | null,
    options?: ErrorOptions,
  ) {
    super(message, status, options);
  }
}
