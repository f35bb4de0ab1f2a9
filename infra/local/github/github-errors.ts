/** GitHub's error bodies and the documentation links it puts in them. */

export const DOCS = {
  rest: 'https://docs.github.com/rest',
  org: 'https://docs.github.com/rest/orgs/orgs#get-an-organization',
  dependabot: 'https://docs.github.com/rest/dependabot/alerts#list-dependabot-alerts-for-an-organization',
  secret_scanning:
    'https://docs.github.com/rest/secret-scanning/secret-scanning#list-secret-scanning-alerts-for-an-organization',
  code_scanning:
    'https://docs.github.com/rest/code-scanning/code-scanning#list-code-scanning-alerts-for-an-organization',
  audit_log:
    'https://docs.github.com/enterprise-cloud@latest/rest/orgs/orgs#get-the-audit-log-for-an-organization',
  rateLimit: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
} as const;

export interface RouteResult {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** `{ message, documentation_url, status }`, the `basic-error` shape GitHub answers with. */
export function githubError(
  status: number,
  message: string,
  documentationUrl: string = DOCS.rest,
): RouteResult {
  return { status, body: { message, documentation_url: documentationUrl, status: String(status) } };
}

/** A bad query parameter; routes throw it and the router turns it into GitHub's error body. */
export class QueryParameterError extends Error {
  constructor(
    readonly status: 400 | 422,
    message: string,
  ) {
    super(message);
    this.name = 'QueryParameterError';
  }
}
