/**
 * Realistic raw material for the demo org: repositories, people, manifests, secret types and
 * the comments people write. Advisories and CodeQL rules have their own files.
 */
import type { DemoSecretType } from './demo-types.ts';

export interface RepositorySeed {
  name: string;
  language: string;
  ecosystem: string;
  description: string;
  /** Relative share of the org's alerts. */
  weight: number;
}

/** name, CodeQL language, Dependabot ecosystem, share of the org's alerts, description. */
const REPOSITORY_ROWS: readonly (readonly [string, string, string, number, string])[] = [
  ['payments-api', 'java', 'maven', 5, 'Card and SEPA payments'],
  ['web-frontend', 'js', 'npm', 6, 'Customer web app'],
  ['checkout-service', 'go', 'go', 4, 'Basket and checkout'],
  ['identity-service', 'java', 'maven', 4, 'Login, SSO, MFA'],
  ['mobile-bff', 'js', 'npm', 4, 'Backend for the mobile apps'],
  ['data-pipeline', 'py', 'pip', 4, 'Nightly ETL jobs'],
  ['ml-recommender', 'py', 'pip', 3, 'Product recommendations'],
  ['admin-portal', 'js', 'npm', 3, 'Back-office admin UI'],
  ['billing-worker', 'rb', 'rubygems', 3, 'Invoice runs'],
  ['notification-service', 'go', 'go', 3, 'Email, SMS, push'],
  ['search-indexer', 'java', 'maven', 2, 'Catalogue search'],
  ['inventory-api', 'cs', 'nuget', 3, 'Stock levels'],
  ['docs-site', 'js', 'npm', 2, 'Public documentation'],
  ['auth-gateway', 'go', 'go', 3, 'Edge authentication'],
  ['reporting-service', 'py', 'pip', 2, 'Finance reports'],
  ['customer-portal', 'js', 'npm', 4, 'Self-service portal'],
  ['order-service', 'java', 'maven', 4, 'Order lifecycle'],
  ['fraud-detection', 'py', 'pip', 2, 'Risk scoring'],
  ['legacy-monolith', 'rb', 'rubygems', 5, 'The 2014 Rails app'],
  ['shipping-api', 'cs', 'nuget', 2, 'Carrier integrations'],
  ['analytics-dashboard', 'js', 'npm', 2, 'Internal KPIs'],
  ['design-system', 'js', 'npm', 1, 'Shared UI components'],
  ['partner-integrations', 'py', 'pip', 2, 'Partner webhooks'],
  ['platform-tools', 'go', 'go', 1, 'Internal CLIs'],
  ['infra-config', 'py', 'pip', 1, 'Deployment scripts'],
];

export const REPOSITORY_SEEDS: readonly RepositorySeed[] = REPOSITORY_ROWS.map(
  ([name, language, ecosystem, weight, description]) => ({ name, language, ecosystem, weight, description }),
);

/** A dozen people; weights make a few security champions do most of the triage. */
export const USER_SEEDS: readonly (readonly [login: string, weight: number])[] = [
  ['mona-lee', 6],
  ['devon-okafor', 5],
  ['priya-raman', 4],
  ['sam-whitfield', 3],
  ['lucia-ferreira', 3],
  ['tomasz-nowak', 2],
  ['aiko-tanaka', 2],
  ['jordan-blake', 2],
  ['fatima-haddad', 2],
  ['erik-lindqvist', 1],
  ['grace-obi', 1],
  ['marco-bellini', 1],
];

/** GitHub's Dependabot app account, the actor of Dependabot's own audit events. */
export const DEPENDABOT_BOT = { login: 'dependabot[bot]', id: 49699333 } as const;

export const MANIFESTS: Readonly<Record<string, readonly string[]>> = {
  npm: ['package-lock.json', 'packages/app/package-lock.json', 'tools/package-lock.json'],
  pip: ['requirements.txt', 'poetry.lock', 'requirements-dev.txt'],
  maven: ['pom.xml', 'service/pom.xml'],
  go: ['go.mod', 'tools/go.mod'],
  rubygems: ['Gemfile.lock'],
  nuget: ['src/Api/Api.csproj', 'src/Worker/Worker.csproj'],
};

const secret = (
  type: string,
  displayName: string,
  provider: string | null,
  providerSlug: string | null,
): DemoSecretType => ({ type, displayName, provider, providerSlug, providerPattern: provider !== null });

/** Provider patterns, listed by default, then generic ones GitHub lists only when asked. */
export const SECRET_TYPES: readonly (readonly [DemoSecretType, number])[] = [
  [secret('github_personal_access_token', 'GitHub Personal Access Token', 'GitHub', 'github'), 8],
  [secret('aws_access_key_id', 'Amazon AWS Access Key ID', 'Amazon Web Services', 'aws'), 6],
  [secret('slack_incoming_webhook_url', 'Slack Incoming Webhook URL', 'Slack', 'slack'), 5],
  [secret('stripe_api_key', 'Stripe API Key', 'Stripe', 'stripe'), 3],
  [secret('google_api_key', 'Google API Key', 'Google', 'google'), 3],
  [secret('azure_storage_account_key', 'Azure Storage Account Access Key', 'Azure', 'azure'), 2],
  [secret('npm_access_token', 'npm Access Token', 'npm', 'npm'), 2],
  [secret('password', 'Password', null, null), 3],
  [secret('http_bearer_authentication_header', 'HTTP Bearer Authentication Header', null, null), 2],
  [secret('rsa_private_key', 'RSA Private Key', null, null), 1],
];

export const SECRET_PATHS = [
  '.env',
  'config/settings.yml',
  'scripts/deploy.sh',
  'docker-compose.yml',
  'README.md',
  'ci/pipeline.yml',
];

/** Comments people write when they dismiss or resolve, by reason (all under 280 characters). */
export const COMMENTS: Readonly<Record<string, readonly string[]>> = {
  fix_started: [
    'Upgrade PR is open, merging after the release freeze.',
    'Fix scheduled for next sprint (SEC-231).',
  ],
  inaccurate: [
    'Vulnerable function is not reachable from our code.',
    'We use a patched fork; the advisory does not apply.',
  ],
  no_bandwidth: [
    'Deferred: team capacity is on the Q4 migration.',
    'Accepted for now, revisit next quarter.',
  ],
  not_used: [
    'Only used by a dev script, not shipped.',
    'Pulled in by docs tooling, not in the runtime image.',
  ],
  tolerable_risk: [
    'Internal service behind the VPN; risk accepted in review SR-1042.',
    'Input is trusted config only.',
  ],
  'false positive': [
    'Input is validated by the schema middleware before this query.',
    'Value is a constant, not user input.',
  ],
  "won't fix": ['Legacy module, removal planned for Q1.', 'Accepted risk, tracked in SEC-118.'],
  'used in tests': ['Test fixture only.', 'Only reachable from the integration test harness.'],
  false_positive: [
    'Placeholder value from the docs, not a credential.',
    'Example string in a test snapshot.',
  ],
  wont_fix: ['Sandbox key without production access.', 'Key belongs to a decommissioned account.'],
  revoked: ['Key revoked and rotated in the vault.', 'Token revoked; new one stored in Actions secrets.'],
  used_in_tests: ['Fake credential used by the integration test suite.', 'Local-only test key.'],
};
