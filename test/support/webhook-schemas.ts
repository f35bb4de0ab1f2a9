/**
 * GitHub's own description of its alert webhooks (`x-webhooks` of `@octokit/openapi`, a dev
 * dependency), to hold the tests' payloads to what GitHub documents, and its example payloads
 * (`@octokit/webhooks-examples`).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { AlertWebhookEvent } from '../../functions/core/webhook.ts';
import { toJsonSchema } from '../../infra/local/github/openapi.ts';
import { type Json, trimSchema } from '../../infra/local/github/openapi-deref.ts';

const require = createRequire(import.meta.url);

/** Longest first, so `secret-scanning-alert-location-created` is not read as action `location_created`. */
const EVENTS: AlertWebhookEvent[] = [
  'secret_scanning_alert_location',
  'secret_scanning_alert',
  'dependabot_alert',
  'code_scanning_alert',
];

type Doc = { 'x-webhooks'?: Record<string, { post: { requestBody: { content: Record<string, Json> } } }> };

const docs = new Map<string, Doc>();
function load(file: string): Doc {
  let doc = docs.get(file);
  if (!doc) {
    doc = JSON.parse(readFileSync(require.resolve(`@octokit/openapi/generated/${file}`), 'utf8')) as Doc;
    docs.set(file, doc);
  }
  return doc;
}

export interface DocumentedWebhook {
  /** The x-webhooks key, e.g. `dependabot-alert-auto-dismissed`. */
  key: string;
  event: AlertWebhookEvent;
  action: string;
}

/** The alert webhooks a description documents (`api.github.com.json`, `ghes-3.19.json`, ...). */
export function documentedAlertWebhooks(file = 'api.github.com.json'): DocumentedWebhook[] {
  const out: DocumentedWebhook[] = [];
  for (const key of Object.keys(load(file)['x-webhooks'] ?? {})) {
    const event = EVENTS.find((e) => key.startsWith(`${e.replaceAll('_', '-')}-`));
    if (!event) continue;
    const action = key.slice(event.length + 1).replaceAll('-', '_');
    out.push({ key, event, action });
  }
  return out;
}

function requestBody(key: string): { schema: Json; examples?: Record<string, { value: Json }> } {
  const hook = load('api.github.com.deref.json')['x-webhooks']?.[key];
  const json = hook?.post.requestBody.content['application/json'] as
    | { schema: Json; examples?: Record<string, { value: Json }> }
    | undefined;
  if (!json) throw new Error(`x-webhooks has no ${key}`);
  return json;
}

let ajv: Ajv | undefined;
const validators = new Map<string, ValidateFunction>();

/**
 * Validates a payload against the documented request body of one webhook.
 *
 * @returns the validation errors, empty when the payload is what GitHub documents.
 */
export function webhookSchemaErrors(key: string, payload: unknown): string[] {
  let validate = validators.get(key);
  if (!validate) {
    if (!ajv) {
      ajv = new Ajv({ allErrors: true, strict: false });
      addFormatsModule.default(ajv);
    }
    validate = ajv.compile(toJsonSchema(trimSchema(requestBody(key).schema)) as object);
    validators.set(key, validate);
  }
  if (validate(payload)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? ''}`);
}

/** The example bodies the OpenAPI description gives for a webhook (most give none). */
export function openApiWebhookExamples(key: string): Record<string, unknown>[] {
  return Object.values(requestBody(key).examples ?? {}).map(
    (e) => structuredClone(e.value) as Record<string, unknown>,
  );
}

interface ExampleIndex {
  name: string;
  examples: Record<string, unknown>[];
}

/** Folders of `@octokit/webhooks-examples`: api.github.com and the GHES versions it keeps. */
export const EXAMPLE_FOLDERS = [
  'api.github.com',
  'ghes-31',
  'ghes-32',
  'ghes-33',
  'ghes-34',
  'ghes-35',
] as const;

/** The example payloads of one event in one folder (deep copies). */
export function webhookExamples(folder: string, event: string): Record<string, unknown>[] {
  const index = JSON.parse(
    readFileSync(require.resolve(`@octokit/webhooks-examples/${folder}/index.json`), 'utf8'),
  ) as ExampleIndex[];
  return structuredClone(index.find((e) => e.name === event)?.examples ?? []);
}
