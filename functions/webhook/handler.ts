import type { LambdaFunctionURLEvent } from 'aws-lambda';
import { createLogger } from '../runtime/logger.ts';
import { lazyWebhookRuntime } from '../runtime/webhook-runtime.ts';
import { receiveWebhook } from '../use-cases/receive-webhook.ts';

const logger = createLogger('alert-ledger-webhook');
// Only DynamoDB and Secrets Manager: the bundle stays small and the cold start short.
const runtime = lazyWebhookRuntime();

/** A Function URL result (the structured form Lambda accepts). */
export interface WebhookResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Lambda Function URL: GitHub's alert webhooks in, a JSON answer out. The signature is checked
 * over the exact raw bytes (Function URLs may base64-encode the body).
 */
export async function handler(event: LambdaFunctionURLEvent): Promise<WebhookResult> {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) headers[name.toLowerCase()] = value;
  const body = Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');
  try {
    const rt = runtime();
    const secrets = await rt.secrets();
    const res = await receiveWebhook(
      { store: rt.store, secrets, log: logger },
      {
        method: event.requestContext?.http?.method ?? 'POST',
        headers,
        body,
        // When the Function URL received the request: dates changes GitHub sends no time for.
        ...(typeof event.requestContext?.timeEpoch === 'number'
          ? { receivedAt: new Date(event.requestContext.timeEpoch).toISOString() }
          : {}),
      },
    );
    return {
      statusCode: res.status,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(res.body),
    };
  } catch (error) {
    // Never a 2xx for something not stored: GitHub redelivers on 5xx.
    logger.error('webhook delivery failed', {
      delivery: headers['x-github-delivery'] ?? null,
      error: error instanceof Error ? error.message : String(error),
    });
    return {
      statusCode: 500,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ok: false, message: 'not stored; redeliver later' }),
    };
  }
}
