import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConfigError, type RuntimeConfig } from './config.ts';

/**
 * Secrets Manager reads, cached per cold start. Kept apart from `clients.ts` so that the webhook
 * bundle, which needs only this and DynamoDB, does not carry the S3, SES and GitHub clients.
 */
const secretCache = new Map<string, Promise<string>>();

/** The secret's string value, read once per cold start (a failed read is retried next time). */
export async function readSecret(secrets: SecretsManagerClient, arn: string): Promise<string> {
  let cached = secretCache.get(arn);
  if (!cached) {
    cached = secrets.send(new GetSecretValueCommand({ SecretId: arn })).then((r) => {
      const value = r.SecretString?.trim();
      if (!value) {
        throw new ConfigError(
          `secret ${arn} is empty: set it with \`aws secretsmanager put-secret-value --secret-id ${arn} --secret-string ...\``,
        );
      }
      return value;
    });
    cached.catch(() => secretCache.delete(arn));
    secretCache.set(arn, cached);
  }
  return await cached;
}

/** The webhook secrets accepted now (two during a rotation). */
export async function resolveWebhookSecrets(
  config: RuntimeConfig,
  clients: { secrets: SecretsManagerClient },
): Promise<string[]> {
  if (config.GITHUB_WEBHOOK_SECRET) {
    return [config.GITHUB_WEBHOOK_SECRET, config.GITHUB_WEBHOOK_SECRET_PREVIOUS].filter(
      (s): s is string => typeof s === 'string',
    );
  }
  if (config.WEBHOOK_SECRET_ARN) {
    // The secret may hold one value, or JSON {"current": "...", "previous": "..."} during a rotation.
    const raw = await readSecret(clients.secrets, config.WEBHOOK_SECRET_ARN);
    if (raw.startsWith('{')) {
      let parsed: { current?: unknown; previous?: unknown } | null = null;
      try {
        parsed = JSON.parse(raw) as { current?: unknown; previous?: unknown };
      } catch {
        // reported below
      }
      if (typeof parsed?.current !== 'string' || parsed.current.length === 0) {
        throw new ConfigError(
          `webhook secret ${config.WEBHOOK_SECRET_ARN} looks like JSON but is not {"current": "...", "previous": "..."}: store the plain secret, or that JSON during a rotation`,
        );
      }
      const previous =
        typeof parsed.previous === 'string' && parsed.previous.length > 0 ? [parsed.previous] : [];
      return [parsed.current, ...previous];
    }
    return [raw];
  }
  throw new ConfigError('no webhook secret: set GITHUB_WEBHOOK_SECRET, or WEBHOOK_SECRET_ARN in AWS.');
}
