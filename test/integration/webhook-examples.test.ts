/**
 * Every example payload GitHub publishes for the four alert events (`@octokit/webhooks-examples`:
 * api.github.com and the GHES folders; the OpenAPI description's `x-webhooks` examples) goes
 * through the receiver against DynamoDB Local, and the stored state and transitions are checked
 * value by value against what the payload says, worked out by hand below.
 */
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { sign } from '@octokit/webhooks-methods';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Alert, AlertState, NotableKind } from '../../functions/core/model.ts';
import type { DynamoStore } from '../../functions/store/dynamo-store.ts';
import { silentLog } from '../../functions/use-cases/log.ts';
import { receiveWebhook } from '../../functions/use-cases/receive-webhook.ts';
import { makeAlert } from '../support/alerts.ts';
import { createTestStore } from '../support/dynamo.ts';
import {
  EXAMPLE_FOLDERS,
  openApiWebhookExamples,
  webhookExamples,
  webhookSchemaErrors,
} from '../support/webhook-schemas.ts';

const SECRET = 'examples-secret';
const ARRIVED = '2026-11-20T10:00:00.000Z';
const EVENTS = [
  'dependabot_alert',
  'secret_scanning_alert',
  'secret_scanning_alert_location',
  'code_scanning_alert',
];

type Row = [from: AlertState | null, to: AlertState, at: string, actor: string | null, reason: string | null];

interface Expected {
  /** What a snapshot had stored before the delivery (old GHES payloads only make sense for a known alert). */
  seed?: Alert;
  state: AlertState;
  severity: Alert['severity'];
  createdAt: string;
  closedAt: string | null;
  htmlUrl: string;
  transitions: Row[];
  notable: NotableKind[];
}

/** A delivery answered 200 and held back, nothing stored, with its answer. */
interface Held {
  held: string;
}

/** A delivery answered 202 and not recorded, with the reason the answer starts with. */
interface Ignored {
  ignored: string;
}

// Code scanning alert #10 of the api.github.com and GHES examples, reopened, about an alert not
// recorded yet: a reopen implies a closing the ledger has not seen, which a late delivery or a
// snapshot may still bring with its own time, so nothing is stored (the next snapshot lists it).
const codeReopened: Held = { held: 'left to the next snapshot' };
// The same with GitHub's `updated_at`, the reopen's own time: the missed closing is certain.
const codeReopenedDated: Held = { held: 'the change before it was missed: left to the next snapshot' };

const dependabotFixed: Expected = {
  state: 'fixed',
  severity: 'medium',
  createdAt: '2022-06-14T15:21:52.000Z',
  closedAt: '2022-06-15T13:55:40.000Z',
  htmlUrl: 'https://github.com/octocat/hello-world/security/dependabot/1',
  transitions: [
    [null, 'open', '2022-06-14T15:21:52.000Z', null, null],
    ['open', 'fixed', '2022-06-15T13:55:40.000Z', 'github', null],
  ],
  notable: [],
};

// GHES 3.1-3.5 sent secret scanning alerts with only number and resolution. A snapshot had stored
// #191 resolved as a false positive; the reopen is dated by its arrival and done by the sender.
const ghesSecretReopened: Expected = {
  seed: makeAlert({
    alertType: 'secret_scanning',
    number: 191,
    severity: 'critical',
    state: 'dismissed',
    title: 'Adafruit IO Key',
    ruleId: 'adafruit_io_key',
    secretType: 'adafruit_io_key',
    htmlUrl: 'https://github.com/Codertocat/Hello-World/security/secret-scanning/191',
    createdAt: '2022-03-01T00:00:00.000Z',
    updatedAt: '2022-03-02T00:00:00.000Z',
    closedAt: '2022-03-02T00:00:00.000Z',
    closedBy: 'lead',
    reason: 'false_positive',
  }),
  state: 'open',
  severity: 'critical',
  createdAt: '2022-03-01T00:00:00.000Z',
  closedAt: null,
  htmlUrl: 'https://github.com/Codertocat/Hello-World/security/secret-scanning/191',
  transitions: [['dismissed', 'open', ARRIVED, 'Codertocat', null]],
  notable: ['reopened'],
};

