import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoStore } from '../store/dynamo-store.ts';
import { buildDynamoDbClient, buildSecretsClient, FAST_ANSWER_LIMITS } from './base-clients.ts';
import { type RuntimeConfig, readRuntimeConfig } from './config.ts';
import { resolveWebhookSecrets } from './secrets.ts';

/**
 * The webhook handler's runtime: the ledger table and the webhook secret, nothing else. It is
 * `runtime.ts` cut down to what a delivery needs, so the webhook bundle carries neither the S3,
 * SES nor GitHub clients (about half its size) and its cold start stays short. The clients are
 * built exactly as `buildAwsClients` builds them.
 */
export interface WebhookRuntime {
  config: RuntimeConfig;
  clients: { dynamodb: DynamoDBClient; secrets: SecretsManagerClient };
  store: DynamoStore;
  /** The webhook secrets accepted now (two during a rotation); read once per cold start. */
  secrets(): Promise<string[]>;
}

/**
 * @example
 * const rt = createWebhookRuntime(readRuntimeConfig(process.env));
 * const secrets = await rt.secrets();
 */
export function createWebhookRuntime(config: RuntimeConfig): WebhookRuntime {
  const clients = {
    dynamodb: buildDynamoDbClient(config, FAST_ANSWER_LIMITS),
    secrets: buildSecretsClient(config),
  };
  return {
    config,
    clients,
    store: new DynamoStore(clients.dynamodb, config.TABLE_NAME),
    secrets: () => resolveWebhookSecrets(config, clients),
  };
}

/** A lazily built webhook runtime from `process.env`, for the webhook Lambda. */
export function lazyWebhookRuntime(): () => WebhookRuntime {
  let runtime: WebhookRuntime | undefined;
  return () => {
    runtime ??= createWebhookRuntime(readRuntimeConfig(process.env));
    return runtime;
  };
}
