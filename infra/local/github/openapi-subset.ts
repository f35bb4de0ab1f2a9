/**
 * What the committed OpenAPI subset holds and how it is cut out of GitHub's descriptions.
 * Pure: the script `generate-openapi-subset.ts` does the file I/O.
 */
import { dereference, type Json, type JsonObject, trimSchema } from './openapi-deref.ts';

/**
 * Which GitHub description each piece comes from. The audit log and the enterprise lists exist
 * only for Enterprise; `/meta` with `installed_version` only on GHES.
 */
export type DescriptionName = 'api.github.com' | 'ghec' | 'ghes-3.17';

export const SUBSET_SCHEMAS = {
  'dependabot-alert-with-repository': 'api.github.com',
  'organization-secret-scanning-alert': 'api.github.com',
  'code-scanning-organization-alert-items': 'api.github.com',
  'dependabot-alert': 'api.github.com',
  'secret-scanning-alert': 'api.github.com',
  'code-scanning-alert-items': 'api.github.com',
  'code-scanning-alert': 'api.github.com',
  'secret-scanning-alert-with-metadata': 'api.github.com',
  'minimal-repository': 'api.github.com',
  'audit-log-event': 'ghec',
  'basic-error': 'api.github.com',
  'installation-token': 'api.github.com',
  installation: 'api.github.com',
  'api-overview': 'ghes-3.17',
} as const satisfies Record<string, DescriptionName>;

export type SchemaName = keyof typeof SUBSET_SCHEMAS;
export const SCHEMA_NAMES = Object.keys(SUBSET_SCHEMAS) as SchemaName[];

export const SUBSET_OPERATIONS = {
  'GET /orgs/{org}/dependabot/alerts': 'api.github.com',
  'GET /orgs/{org}/secret-scanning/alerts': 'api.github.com',
  'GET /orgs/{org}/code-scanning/alerts': 'api.github.com',
  'GET /orgs/{org}/audit-log': 'ghec',
  'GET /enterprises/{enterprise}/dependabot/alerts': 'ghec',
  'GET /enterprises/{enterprise}/secret-scanning/alerts': 'ghec',
  'GET /enterprises/{enterprise}/code-scanning/alerts': 'ghec',
  'GET /enterprises/{enterprise}/audit-log': 'ghec',
  'POST /app/installations/{installation_id}/access_tokens': 'api.github.com',
  'GET /orgs/{org}/installation': 'api.github.com',
  'GET /meta': 'ghes-3.17',
} as const satisfies Record<string, DescriptionName>;

export type OperationKey = keyof typeof SUBSET_OPERATIONS;

export interface ParameterSubset {
  name: string;
  in: string;
  required: boolean;
  schema: Json;
}

export interface OperationSubset {
  source: DescriptionName;
  operationId: string;
  parameters: ParameterSubset[];
  /** Status code to its example body, when GitHub documents one (null otherwise). */
  responses: Record<string, { example: Json }>;
}

export interface OpenApiSubset {
  generatedBy: string;
  source: { package: string; version: string; openapi: Record<DescriptionName, string> };
  schemas: Record<SchemaName, Json>;
  operations: Record<OperationKey, OperationSubset>;
}

export interface OpenApiDescriptions {
  packageVersion: string;
  documents: Record<DescriptionName, JsonObject>;
}

function asObject(value: Json | undefined, what: string): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`OpenAPI description has no ${what}`);
  }
  return value;
}

function pickSchema(doc: JsonObject, name: string): Json {
  const schemas = asObject(asObject(doc.components, 'components').schemas, 'components.schemas');
  const schema = schemas[name];
  if (schema === undefined) throw new Error(`Schema ${name} not found`);
  return trimSchema(dereference(doc, schema));
}

function pickParameter(doc: JsonObject, raw: Json): ParameterSubset {
  const param = asObject(dereference(doc, raw), 'parameter');
  if (typeof param.name !== 'string' || typeof param.in !== 'string') throw new Error('Malformed parameter');
  return {
    name: param.name,
    in: param.in,
    required: param.required === true,
    schema: trimSchema(param.schema ?? {}),
  };
}

function pickExample(response: JsonObject): Json {
  const content = response.content;
  if (typeof content !== 'object' || content === null || Array.isArray(content)) return null;
  const json = content['application/json'];
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return null;
  const examples = json.examples;
  if (typeof examples !== 'object' || examples === null || Array.isArray(examples)) return null;
  const first = Object.values(examples)[0];
  if (typeof first !== 'object' || first === null || Array.isArray(first)) return null;
  return redactTokens(first.value ?? null);
}

/**
 * GitHub's examples hold token-shaped strings (`ghs_16C7…`). They are fake, but a committed file
 * must never carry anything a secret scanner, or a reader, takes for a credential.
 */
const TOKEN_SHAPE = /^gh[pousr]_[A-Za-z0-9]{20,}$/;
function redactTokens(value: Json): Json {
  if (typeof value === 'string') return TOKEN_SHAPE.test(value) ? 'example-token-redacted' : value;
  if (Array.isArray(value)) return value.map(redactTokens);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactTokens(v)]));
  }
  return value;
}

function pickOperation(doc: JsonObject, key: OperationKey, source: DescriptionName): OperationSubset {
  const [method, path] = key.split(' ') as [string, string];
  const pathItem = asObject(asObject(doc.paths, 'paths')[path], `path ${path}`);
  const op = asObject(pathItem[method.toLowerCase()], `operation ${key}`);
  const rawParams = Array.isArray(op.parameters) ? op.parameters : [];
  const responses: Record<string, { example: Json }> = {};
  for (const [status, raw] of Object.entries(asObject(op.responses, `${key} responses`))) {
    const response = asObject(dereference(doc, raw), `${key} response ${status}`);
    responses[status] = { example: pickExample(response) };
  }
  return {
    source,
    operationId: typeof op.operationId === 'string' ? op.operationId : key,
    parameters: rawParams.map((p) => pickParameter(doc, p)),
    responses,
  };
}

function infoVersion(doc: JsonObject): string {
  const info = asObject(doc.info, 'info');
  return typeof info.version === 'string' ? info.version : 'unknown';
}

/**
 * Cuts the subset out of GitHub's descriptions. Deterministic: the same package version gives
 * byte-identical output, which is what the drift test relies on.
 */
export function buildOpenApiSubset({ packageVersion, documents }: OpenApiDescriptions): OpenApiSubset {
  const schemas = {} as Record<SchemaName, Json>;
  for (const name of SCHEMA_NAMES) schemas[name] = pickSchema(documents[SUBSET_SCHEMAS[name]], name);
  const operations = {} as Record<OperationKey, OperationSubset>;
  for (const key of Object.keys(SUBSET_OPERATIONS) as OperationKey[]) {
    const source = SUBSET_OPERATIONS[key];
    operations[key] = pickOperation(documents[source], key, source);
  }
  return {
    generatedBy: 'npm run gen:openapi (infra/local/github/generate-openapi-subset.ts)',
    source: {
      package: '@octokit/openapi',
      version: packageVersion,
      openapi: {
        'api.github.com': infoVersion(documents['api.github.com']),
        ghec: infoVersion(documents.ghec),
        'ghes-3.17': infoVersion(documents['ghes-3.17']),
      },
    },
    schemas,
    operations,
  };
}

/** The exact text written to disk, so the drift test compares bytes and not just structure. */
export function serializeOpenApiSubset(subset: OpenApiSubset): string {
  return `${JSON.stringify(subset, null, 2)}\n`;
}
