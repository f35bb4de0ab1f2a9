/**
 * Resolves local `$ref`s of an OpenAPI document and trims what validation and templates do not
 * need, so a few schemas can be committed without the 385 MB package they come from.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };
export type { Json };

/** Keys dropped from schemas: prose and vendor extensions make the subset ten times larger. */
const DROPPED_KEYS = new Set(['description', 'example', 'examples', 'externalDocs']);

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Follows a JSON pointer such as `#/components/schemas/simple-user` inside `doc`. */
export function resolvePointer(doc: JsonObject, ref: string): Json {
  if (!ref.startsWith('#/')) throw new Error(`Only local $refs are supported, got ${ref}`);
  let node: Json = doc;
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (!isObject(node) || !(key in node)) throw new Error(`Unresolvable $ref ${ref}`);
    node = node[key] as Json;
  }
  return node;
}

/**
 * Returns `value` with every `$ref` replaced by its target. A cycle throws, because a
 * self-contained subset cannot represent one without `$ref`s.
 */
export function dereference(doc: JsonObject, value: Json, trail: readonly string[] = []): Json {
  if (Array.isArray(value)) return value.map((item) => dereference(doc, item, trail));
  if (!isObject(value)) return value;
  const ref = value.$ref;
  if (typeof ref === 'string') {
    if (trail.includes(ref)) throw new Error(`Cyclic $ref ${[...trail, ref].join(' -> ')}`);
    return dereference(doc, resolvePointer(doc, ref), [...trail, ref]);
  }
  const out: JsonObject = {};
  for (const [key, child] of Object.entries(value)) out[key] = dereference(doc, child, trail);
  return out;
}

/**
 * Drops prose, inline examples and `x-*` extensions from a (dereferenced) schema. Property
 * names are kept even when they are called `description` or `example`.
 */
export function trimSchema(schema: Json): Json {
  if (Array.isArray(schema)) return schema.map(trimSchema);
  if (!isObject(schema)) return schema;
  const out: JsonObject = {};
  for (const [key, child] of Object.entries(schema)) {
    if (DROPPED_KEYS.has(key) || key.startsWith('x-')) continue;
    if (key === 'properties' && isObject(child)) {
      const props: JsonObject = {};
      for (const [name, prop] of Object.entries(child)) props[name] = trimSchema(prop);
      out[key] = props;
    } else {
      out[key] = trimSchema(child);
    }
  }
  return out;
}