const EXPECTED: Record<string, Expected | Ignored | Held> = {
  'api.github.com/code_scanning_alert/0 reopened': codeReopenedDated,
  'api.github.com/code_scanning_alert/1 closed_by_user': {
    state: 'dismissed',
    severity: 'high', // rule severity `error`
    createdAt: '2021-02-11T02:49:18.000Z',
    closedAt: '2021-02-11T02:59:08.000Z',
    htmlUrl: 'https://github.com/Codertocat/Hello-World/security/code-scanning/10',
    transitions: [
      [null, 'open', '2021-02-11T02:49:18.000Z', null, null],
      ['open', 'dismissed', '2021-02-11T02:59:08.000Z', 'Codertocat', 'false positive'],
    ],
    notable: [],
  },
  // Alert #10 created on a feature branch, then fixed in a pull request's merge ref: neither is
  // the default branch (master), where the alert's recorded state lives. Nothing is stored.
  'api.github.com/code_scanning_alert/2 created': {
    ignored: 'code scanning event on refs/heads/code-feature, not on the default branch master',
  },
  'api.github.com/code_scanning_alert/3 fixed': {
    ignored: 'code scanning event on refs/pull/11/merge, not on the default branch master',
  },
  'api.github.com/code_scanning_alert/4 reopened': codeReopened,
  'api.github.com/code_scanning_alert/5 reopened': codeReopened,
  'api.github.com/dependabot_alert/0 fixed': dependabotFixed,
  'api.github.com/dependabot_alert/1 created': {
    state: 'open',
    severity: 'medium',
    createdAt: '2023-06-24T13:57:12.000Z',
    closedAt: null,
    htmlUrl: 'https://github.com/wolfy1339/pika-pack/security/dependabot/20',
    transitions: [[null, 'open', '2023-06-24T13:57:12.000Z', null, null]],
    notable: [],
  },
  'api.github.com/dependabot_alert/2 fixed': dependabotFixed,
  'ghes-31/code_scanning_alert/0 reopened': codeReopened,
  'ghes-31/secret_scanning_alert/0 reopened': ghesSecretReopened,
  'ghes-32/code_scanning_alert/0 reopened': codeReopened,
  'ghes-32/secret_scanning_alert/0 reopened': ghesSecretReopened,
  'ghes-33/code_scanning_alert/0 reopened': codeReopened,
  'ghes-33/secret_scanning_alert/0 reopened': ghesSecretReopened,
  'ghes-34/code_scanning_alert/0 reopened': codeReopened,
  'ghes-34/code_scanning_alert/1 reopened': codeReopened,
  'ghes-34/secret_scanning_alert/0 reopened': ghesSecretReopened,
  'ghes-34/secret_scanning_alert/1 reopened': ghesSecretReopened,
  'ghes-35/code_scanning_alert/0 reopened': codeReopened,
  'ghes-35/code_scanning_alert/1 reopened': codeReopened,
  'ghes-35/secret_scanning_alert/0 reopened': ghesSecretReopened,
  'ghes-35/secret_scanning_alert/1 reopened': ghesSecretReopened,
  // A new location of an alert never seen: no html_url in the payload, built from the repository's.
  'ghes-35/secret_scanning_alert_location/0 created': {
    state: 'open',
    severity: 'critical',
    createdAt: '2022-04-01T11:01:10.000Z',
    closedAt: null,
    htmlUrl: 'https://github.com/Codertocat/Hello-World/security/secret-scanning/191',
    transitions: [[null, 'open', '2022-04-01T11:01:10.000Z', null, null]],
    notable: ['critical_created'],
  },
  // The OpenAPI description's one example; it carries a `secret`, which must never be stored.
  'openapi/secret_scanning_alert_location/0 created': {
    state: 'open',
    severity: 'critical',
    createdAt: '2020-11-06T18:18:30.000Z',
    closedAt: null,
    htmlUrl: 'https://github.com/octocat-repo/hello-world/security/secret-scanning/42',
    transitions: [[null, 'open', '2020-11-06T18:18:30.000Z', null, null]],
    notable: ['critical_created'],
  },
};

interface Case {
  id: string;
  event: string;
  payload: Record<string, unknown>;
}

function allExamples(): Case[] {
  const cases: Case[] = [];
  for (const folder of EXAMPLE_FOLDERS) {
    for (const event of EVENTS) {
      webhookExamples(folder, event).forEach((payload, i) => {
        cases.push({ id: `${folder}/${event}/${i} ${String(payload.action)}`, event, payload });
      });
    }
  }
  openApiWebhookExamples('secret-scanning-alert-location-created').forEach((payload, i) => {
    cases.push({
      id: `openapi/secret_scanning_alert_location/${i} ${String(payload.action)}`,
      event: 'secret_scanning_alert_location',
      payload,
    });
  });
  return cases;
}

