import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { type GitHubAuth, gitHubAuthFromEnv } from '../github/auth.ts';
import { buildDynamoDbClient, buildSecretsClient, standInCredentials } from './base-clients.ts';
import type { RuntimeConfig } from './config.ts';
import { ConfigError } from './config.ts';
import { readSecret } from './secrets.ts';

export { resolveWebhookSecrets } from './secrets.ts';

export interface AwsClients {
  dynamodb: DynamoDBClient;
  s3: S3Client;
  ses: SESv2Client;
  secrets: SecretsManagerClient;
}

/**
 * Builds the AWS clients once per cold start. Endpoints come from the configuration: unset in
 * AWS, pointed at DynamoDB Local, s3rver and aws-ses-v2-local on a laptop.
 */
export function buildAwsClients(config: RuntimeConfig): AwsClients {
  const region = config.AWS_REGION;
  // The stand-ins accept any credentials; fixed ones keep a developer's own profile out of it.
  const credentials = standInCredentials(config);
  return {
    dynamodb: buildDynamoDbClient(config),
    s3: new S3Client({
      region,
      ...(config.S3_ENDPOINT
        ? {
            endpoint: config.S3_ENDPOINT,
            forcePathStyle: true,
            credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
            // s3rver stores aws-chunked framing as data unless checksums are only sent when required.
            requestChecksumCalculation: 'WHEN_REQUIRED',
            responseChecksumValidation: 'WHEN_REQUIRED',
          }
        : {}),
    }),
    ses: new SESv2Client({
      region,
      ...(config.SES_ENDPOINT ? { endpoint: config.SES_ENDPOINT } : {}),
      ...(credentials ? { credentials } : {}),
    }),
    secrets: buildSecretsClient(config),
  };
}

/**
 * GitHub credentials: a token (from the environment locally, Secrets Manager in AWS), or a
 * GitHub App whose installation tokens the client renews as they expire.
 */
export async function resolveGitHubAuth(config: RuntimeConfig, clients: AwsClients): Promise<GitHubAuth> {
  if (config.GITHUB_TOKEN) return { kind: 'token', token: config.GITHUB_TOKEN };
  if (config.GITHUB_TOKEN_SECRET_ARN) {
    return { kind: 'token', token: await readSecret(clients.secrets, config.GITHUB_TOKEN_SECRET_ARN) };
  }
  const key =
    config.GITHUB_APP_PRIVATE_KEY ??
    (config.GITHUB_APP_PRIVATE_KEY_SECRET_ARN
      ? await readSecret(clients.secrets, config.GITHUB_APP_PRIVATE_KEY_SECRET_ARN)
      : undefined);
  if (config.GITHUB_APP_ID || key || config.GITHUB_APP_INSTALLATION_ID) {
    return gitHubAuthFromEnv({
      GITHUB_APP_ID: config.GITHUB_APP_ID,
      GITHUB_APP_PRIVATE_KEY: key,
      GITHUB_APP_INSTALLATION_ID: config.GITHUB_APP_INSTALLATION_ID,
    });
  }
  throw new ConfigError(
    'no GitHub credentials: set GITHUB_TOKEN (classic token with the security_events and read:org scopes), or GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY and GITHUB_APP_INSTALLATION_ID for a GitHub App (in AWS: GITHUB_TOKEN_SECRET_ARN or GITHUB_APP_PRIVATE_KEY_SECRET_ARN).',
  );
}
