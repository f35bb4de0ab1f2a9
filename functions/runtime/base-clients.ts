import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { RuntimeConfig } from './config.ts';

/**
 * The two AWS clients every handler needs (DynamoDB for the ledger, Secrets Manager for
 * credentials), apart from `clients.ts` so that the webhook bundle carries no S3 or SES client.
 */

/** Fixed credentials when any stand-in endpoint is set: they keep a developer's own profile out of it. */
export function standInCredentials(
  config: RuntimeConfig,
): { accessKeyId: string; secretAccessKey: string } | undefined {
  const local = Boolean(config.DYNAMODB_ENDPOINT || config.S3_ENDPOINT || config.SES_ENDPOINT);
  return local ? { accessKeyId: 'local', secretAccessKey: 'local' } : undefined;
}

/**
 * Time limits for a caller that must answer quickly (the webhook: GitHub gives up after 10 s).
 * Three attempts of at most 2 s each stay well inside that, so a slow table becomes a 500
 * that GitHub can redeliver, not a timed-out Lambda.
 */
export const FAST_ANSWER_LIMITS = { requestTimeoutMs: 2_000, connectionTimeoutMs: 1_000, maxAttempts: 3 };

export function buildDynamoDbClient(
  config: RuntimeConfig,
  limits?: { requestTimeoutMs: number; connectionTimeoutMs: number; maxAttempts: number },
): DynamoDBClient {
  const credentials = standInCredentials(config);
  return new DynamoDBClient({
    region: config.AWS_REGION,
    ...(config.DYNAMODB_ENDPOINT ? { endpoint: config.DYNAMODB_ENDPOINT } : {}),
    ...(credentials ? { credentials } : {}),
    ...(limits
      ? {
          maxAttempts: limits.maxAttempts,
          requestHandler: {
            requestTimeout: limits.requestTimeoutMs,
            connectionTimeout: limits.connectionTimeoutMs,
          },
        }
      : {}),
  });
}

export function buildSecretsClient(config: RuntimeConfig): SecretsManagerClient {
  return new SecretsManagerClient({ region: config.AWS_REGION });
}