describe('GitHub’s example webhook payloads, value by value', () => {
  let store: DynamoStore;
  let scanAll: () => Promise<string>;
  beforeAll(async () => {
    const made = await createTestStore('webhook-examples');
    store = made.store;
    scanAll = async () =>
      JSON.stringify((await made.client.send(new ScanCommand({ TableName: store.tableName }))).Items);
  });

  const cases = allExamples();
  const deliver = async (event: string, payload: unknown, id: string) => {
    const body = JSON.stringify(payload);
    return receiveWebhook(
      { store, secrets: [SECRET], log: silentLog },
      {
        method: 'POST',
        headers: {
          'x-github-event': event,
          'x-github-delivery': id,
          'x-hub-signature-256': await sign(SECRET, body),
        },
        body: Buffer.from(body),
        receivedAt: ARRIVED,
      },
    );
  };

  it('covers every example folder the package ships, and every example has an expectation', () => {
    const require = createRequire(import.meta.url);
    const root = dirname(require.resolve('@octokit/webhooks-examples/package.json'));
    const folders = readdirSync(root, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
    expect(folders).toEqual([...EXAMPLE_FOLDERS].sort());
    expect(cases.map((c) => c.id).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(cases.map((c, i) => [c.id, c, i] as const))('%s', async (_id, c, i) => {
    const expected = EXPECTED[c.id];
    if (!expected) throw new Error(`no expectation for ${c.id}`);
    // Each example in an org of its own: several describe the same alert in different states.
    const org = `example-${i}`;
    const repository = c.payload.repository as { full_name: string };
    const [, name] = repository.full_name.split('/');
    const repo = `${org}/${name}`;
    c.payload.repository = { ...repository, full_name: repo };
    const number = (c.payload.alert as { number: number }).number;
    const alertType = c.event.startsWith('dependabot')
      ? 'dependabot'
      : c.event.startsWith('code')
        ? 'code_scanning'
        : 'secret_scanning';
    if ('seed' in expected && expected.seed) {
      await store.writeAlert(org, { ...expected.seed, repository: repo }, null, []);
    }
    const res = await deliver(c.event, c.payload, `example-${i}`);
    if ('held' in expected) {
      expect([res.status, res.body.message]).toEqual([200, expected.held]);
      expect(await store.getAlert(org, `${alertType}#${repo}#${number}`)).toBeUndefined();
      expect(await store.listTransitions(org)).toEqual([]);
      return;
    }
    if ('ignored' in expected) {
      expect(res.status).toBe(202);
      expect(res.body.message).toBe(
        `${expected.ignored}; alert-ledger records alerts as they stand on the default branch. Ignored`,
      );
      expect(await store.getAlert(org, `${alertType}#${repo}#${number}`)).toBeUndefined();
      expect(await store.listTransitions(org)).toEqual([]);
      return;
    }
    expect(res.body).toMatchObject({ ok: true, message: 'recorded', notable: expected.notable });
    const stored = (await store.getAlert(org, `${alertType}#${repo}#${number}`))?.alert;
    expect([stored?.state, stored?.severity, stored?.createdAt, stored?.closedAt, stored?.htmlUrl]).toEqual([
      expected.state,
      expected.severity,
      expected.createdAt,
      expected.closedAt,
      expected.htmlUrl,
    ]);
    const transitions = await store.listTransitions(org);
    expect(transitions.map((t) => [t.from, t.to, t.at, t.actor, t.reason])).toEqual(expected.transitions);
    expect(transitions.every((t) => t.source === 'webhook')).toBe(true);
  });

  it('stores nothing of the `secret` the OpenAPI example carries', async () => {
    const [example] = openApiWebhookExamples('secret-scanning-alert-location-created');
    const secret = (example?.alert as { secret?: string } | undefined)?.secret;
    expect(secret).toMatch(/^X{10,}/);
    expect(webhookSchemaErrors('secret-scanning-alert-location-created', example)).toEqual([]);
    const res = await deliver('secret_scanning_alert_location', example, 'secret-check');
    expect(res.status).toBe(200);
    const everything = await scanAll();
    expect(everything).toContain('mailchimp_api_key'); // the example was stored...
    expect(everything).not.toContain(secret); // ...without its secret
  });
});
