import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { sign } from '@octokit/webhooks-methods';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AlertState } from '../../functions/core/model.ts';
import type { DynamoStore, StoredAlert } from '../../functions/store/dynamo-store.ts';
import { silentLog } from '../../functions/use-cases/log.ts';
import {
  MAX_BODY_BYTES,
  receiveWebhook,
  type WebhookRequest,
} from '../../functions/use-cases/receive-webhook.ts';
import { createTestStore } from '../support/dynamo.ts';
import { openApiWebhookExamples, webhookExamples, webhookSchemaErrors } from '../support/webhook-schemas.ts';
import { signedDelivery } from '../support/webhooks.ts';

const SECRET = 'webhook-test-secret';
const PREVIOUS_SECRET = 'webhook-previous-secret';

/** The store, with `getAlert` replaced (a Proxy: the store's private fields need the real receiver). */
function withGetAlert(store: DynamoStore, getAlert: DynamoStore['getAlert']): DynamoStore {
  return new Proxy(store, {
    get(target, prop) {
      if (prop === 'getAlert') return getAlert;
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

let deliveries = 0;
async function signed(
  event: string,
  payload: unknown,
  options: { secret?: string; receivedAt?: string; delivery?: string } = {},
): Promise<WebhookRequest> {
  deliveries += 1;
  return await signedDelivery(options.secret ?? SECRET, event, payload, {
    delivery: options.delivery ?? `delivery-${deliveries}`,
    ...(options.receivedAt ? { receivedAt: options.receivedAt } : {}),
  });
}

const h = (hour: number) => `2026-11-20T${String(hour).padStart(2, '0')}:00:00.000Z`;
const hz = (hour: number) => h(hour).replace('.000Z', 'Z');

/** A webhook payload for one documented action, built on GitHub's own example and checked against its schema. */
interface Step {
  key: string;
  action: string;
  alert: Record<string, unknown>;
  sender: string;
  arrives: string;
  /** Code scanning: the ref the event names (GitHub sends "" for a person's close or reopen). */
  ref?: string;
}

describe('webhook receiver against DynamoDB Local', () => {
  let store: DynamoStore;
  let countItems: () => Promise<number>;
  beforeAll(async () => {
    const made = await createTestStore('webhook');
    store = made.store;
    countItems = async () =>
      (await made.client.send(new ScanCommand({ TableName: store.tableName, Select: 'COUNT' }))).Count ?? 0;
  });
  const deps = () => ({ store, secrets: [SECRET, PREVIOUS_SECRET], log: silentLog });

  async function runLifecycle(event: string, org: string, base: Record<string, unknown>, steps: Step[]) {
    const results = [];
    for (const step of steps) {
      const payload: Record<string, unknown> = {
        ...base,
        action: step.action,
        alert: step.alert,
        sender: { ...(base.sender as object), login: step.sender },
        ...(step.ref === undefined ? {} : { ref: step.ref }),
      };
      expect({ [step.key]: webhookSchemaErrors(step.key, payload) }).toEqual({ [step.key]: [] });
      const res = await receiveWebhook(deps(), await signed(event, payload, { receivedAt: step.arrives }));
      expect(res.status, `${step.key}: ${res.body.message}`).toBe(200);
      results.push([step.action, res.body.transitions, res.body.notable]);
    }
    const transitions = await store.listTransitions(org);
    return {
      results,
      transitions: transitions.map((t) => [t.from, t.to, t.at, t.actor, t.reason, t.comment]),
    };
  }

  it("checks GitHub's documented signature test vector over the exact bytes", async () => {
    const vector = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';
    expect(await sign("It's a Secret to Everybody", 'Hello, World!')).toBe(vector);
    const req: WebhookRequest = {
      method: 'POST',
      headers: { 'x-github-event': 'ping', 'x-github-delivery': 'vector-1', 'x-hub-signature-256': vector },
      body: Buffer.from('Hello, World!'),
    };
    const accepted = await receiveWebhook({ ...deps(), secrets: ["It's a Secret to Everybody"] }, req);
    // Past the signature check (then refused: the vector's body is not JSON).
    expect(accepted).toMatchObject({ status: 400, body: { message: 'body is not a JSON object' } });
    const oneByteMore = await receiveWebhook(
      { ...deps(), secrets: ["It's a Secret to Everybody"] },
      { ...req, body: Buffer.from('Hello, World! ') },
    );
    expect(oneByteMore.status).toBe(401);
  });

  it('accepts the current and the previous secret during a rotation, and no other', async () => {
    const payload = { zen: 'Design for failure.', hook_id: 1 };
    expect((await receiveWebhook(deps(), await signed('ping', payload))).status).toBe(200);
    expect(
      (await receiveWebhook(deps(), await signed('ping', payload, { secret: PREVIOUS_SECRET }))).status,
    ).toBe(200);
    expect((await receiveWebhook(deps(), await signed('ping', payload, { secret: 'retired' }))).status).toBe(
      401,
    );
  });

  it('records every documented dependabot_alert action of one alert’s life', async () => {
    const [base] = webhookExamples('api.github.com', 'dependabot_alert').filter(
      (e) => e.action === 'created',
    );
    if (!base) throw new Error('no dependabot created example');
    const org = 'life-dependabot';
    // GitHub's example repository has `homepage: ""`, which its own schema (a URI or null) refuses.
    base.repository = { ...(base.repository as object), full_name: `${org}/api`, homepage: null };
    const alert = {
      ...(base.alert as Record<string, unknown>),
      number: 5,
      created_at: hz(0),
      updated_at: hz(0),
    };
    const open = {
      state: 'open',
      dismissed_at: null,
      dismissed_by: null,
      dismissed_reason: null,
      dismissed_comment: null,
      fixed_at: null,
      auto_dismissed_at: null,
    };
    const user = (login: string) => ({ ...(base.sender as object), login });
    const at = (hour: number, extra: Record<string, unknown>) => ({
      ...alert,
      ...open,
      updated_at: hz(hour),
      ...extra,
    });
    const step = (action: string, hour: number, extra: Record<string, unknown>, sender = 'mona'): Step => ({
      key: `dependabot-alert-${action.replaceAll('_', '-')}`,
      action,
      alert: at(hour, extra),
      sender,
      arrives: h(hour),
    });
    const { results, transitions } = await runLifecycle('dependabot_alert', org, base, [
      step('created', 0, {}, 'dependabot[bot]'),
      step(
        'dismissed',
        1,
        {
          state: 'dismissed',
          dismissed_at: hz(1),
          dismissed_by: user('lead'),
          dismissed_reason: 'tolerable_risk',
          dismissed_comment: 'Internal tool only',
        },
        'lead',
      ),
      step('reopened', 2, {}),
      step('fixed', 3, { state: 'fixed', fixed_at: hz(3) }, 'dependabot[bot]'),
      step('reintroduced', 4, {}, 'dependabot[bot]'),
      step('auto_dismissed', 5, { state: 'auto_dismissed', auto_dismissed_at: hz(5) }, 'dependabot[bot]'),
      step('auto_reopened', 6, {}, 'dependabot[bot]'),
      step('assignees_changed', 7, { assignees: [user('mona')] }),
    ]);
    expect(results).toEqual([
      ['created', 1, []],
      ['dismissed', 1, []],
      ['reopened', 1, ['reopened']],
      ['fixed', 1, []],
      ['reintroduced', 1, ['reopened']],
      ['auto_dismissed', 1, []],
      ['auto_reopened', 1, ['reopened']],
      ['assignees_changed', 0, []],
    ]);
    expect(transitions).toEqual([
      [null, 'open', h(0), null, null, null],
      ['open', 'dismissed', h(1), 'lead', 'tolerable_risk', 'Internal tool only'],
      ['dismissed', 'open', h(2), 'mona', null, null],
      ['open', 'fixed', h(3), 'dependabot[bot]', null, null],
      ['fixed', 'open', h(4), 'dependabot[bot]', null, null],
      ['open', 'dismissed', h(5), 'dependabot[bot]', 'auto_dismissed', null],
      ['dismissed', 'open', h(6), 'dependabot[bot]', null, null],
    ]);
    const stored = await store.getAlert(org, `dependabot#${org}/api#5`);
    expect([stored?.alert.state, stored?.alert.updatedAt]).toEqual(['open', h(7)]);
  });

  it('records every documented secret_scanning_alert action, flagging the bypass and the leak', async () => {
    const [location] = openApiWebhookExamples('secret-scanning-alert-location-created');
    if (!location) throw new Error('no secret scanning example');
    const org = 'life-secrets';
    const {
      secret: _never,
      state: _webhooksSendNoState,
      ...alert
    } = location.alert as Record<string, unknown>;
    const base = {
      repository: { ...(location.repository as object), full_name: `${org}/web` },
      sender: location.sender,
    };
    const user = (login: string) => ({ ...(location.sender as object), login });
    const fresh = {
      ...alert,
      number: 8,
      created_at: hz(0),
      secret_type: 'slack_api_token',
      secret_type_display_name: 'Slack API Token',
    };
    const at = (hour: number, extra: Record<string, unknown>) => ({
      ...fresh,
      updated_at: hz(hour),
      ...extra,
    });
    const bypass = {
      push_protection_bypassed: true,
      push_protection_bypassed_by: user('dev'),
      push_protection_bypassed_at: hz(0),
    };
    const step = (action: string, hour: number, extra: Record<string, unknown>, sender = 'mona'): Step => ({
      key: `secret-scanning-alert-${action.replaceAll('_', '-')}`,
      action,
      alert: at(hour, { ...bypass, ...extra }),
      sender,
      arrives: h(hour),
    });
    const revoked = { resolution: 'revoked', resolved_at: hz(3), resolved_by: user('dev') };
    const inTests = {
      resolution: 'used_in_tests',
      resolved_at: hz(5),
      resolved_by: user('lead'),
      resolution_comment: 'fixture',
    };
    const { results, transitions } = await runLifecycle('secret_scanning_alert', org, base, [
      step('created', 0, {}, 'dev'),
      step('validated', 1, { validity: 'active' }),
      step('publicly_leaked', 2, { validity: 'active', publicly_leaked: true }),
      step('resolved', 3, { ...revoked, publicly_leaked: true }, 'dev'),
      step('reopened', 4, { publicly_leaked: true }),
      step('resolved', 5, { ...inTests, publicly_leaked: true }, 'lead'),
      step('assigned', 6, { ...inTests, publicly_leaked: true, assigned_to: user('mona') }),
      step('unassigned', 7, { ...inTests, publicly_leaked: true }),
      step('metadata_created', 8, { ...inTests, publicly_leaked: true }),
      step('metadata_removed', 9, { ...inTests, publicly_leaked: true }),
    ]);
    expect(results).toEqual([
      ['created', 1, ['critical_created', 'push_protection_bypass']],
      ['validated', 0, []],
      ['publicly_leaked', 0, ['publicly_leaked']],
      ['resolved', 1, []],
      ['reopened', 1, ['reopened']],
      ['resolved', 1, []],
      ['assigned', 0, []],
      ['unassigned', 0, []],
      ['metadata_created', 0, []],
      ['metadata_removed', 0, []],
    ]);
    expect(transitions).toEqual([
      [null, 'open', h(0), null, null, null],
      ['open', 'fixed', h(3), 'dev', 'revoked', null],
      ['fixed', 'open', h(4), 'mona', null, null],
      ['open', 'dismissed', h(5), 'lead', 'used_in_tests', 'fixture'],
    ]);
    const stored = (await store.getAlert(org, `secret_scanning#${org}/web#8`))?.alert;
    expect(stored).toMatchObject({
      state: 'dismissed',
      pushProtectionBypassed: true,
      pushProtectionBypassedBy: 'dev',
      publiclyLeaked: true,
      publiclyLeakedAt: h(2),
    });
  });

  it('records every documented code_scanning_alert action, dating timeless changes by arrival', async () => {
    const [base] = webhookExamples('api.github.com', 'code_scanning_alert').filter(
      (e) => e.action === 'created',
    );
    if (!base) throw new Error('no code scanning created example');
    const org = 'life-code';
    base.repository = { ...(base.repository as object), full_name: `${org}/svc`, homepage: null };
    // Every automatic event here happens on the default branch (the example's is "master").
    base.ref = 'refs/heads/master';
    const { updated_at: _absentOnMostActions, ...alert } = {
      ...(base.alert as Record<string, unknown>),
      number: 12,
      created_at: hz(0),
      updated_at: undefined,
    };
    const open = {
      state: 'open',
      dismissed_at: null,
      dismissed_by: null,
      dismissed_reason: null,
      fixed_at: null,
    };
    const step = (
      action: string,
      arrives: string,
      extra: Record<string, unknown>,
      sender = 'mona',
      ref?: string,
    ): Step => ({
      key: `code-scanning-alert-${action.replaceAll('_', '-')}`,
      action,
      alert: { ...alert, ...open, ...extra },
      sender,
      arrives,
      ...(ref === undefined ? {} : { ref }),
    });
    const { results, transitions } = await runLifecycle('code_scanning_alert', org, base, [
      step('created', h(0), { updated_at: hz(0) }, 'github'),
      step('appeared_in_branch', h(1), {}, 'github'),
      step(
        'closed_by_user',
        h(2),
        {
          state: 'dismissed',
          dismissed_at: '2026-11-20T01:59:00Z',
          dismissed_by: { ...(base.sender as object), login: 'lead' },
          dismissed_reason: "won't fix",
          dismissed_comment: 'Legacy endpoint, removed in Q1',
        },
        'lead',
        '',
      ),
      step('reopened_by_user', h(3), {}, 'mona', ''),
      step('fixed', h(4), { state: 'fixed', fixed_at: null }, 'github'),
      step('reopened', h(5), {}, 'github'),
      step('updated_assignment', h(6), {}),
    ]);
    expect(results).toEqual([
      ['created', 1, []],
      ['appeared_in_branch', 0, []],
      ['closed_by_user', 1, []],
      ['reopened_by_user', 1, ['reopened']],
      ['fixed', 1, []],
      ['reopened', 1, ['reopened']],
      ['updated_assignment', 0, []],
    ]);
    expect(transitions).toEqual([
      [null, 'open', h(0), null, null, null],
      [
        'open',
        'dismissed',
        '2026-11-20T01:59:00.000Z',
        'lead',
        "won't fix",
        'Legacy endpoint, removed in Q1',
      ],
      ['dismissed', 'open', h(3), 'mona', null, null],
      ['open', 'fixed', h(4), 'github', null, null],
      ['fixed', 'open', h(5), 'github', null, null],
    ]);
  });

  it('leaves an alert as it stands on the default branch when code scanning reports another ref', async () => {
    const examples = webhookExamples('api.github.com', 'code_scanning_alert');
    const created = examples.find((e) => e.action === 'created');
    const fixed = examples.find((e) => e.action === 'fixed');
    if (!created || !fixed) throw new Error('no code scanning created/fixed examples');
    const org = 'branch-code';
    const repository = { ...(created.repository as object), full_name: `${org}/svc`, homepage: null };
    const alert = { ...(created.alert as Record<string, unknown>), number: 31, created_at: hz(0) };
    const deliver = async (action: string, ref: string, extra: Record<string, unknown>, at: string) => {
      const payload = { ...created, action, ref, repository, alert: { ...alert, ...extra } };
      expect(webhookSchemaErrors(`code-scanning-alert-${action}`, payload)).toEqual([]);
      return receiveWebhook(deps(), await signed('code_scanning_alert', payload, { receivedAt: at }));
    };
    const before = await countItems();
    // Found on a feature branch: not in GitHub's alert lists, nothing recorded.
    const onBranch = await deliver('created', 'refs/heads/code-feature', {}, h(0));
    expect(onBranch.status).toBe(202);
    expect(onBranch.body.message).toBe(
      'code scanning event on refs/heads/code-feature, not on the default branch master; alert-ledger records alerts as they stand on the default branch. Ignored',
    );
    expect(await countItems()).toBe(before);
    // On the default branch it is recorded.
    expect((await deliver('created', 'refs/heads/master', {}, h(1))).status).toBe(200);
    // Fixed in a pull request's merge ref: still open on the default branch.
    const fixedInPr = await deliver(
      'fixed',
      'refs/pull/11/merge',
      {
        state: 'fixed',
        fixed_at: hz(2),
        most_recent_instance: (fixed.alert as { most_recent_instance: unknown }).most_recent_instance,
      },
      h(2),
    );
    expect(fixedInPr.status).toBe(202);
    expect(fixedInPr.body.message).toMatch(
      /^code scanning event on refs\/pull\/11\/merge, not on the default branch master;/,
    );
    expect((await store.getAlert(org, `code_scanning#${org}/svc#31`))?.alert.state).toBe('open');
    // Fixed on the default branch: closed.
    expect(
      (await deliver('fixed', 'refs/heads/master', { state: 'fixed', fixed_at: hz(3) }, h(3))).status,
    ).toBe(200);
    const transitions = await store.listTransitions(org);
    expect(transitions.map((t) => [t.from, t.to, t.at])).toEqual([
      [null, 'open', h(0)],
      ['open', 'fixed', h(3)],
    ]);
  });

  describe('replays, order and races', () => {
    const [created] = webhookExamples('api.github.com', 'dependabot_alert').filter(
      (e) => e.action === 'created',
    );
    const payload = (
      org: string,
      number: number,
      state: AlertState | 'open',
      hour: number,
      login = 'lead',
    ) => {
      const p = structuredClone(created) as Record<string, unknown>;
      p.repository = { ...(p.repository as object), full_name: `${org}/app` };
      p.sender = { ...(p.sender as object), login };
      p.action = state === 'open' ? (hour === 0 ? 'created' : 'reopened') : state;
      p.alert = {
        ...(p.alert as object),
        number,
        state,
        created_at: hz(0),
        updated_at: hz(hour),
        dismissed_at: state === 'dismissed' ? hz(hour) : null,
        dismissed_by: state === 'dismissed' ? { login } : null,
        dismissed_reason: state === 'dismissed' ? 'not_used' : null,
        fixed_at: state === 'fixed' ? hz(hour) : null,
      };
      return p;
    };

    it('records a redelivery once, however often GitHub sends it', async () => {
      const request = await signed('dependabot_alert', payload('replay-org', 1, 'dismissed', 2));
      const answers = await Promise.all([1, 2, 3].map(() => receiveWebhook(deps(), request)));
      expect(answers.map((a) => a.body.message).sort()).toEqual([
        'duplicate delivery',
        'duplicate delivery',
        'recorded',
      ]);
      const again = await receiveWebhook(deps(), request);
      expect(again.body).toMatchObject({ message: 'duplicate delivery', transitions: 0 });
      expect((await store.listTransitions('replay-org')).map((t) => [t.from, t.to, t.at])).toEqual([
        [null, 'open', h(0)],
        ['open', 'dismissed', h(2)],
      ]);
    });

    it('keeps the newest state when deliveries arrive out of order, and never goes backwards', async () => {
      const org = 'order-org';
      const late = await receiveWebhook(
        deps(),
        await signed('dependabot_alert', payload(org, 2, 'fixed', 3)),
      );
      const early = await receiveWebhook(
        deps(),
        await signed('dependabot_alert', payload(org, 2, 'dismissed', 1)),
      );
      const first = await receiveWebhook(
        deps(),
        await signed('dependabot_alert', payload(org, 2, 'open', 0)),
      );
      expect([late.body.transitions, early.body.message, first.body.message]).toEqual([
        2,
        'older than stored state',
        'older than stored state',
      ]);
      const stored = await store.getAlert(org, `dependabot#${org}/app#2`);
      expect([stored?.alert.state, stored?.alert.updatedAt]).toEqual(['fixed', h(3)]);
      expect((await store.listTransitions(org)).map((t) => [t.from, t.to, t.at])).toEqual([
        [null, 'open', h(0)],
        ['open', 'fixed', h(3)],
      ]);
    });

    it('retries when a snapshot writes the same alert between its read and its write', async () => {
      const org = 'race-org';
      await receiveWebhook(deps(), await signed('dependabot_alert', payload(org, 3, 'open', 0)));
      // A store whose first read is followed by a snapshot's write (a newer state: dismissed at 02:00).
      let raced = false;
      let snapshotWrites = (seen: StoredAlert) =>
        store.writeAlert(
          org,
          { ...seen.alert, state: 'dismissed', updatedAt: h(2), closedAt: h(2), reason: 'not_used' },
          seen.version,
          [
            {
              alertType: 'dependabot',
              repository: `${org}/app`,
              number: 3,
              from: 'open',
              to: 'dismissed',
              at: h(2),
              actor: null,
              reason: 'not_used',
              comment: null,
              source: 'snapshot',
            },
          ],
        );
      const racing = withGetAlert(store, async (o: string, key: string): Promise<StoredAlert | undefined> => {
        const seen = await store.getAlert(o, key);
        if (!raced && seen) {
          raced = true;
          await snapshotWrites(seen);
        }
        return seen;
      });
      // The webhook carries an older change (fixed at 01:00): after the retry it is seen as stale.
      const res = await receiveWebhook(
        { ...deps(), store: racing },
        await signed('dependabot_alert', payload(org, 3, 'fixed', 1)),
      );
      expect(raced).toBe(true);
      expect(res.body).toMatchObject({ ok: true, message: 'older than stored state', transitions: 0 });
      expect((await store.listTransitions(org)).map((t) => [t.to, t.at, t.source])).toEqual([
        ['open', h(0), 'webhook'],
        ['dismissed', h(2), 'snapshot'],
      ]);
      // And a newer change racing the same way is written after the retry.
      // The second time the snapshot changes no state, only a field (a later updated_at).
      raced = false;
      snapshotWrites = (seen) => store.writeAlert(org, { ...seen.alert, updatedAt: h(3) }, seen.version, []);
      const newer = await receiveWebhook(
        { ...deps(), store: racing },
        await signed('dependabot_alert', payload(org, 3, 'open', 4, 'mona')),
      );
      expect(newer.body).toMatchObject({ message: 'recorded', transitions: 1, notable: ['reopened'] });
    });
  });

  describe('bad input writes nothing', () => {
    const payload = {
      action: 'created',
      alert: { number: 1, created_at: '2026-11-20T00:00:00Z' },
      repository: { full_name: 'bad-org/x' },
    };
    const unchanged = async (request: () => Promise<unknown>) => {
      const before = await countItems();
      await request();
      expect(await countItems()).toBe(before);
    };

    it.each([
      ['GET', {}, 405],
      ['POST', { 'x-hub-signature-256': undefined }, 401],
      ['POST', { 'x-hub-signature-256': 'sha256=00' }, 401],
      ['POST', { 'x-github-event': undefined }, 400],
      ['POST', { 'x-github-delivery': undefined }, 400],
      ['POST', { 'x-github-delivery': 'DELIVERY#../../x' }, 400],
    ] as const)('%s with headers %j answers %i', async (method, headers, status) => {
      const req = await signed('dependabot_alert', payload);
      await unchanged(async () => {
        const res = await receiveWebhook(deps(), { ...req, method, headers: { ...req.headers, ...headers } });
        expect(res.status).toBe(status);
        expect(JSON.stringify(res.body)).not.toContain(SECRET);
        expect(JSON.stringify(res.body)).not.toContain('bad-org');
      });
    });

    it('refuses an empty body with 400 before anything else, signed or not', async () => {
      const req = await signed('dependabot_alert', payload);
      await unchanged(async () => {
        const res = await receiveWebhook(deps(), { ...req, body: Buffer.alloc(0) });
        expect(res.status).toBe(400);
        expect(res.body.message).toMatch(/empty body/);
      });
    });

    it.each([
      ['not JSON', '{not json', 'body is not a JSON object'],
      ['a JSON array', '[1]', 'body is not a JSON object'],
      [
        'without the alert',
        { action: 'created', repository: { full_name: 'bad-org/x' } },
        'dependabot_alert payload lacks alert or repository',
      ],
      [
        'without the repository',
        { action: 'created', alert: { number: 1 } },
        'dependabot_alert payload lacks alert or repository',
      ],
      ['an alert lacking its fields', payload, 'dependabot alert #1 lacks fields the model needs'],
    ])('refuses a body %s with 400 and a reason', async (_what, body, message) => {
      await unchanged(async () => {
        const res = await receiveWebhook(deps(), await signed('dependabot_alert', body));
        expect(res.status).toBe(400);
        expect(res.body.message).toContain(message);
      });
    });

    it('answers 409 for an old GHES payload about an alert not yet recorded, so it can be redelivered', async () => {
      const [minimal] = webhookExamples('ghes-35', 'secret_scanning_alert');
      await unchanged(async () => {
        const res = await receiveWebhook(
          deps(),
          await signed('secret_scanning_alert', minimal, { delivery: 'ghes-1' }),
        );
        expect(res.status).toBe(409);
        expect(res.body.message).toContain(
          'has no created_at and alert-ledger has not recorded this alert yet',
        );
      });
    });

    it('answers 413 for an oversized body and 202 for events it does not record', async () => {
      await unchanged(async () => {
        const big = await signed('dependabot_alert', { pad: 'x'.repeat(MAX_BODY_BYTES) });
        expect((await receiveWebhook(deps(), big)).status).toBe(413);
        const push = await receiveWebhook(deps(), await signed('push', { ref: 'refs/heads/main' }));
        expect(push).toMatchObject({
          status: 202,
          body: { message: 'event push is not one alert-ledger records; ignored' },
        });
      });
    });

    it('answers 5xx, not 2xx, when the store fails, and records nothing', async () => {
      const broken = withGetAlert(store, async () => {
        throw new Error('DynamoDB unavailable');
      });
      const request = await signed('dependabot_alert', payload);
      await expect(receiveWebhook({ ...deps(), store: broken }, request)).rejects.toThrow(
        'DynamoDB unavailable',
      );
    });
  });
});
