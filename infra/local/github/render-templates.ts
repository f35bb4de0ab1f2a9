/**
 * Users and repositories as GitHub embeds them in alerts, built from the OpenAPI examples so
 * every field the schema requires is present: take the example, point its URLs at the demo org.
 */

import { responseExample } from './openapi.ts';
import type { Json, JsonObject } from './openapi-deref.ts';

export interface UrlBases {
  /** REST API root, e.g. `https://api.github.com` or the simulated server's URL. */
  api: string;
  /** Web root for `html_url`s, e.g. `https://github.com`. */
  web: string;
}

const TEMPLATE_API = 'https://api.github.com';
const TEMPLATE_WEB = 'https://github.com';

/** GitHub's legacy global node id: base64 of "<len>:<Type><id>". */
export function legacyNodeId(type: 'User' | 'Bot' | 'Organization' | 'Repository', id: number): string {
  const prefix = { User: '04', Bot: '03', Organization: '012', Repository: '010' }[type];
  return Buffer.from(`${prefix}:${type}${id}`).toString('base64');
}

function rewriteStrings(value: Json, pairs: readonly (readonly [string, string])[]): Json {
  if (typeof value === 'string') return pairs.reduce((s, [from, to]) => s.split(from).join(to), value);
  if (Array.isArray(value)) return value.map((v) => rewriteStrings(v, pairs));
  if (value !== null && typeof value === 'object') {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value)) out[k] = rewriteStrings(v, pairs);
    return out;
  }
  return value;
}

function objectAt(value: Json | undefined, what: string): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`OpenAPI example has no ${what}`);
  }
  return value;
}

function stringAt(obj: JsonObject, key: string): string {
  const value = obj[key];
  if (typeof value !== 'string') throw new Error(`OpenAPI example has no string ${key}`);
  return value;
}

/** The first item of an operation's documented 200 response: GitHub's own example object. */
export function exampleItem(key: Parameters<typeof responseExample>[0]): JsonObject {
  const example = responseExample(key);
  if (!Array.isArray(example)) throw new Error(`Example of ${key} is not a list`);
  return objectAt(example[0], `first item of ${key}`);
}

export class AccountTemplates {
  private readonly userTemplate: JsonObject;
  private readonly repoTemplate: JsonObject;
  private readonly users = new Map<string, JsonObject>();
  private readonly repos = new Map<string, JsonObject>();

  constructor(private readonly bases: UrlBases) {
    const item = exampleItem('GET /orgs/{org}/dependabot/alerts');
    this.userTemplate = objectAt(item.dismissed_by, 'dismissed_by user');
    this.repoTemplate = objectAt(item.repository, 'repository');
  }

  private account(
    template: JsonObject,
    login: string,
    id: number,
    type: 'User' | 'Bot' | 'Organization',
  ): JsonObject {
    const from = stringAt(template, 'login');
    const rewritten = objectAt(
      rewriteStrings(template, [
        [`${TEMPLATE_API}/users/${from}`, `${this.bases.api}/users/${login}`],
        [`${TEMPLATE_WEB}/${from}`, `${this.bases.web}/${login}`],
      ]),
      'account',
    );
    return {
      ...rewritten,
      login,
      id,
      node_id: legacyNodeId(type, id),
      avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
      gravatar_id: '',
      type,
      site_admin: false,
    };
  }

  /** A simple-user object (shared instance: treat as read-only). */
  user(login: string, id: number): JsonObject {
    let user = this.users.get(login);
    if (!user) {
      user = this.account(this.userTemplate, login, id, 'User');
      this.users.set(login, user);
    }
    return user;
  }

  /** A simple-repository object owned by the org (shared instance: treat as read-only). */
  repository(
    org: { login: string; id: number },
    repo: { name: string; id: number; private: boolean; description: string },
  ): JsonObject {
    const fullName = `${org.login}/${repo.name}`;
    let out = this.repos.get(fullName);
    if (!out) {
      const from = stringAt(this.repoTemplate, 'full_name');
      const rewritten = objectAt(
        rewriteStrings(this.repoTemplate, [
          [`${TEMPLATE_API}/repos/${from}`, `${this.bases.api}/repos/${fullName}`],
          [`${TEMPLATE_WEB}/${from}`, `${this.bases.web}/${fullName}`],
        ]),
        'repository',
      );
      const ownerTemplate = objectAt(this.repoTemplate.owner, 'repository owner');
      out = {
        ...rewritten,
        id: repo.id,
        node_id: legacyNodeId('Repository', repo.id),
        name: repo.name,
        full_name: fullName,
        owner: this.account(ownerTemplate, org.login, org.id, 'Organization'),
        private: repo.private,
        description: repo.description,
        fork: false,
      };
      this.repos.set(fullName, out);
    }
    return out;
  }
}
