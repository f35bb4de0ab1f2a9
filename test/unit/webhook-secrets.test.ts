import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { ConfigError, readRuntimeConfig } from '../../functions/runtime/config.ts';
import { resolveWebhookSecrets } from '../../functions/runtime/secrets.ts';

/**
 * Secrets Manager has no stand-in here: a client that answers one GetSecretValue stands in for
 * it, and counts the calls (the secret is read once per cold start).
 */
function secretsClient(value: string) {
  const calls: unknown[] = [];
  const client = {
    send: async (command: { input: unknown }) => {
      calls.push(command.input);
      return { SecretString: value };
    },
  } as unknown as SecretsManagerClient;
  return { client, calls };
}

const arn = (n: number) => `arn:aws:secretsmanager:eu-west-1:123456789012:secret:alert-ledger-webhook-${n}`;

describe('webhook secrets', () => {
  it('reads the current and previous secret of a rotation from Secrets Manager, once', async () => {
    const { client, calls } = secretsClient('{"current":"new-secret","previous":"old-secret"}');
    const config = readRuntimeConfig({ TABLE_NAME: 'ledger', WEBHOOK_SECRET_ARN: arn(1) });
    expect(await resolveWebhookSecrets(config, { secrets: client })).toEqual(['new-secret', 'old-secret']);
    expect(await resolveWebhookSecrets(config, { secrets: client })).toEqual(['new-secret', 'old-secret']);
    expect(calls).toEqual([{ SecretId: arn(1) }]);
  });

  it('takes a plain value as the one secret', async () => {
    const { client } = secretsClient('plain-secret');
    const config = readRuntimeConfig({ TABLE_NAME: 'ledger', WEBHOOK_SECRET_ARN: arn(2) });
    expect(await resolveWebhookSecrets(config, { secrets: client })).toEqual(['plain-secret']);
  });

  it.each([
    ['{"previous":"old"}', arn(3)],
    ['{not json', arn(4)],
  ])('refuses %s, saying what to store, and never echoes the value', async (value, secretArn) => {
    const { client } = secretsClient(value);
    const config = readRuntimeConfig({ TABLE_NAME: 'ledger', WEBHOOK_SECRET_ARN: secretArn });
    const error = await resolveWebhookSecrets(config, { secrets: client }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain('store the plain secret, or that JSON during a rotation');
    expect((error as Error).message).not.toContain(value);
  });

  it('uses the environment locally, with the previous secret during a rotation', async () => {
    const config = readRuntimeConfig({
      TABLE_NAME: 'ledger',
      GITHUB_WEBHOOK_SECRET: 'now',
      GITHUB_WEBHOOK_SECRET_PREVIOUS: 'before',
    });
    expect(await resolveWebhookSecrets(config, { secrets: secretsClient('unused').client })).toEqual([
      'now',
      'before',
    ]);
  });
});
