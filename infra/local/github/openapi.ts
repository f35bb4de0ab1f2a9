/**
 * Validators and response templates from the committed OpenAPI subset.
 *
 * @example
 *   const { ok, errors } = validateAgainstSchema('dependabot-alert-with-repository', alert);
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { Json, JsonObject } from './openapi-deref.ts';
import type { OpenApiSubset, OperationKey, SchemaName } from './openapi-subset.ts';

const SUBSET_URL = new URL('./openapi-subset.generated.json', import.meta.url);

let cachedSubset: OpenApiSubset | undefined;

/** The committed subset, read once. */
export function loadOpenApiSubset(): OpenApiSubset {
  cachedSubset ??= JSON.parse(readFileSync(SUBSET_URL, 'utf8')) as OpenApiSubset;
  return cachedSubset;
}

/** A deep copy of GitHub's documented example body for an operation and status. */
export function responseExample(key: OperationKey, status = '200'): Json {
  const example = loadOpenApiSubset().operations[key].responses[status]?.example;
  if (example === undefined || example === null) throw new Error(`No example for ${key} ${status}`);
  return structuredClone(example);
}

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Keywords whose value is one subschema or a list of them. */
const SUBSCHEMA_KEYS = new Set(['items', 'additionalProperties', 'not', 'allOf', 'anyOf', 'oneOf']);

/**
 * Translates OpenAPI 3.0 `nullable: true` into JSON Schema. Ajv's own `nullable` support only
 * widens `type`: it still rejects null against an `enum` that lacks null, and refuses schemas
 * without `type` (GitHub has both, e.g. `dismissed_reason` and `first_location_detected`).
 * Wrapping in `anyOf: [null, schema]` is exact for every shape.
 */
export function toJsonSchema(schema: Json): Json {
  if (Array.isArray(schema)) return schema.map(toJsonSchema);
  if (!isObject(schema)) return schema;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'nullable') continue;
    if (key === 'properties' && isObject(value)) {
      const props: JsonObject = {};
      for (const [name, prop] of Object.entries(value)) props[name] = toJsonSchema(prop);
      out[key] = props;
    } else if (SUBSCHEMA_KEYS.has(key)) {
      out[key] = toJsonSchema(value);
    } else {
      out[key] = value;
    }
  }
  return schema.nullable === true ? { anyOf: [{ type: 'null' }, out] } : out;
}

let ajv: Ajv | undefined;
const validators = new Map<SchemaName, ValidateFunction>();

function getAjv(): Ajv {
  if (ajv) return ajv;
  // Strict, so a keyword the subset carries but Ajv ignores fails loudly instead of passing all.
  ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, strictRequired: false });
  addFormatsModule.default(ajv);
  return ajv;
}

/** A compiled validator for one schema of the subset (compiled once, then cached). */
export function getValidator(name: SchemaName): ValidateFunction {
  let validate = validators.get(name);
  if (!validate) {
    validate = getAjv().compile(toJsonSchema(loadOpenApiSubset().schemas[name]) as object);
    validators.set(name, validate);
  }
  return validate;
}

/** Validates one value (an alert, an audit event, an error body) against a schema by name. */
export function validateAgainstSchema(name: SchemaName, value: unknown): { ok: boolean; errors: string } {
  const validate = getValidator(name);
  const ok = validate(value) === true;
  return { ok, errors: ok ? '' : getAjv().errorsText(validate.errors, { dataVar: name, separator: '; ' }) };
}
