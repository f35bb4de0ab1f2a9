/**
 * Webhooks and snapshots over random schedules: every Dependabot and code scanning change of a
 * simulated organisation's two weeks is delivered as GitHub's webhook would send it, each after a
 * random delay (so some arrive out of order, some after a snapshot saw their state, some twice
 * through a second hook, some redelivered under the same id), between snapshots taken at random
 * times in either mode. Code scanning
 * deliveries carry no `updated_at` and `fixed` none of `fixed_at`, as GitHub's: the receiver dates
 * them by arrival, provisionally, until the next snapshot asks GitHub.
 *
 * What must hold:
 * - a snapshot that calls itself complete leaves every alert in GitHub's state, counted right;
 * - every alert's transitions follow one another to its stored state (none counted twice);
 * - every transition is a fact of GitHub's history: a change to that state at exactly that time
 *   (a history may miss changes no one saw, never invent or misdate one). A code scanning change
 *   a webhook dated by arrival may stand at its arrival, while GitHub was in that state, no later
 *   than its latest delivery, when the delivery was fresh or GitHub changed the alert again;
 * - every change the ledger saw while it stood (its delivery or a snapshot came before the
 *   alert's next change), after seeing the state before it, is in the history at its time (or,
 *   for code scanning, between its time and its arrival);
 * - after the last delivery, a full snapshot leaves the ledger exact.
 *
 * Some deliveries race a snapshot: a snapshot is taken minutes before a change, and the change's
 * delivery (and any other arriving before the snapshot would have finished) runs while the
 * snapshot is under way, just before one of its reads or writes of the store, chosen at random.
 * The listing shows GitHub before the change; the delivery, after it. The snapshot's counts must
 * be what it listed, and the stored state the newer of the two, but for a change into the state
 * the ledger held (the change before it missed), which waits for the next snapshot.
 *
 * `PROPERTY_RUNS` and `PROPERTY_SEED` explore further, as in snapshot-enterprise-property.test.ts;
 * `PROPERTY_SHRINK=0` reports the first failing case as it is (shrinking one can take many minutes).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALERT_TYPES, alertKey, emptyOpenCounts, type SnapshotManifest } from '../../functions/core/model.ts';
import { normalizeAlert } from '../../functions/core/normalize.ts';
import { PROVISIONAL_SLACK_MS } from '../../functions/core/provisional.ts';
import { createGitHubClient } from '../../functions/github/client.ts';
import { DynamoStore } from '../../functions/store/dynamo-store.ts';
import { silentLog } from '../../functions/use-cases/log.ts';
import { receiveWebhook } from '../../functions/use-cases/receive-webhook.ts';
import { takeSnapshot } from '../../functions/use-cases/take-snapshot.ts';
import { generateDemoOrg } from '../../infra/local/github/demo-org.ts';
import type {
  DemoAlertEvent,
  DemoCodeScanningAlert,
  DemoDependabotAlert,
  DemoOrg,
} from '../../infra/local/github/demo-types.ts';
import { AlertRenderer, renderAlertsAt } from '../../infra/local/github/render.ts';
import { type SimulatedGitHub, startSimulatedGitHub } from '../../infra/local/github/server.ts';
import { createTestStore } from '../support/dynamo.ts';
import { alertHistories, chainBroken } from '../support/history.ts';
import { signedDelivery } from '../support/webhooks.ts';

const ORG = 'octo-hooks';
const END = Date.parse('2026-11-16T00:00:00.000Z');
const HOUR = 3600_000;
const START = END - 14 * 24 * HOUR;
const TOKEN = 'webhook-property-token';
const SECRET = 'webhook-property-secret';
const RUNS = Number(process.env.PROPERTY_RUNS ?? 8);
/** How long a racing snapshot is under way: deliveries arriving meanwhile run during it. */
const RACE_MS = 30 * 60_000;
/**
 * The store calls of a snapshot before which a racing delivery may run, once it has settled the
 * provisional changes delivered before it (it asks GitHub about them, and the simulated GitHub
 * stands still at the snapshot's instant: GitHub would answer a later delivery's change).
 */
const RACE_POINTS = [
  'listAlertDigests',
  'getAlerts',
  'getAlert',
  'writeAlerts',
  'writeAlert',
  'putSnapView',
  'markNoLongerReported',
  'putAggregates',
  'putManifest',
] as const;
const SEED = Number(process.env.PROPERTY_SEED ?? 20261122);

/**
 * How long a delivery takes: most within seconds, some a minute or hours late (a retry), some
 * days (a redelivery, which GitHub allows for 3 days): the demo's changes of one alert are days
 * apart.
 */
const DELAYS = [1_000, 1_000, 5_000, 60_000, HOUR, 6 * HOUR, 48 * HOUR, 70 * HOUR] as const;

type HookedAlert = DemoDependabotAlert | DemoCodeScanningAlert;

/** The webhook action GitHub sends for a demo event of a Dependabot or code scanning alert. */
function actionOf(alert: HookedAlert, event: DemoAlertEvent, previous: DemoAlertEvent | undefined): string {
  if (alert.alertType === 'code_scanning') {
    if (event.kind === 'dismissed') return 'closed_by_user';
    if (event.kind === 'reopened') return event.actor ? 'reopened_by_user' : 'reopened';
    return event.kind;
  }
  if (event.kind !== 'reopened' || event.actor !== null) return event.kind;
  return previous?.kind === 'auto_dismissed' ? 'auto_reopened' : 'reintroduced';
}

const keyOf = (alert: HookedAlert): string => `${alert.alertType}#${ORG}/${alert.repository}#${alert.number}`;

/** A person's close or reopen carries no ref; GitHub's own events happen on the default branch. */
const BY_PERSON = new Set(['closed_by_user', 'reopened_by_user']);

interface Change {
  alert: HookedAlert;
  event: DemoAlertEvent;
  /** Its index in `alert.events`. */
  index: number;
  action: string;
}

describe('webhooks between snapshots, delivered late, out of order and twice', () => {
  let demo: DemoOrg;
  let github: SimulatedGitHub;
  let renderer: AlertRenderer;
  let changes: Change[];

  beforeAll(async () => {
    demo = generateDemoOrg({ org: ORG, seed: 41, weeks: 2, endsAt: new Date(END).toISOString() });
    // No rate limit: one server serves every case and every shrink.
    github = await startSimulatedGitHub({ demo, token: TOKEN, rateLimit: Number.MAX_SAFE_INTEGER });
    renderer = new AlertRenderer(demo);
    changes = [...demo.alerts.dependabot, ...demo.alerts.code_scanning].flatMap((alert) =>
      alert.events.flatMap((event, i) =>
        Date.parse(event.at) > START
          ? [{ alert, event, index: i, action: actionOf(alert, event, alert.events[i - 1]) }]
          : [],
      ),
    );
    // Code scanning closings a webhook dates by arrival.
    expect(
      changes.filter((c) => c.action === 'fixed' && c.alert.alertType === 'code_scanning').length,
    ).toBeGreaterThan(2);
    // Enough of each kind to matter: creations, closings and reopens.
    expect(new Set(changes.map((c) => c.action)).size).toBeGreaterThanOrEqual(4);
    expect(changes.length).toBeGreaterThan(40);
  });
  afterAll(async () => {
    await github.close();
  });

  /** GitHub's webhook for one change: the alert as it stood right after it. */
  const payloadOf = (c: Change) => {
    const sender = { login: c.event.actor ?? 'dependabot[bot]', type: c.event.actor ? 'User' : 'Bot' };
    if (c.alert.alertType === 'dependabot') {
      const { repository, ...alert } = renderer.dependabot(c.alert, new Date(c.event.at)) as Record<
        string,
        unknown
      >;
      return { action: c.action, alert, repository, organization: { login: ORG }, sender };
    }
    const {
      repository,
      updated_at: _updated,
      fixed_at: _fixed,
      ...alert
    } = renderer.codeScanning(c.alert, new Date(c.event.at)) as Record<string, unknown>;
    return {
      action: c.action,
      alert,
      ref: BY_PERSON.has(c.action) ? '' : 'refs/heads/main',
      commit_oid: BY_PERSON.has(c.action) ? '' : '0'.repeat(40),
      repository: { ...(repository as object), default_branch: 'main' },
      organization: { login: ORG },
      sender: { ...sender, login: c.event.actor ?? 'github-advanced-security[bot]' },
    };
  };

  /** The state GitHub shows right after `at`, in the ledger's terms; null before the alert exists. */
  const stateAt = (alert: HookedAlert, at: string) => {
    const raw =
      alert.alertType === 'dependabot'
        ? renderer.dependabot(alert, new Date(at))
        : renderer.codeScanning(alert, new Date(at));
    return raw ? normalizeAlert(alert.alertType, raw).state : null;
  };

  /**
   * What is wrong after a complete snapshot at `now`: its counts must be GitHub's at `now`, and
   * each stored alert in GitHub's state at `now`, or, for an alert a delivery racing the snapshot
   * brought news of, at that news (`newsAt`: the latest change delivered and taken of each alert).
   */
  const wrongWith = async (
    store: DynamoStore,
    m: SnapshotManifest,
    now: number,
    newsAt: ReadonlyMap<string, string>,
  ): Promise<string[]> => {
    const rendered = renderAlertsAt(demo, new Date(now));
    const alerts = ALERT_TYPES.flatMap((t) => rendered[t].map((raw) => normalizeAlert(t, raw)));
    const stored = await store.loadAlerts(ORG);
    const counts = emptyOpenCounts();
    const wrong: string[] = [];
    const demoOf = new Map(
      [...demo.alerts.dependabot, ...demo.alerts.code_scanning].map((a) => [keyOf(a), a]),
    );
    for (const a of alerts) {
      if (a.state === 'open') counts[a.alertType][a.severity] += 1;
      const s = stored.get(alertKey(a))?.alert;
      const news = newsAt.get(alertKey(a));
      const truth = demoOf.get(alertKey(a));
      const expected = news !== undefined && Date.parse(news) > now && truth ? stateAt(truth, news) : a.state;
      if (s?.state !== expected)
        wrong.push(`${alertKey(a)} stored ${s?.state ?? 'nowhere'}, GitHub ${expected}`);
    }
    const born = [...newsAt.keys()].filter((k) => !alerts.some((a) => alertKey(a) === k)).length;
    if (stored.size !== alerts.length + born)
      wrong.push(`${stored.size} alerts stored, GitHub has ${alerts.length} and ${born} delivered since`);
    expect(m.openBySeverity).toEqual(counts);
    return wrong.slice(0, 5);
  };

  /**
   * Whether `t.at` is a time the history may give a change to `t.to` of `truth`: the change's own
   * time, or (a code scanning change a webhook dated by arrival) a time GitHub was in that state
   * since its latest change, no later than that change's latest delivery (`lastArrival`).
   */
  const trueAt = (
    truth: HookedAlert,
    t: { to: string; at: string; source: string },
    lastArrival: ReadonlyMap<DemoAlertEvent, number>,
  ): boolean => {
    const ms = Date.parse(t.at);
    if (stateAt(truth, t.at) !== t.to) return false;
    if (truth.events.some((e) => Date.parse(e.at) === ms)) return true;
    if (truth.alertType !== 'code_scanning' || t.source !== 'webhook') return false;
    const latest = truth.events.findLast((e) => Date.parse(e.at) <= ms);
    if (latest === undefined || ms > (lastArrival.get(latest) ?? Number.NEGATIVE_INFINITY)) return false;
    // The next snapshot asks GitHub: a change it finds quiet since well before the delivery is
    // dated by GitHub's own time. Arrival stands only for a fresh delivery, or when GitHub moved on.
    const fresh = ms - Date.parse(latest.at) <= PROVISIONAL_SLACK_MS;
    return fresh || truth.events.some((e) => Date.parse(e.at) > ms);
  };

  /** Transitions that break an alert's chain, or that no change of GitHub's history at that time made. */
  const untrue = async (
    store: DynamoStore,
    lastArrival: ReadonlyMap<DemoAlertEvent, number>,
  ): Promise<string[]> => {
    const { stored, chains } = await alertHistories(store, ORG);
    const demoOf = new Map(
      [...demo.alerts.dependabot, ...demo.alerts.code_scanning].map((a) => [keyOf(a), a]),
    );
    const problems: string[] = [];
    for (const [key, { alert }] of stored) {
      const chain = chains.get(key) ?? [];
      const steps = chain.map((t) => `${t.from ?? 'new'}>${t.to}@${t.at.slice(5, 19)}`).join(' ');
      if (chainBroken(chain, alert.state)) problems.push(`${key}: chain ${steps}, stored ${alert.state}`);
      const truth = demoOf.get(key);
      if (!truth) continue;
      for (const t of chain) {
        if (!trueAt(truth, t, lastArrival))
          problems.push(
            `${key}: ${t.from ?? 'new'}>${t.to} at ${t.at} (${t.source}) is no change of GitHub's`,
          );
      }
    }
    return problems.slice(0, 8);
  };

  it(
    'never counts a change twice, never invents or misdates one, and calls no snapshot complete that is not',
    async () => {
      let table = 0;
      const schedule = fc.record({
        delays: fc.array(fc.constantFrom(...DELAYS), {
          minLength: changes.length,
          maxLength: changes.length,
        }),
        twice: fc.array(fc.boolean(), { minLength: changes.length, maxLength: changes.length }),
        // GitHub's redelivery (a retry, or one asked for): the same X-GitHub-Delivery, hours later.
        redelivered: fc.array(fc.boolean(), { minLength: changes.length, maxLength: changes.length }),
        snapshots: fc.array(
          fc.record({
            at: fc.integer({ min: 1, max: 14 * 24 - 1 }).map((h) => START + h * HOUR + 30 * 60_000),
            mode: fc.constantFrom<'incremental' | 'full'>('incremental', 'incremental', 'full'),
          }),
          { minLength: 1, maxLength: 6 },
        ),
        // Snapshots minutes before a change, with its delivery (and what else arrives meanwhile)
        // running during it, before the store calls `hooks` (counted once it has settled).
        races: fc.array(
          fc.record({
            // A change of an alert the snapshot lists: one that closes or reopens it.
            change: fc.constantFrom(...changes.flatMap((c, i) => (c.action === 'created' ? [] : [i]))),
            minutesBefore: fc.integer({ min: 1, max: 20 }),
            mode: fc.constantFrom<'incremental' | 'full'>('incremental', 'full'),
            // Early calls (reading what is stored) as often as the writes of the pages.
            hooks: fc.array(fc.oneof(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 60 })), {
              minLength: 1,
              maxLength: 4,
            }),
          }),
          { minLength: 1, maxLength: 4 },
        ),
      });
      await fc.assert(
        fc.asyncProperty(schedule, async ({ delays: drawn, twice, redelivered, snapshots, races }) => {
          table += 1;
          const { store, client } = await createTestStore(`hooks-${table}`);
          // A raced change is delivered within seconds of happening, while the snapshot runs.
          const delays = [...drawn];
          for (const r of races) delays[r.change] = 1_000;
          const deps = {
            gh: createGitHubClient({ token: TOKEN, baseUrl: github.url, retryAfterBaseValue: 10 }),
            store,
            log: silentLog,
          };
          const trace: string[] = [];
          type Happening = { at: number; order: number } & (
            | { kind: 'delivery'; change: Change; id: string }
            | { kind: 'snapshot'; mode: 'incremental' | 'full'; hooks?: number[] }
          );
          const happenings: Happening[] = [
            // The ledger starts with a full snapshot, and ends with one after the last delivery.
            { at: START, order: 0, kind: 'snapshot', mode: 'full' },
            ...snapshots.map((s, i): Happening => ({ ...s, order: i + 1, kind: 'snapshot' })),
            ...races.flatMap((r, i): Happening[] => {
              const at = Date.parse((changes[r.change] as Change).event.at) - r.minutesBefore * 60_000;
              return at > START && at < END
                ? [{ at, order: snapshots.length + i + 1, kind: 'snapshot', mode: r.mode, hooks: r.hooks }]
                : [];
            }),
            ...changes.flatMap((change, i): Happening[] => {
              const at = Date.parse(change.event.at) + (delays[i] ?? 1_000);
              const first: Happening = { at, order: 0, kind: 'delivery', change, id: `d-${i}` };
              return [
                first,
                ...(twice[i] ? [{ ...first, at: at + 30 * 60_000, id: `d-${i}-second-hook` }] : []),
                ...(redelivered[i] ? [{ ...first, at: at + 2 * HOUR }] : []),
              ];
            }),
          ];
          happenings.sort((x, y) => x.at - y.at || x.order - y.order);
          const last = Math.max(END, ...happenings.map((h) => h.at)) + 60_000;
          happenings.push({ at: last, order: 0, kind: 'snapshot', mode: 'full' });

          /** The latest change delivered of each alert (its time). */
          const newsAt = new Map<string, string>();
          const deliver = async (h: Extract<Happening, { kind: 'delivery' }>) => {
            const key = keyOf(h.change.alert);
            const before = (await store.getAlert(ORG, key))?.alert.state;
            const res = await receiveWebhook(
              { store, secrets: [SECRET], log: silentLog },
              await signedDelivery(SECRET, `${h.change.alert.alertType}_alert`, payloadOf(h.change), {
                delivery: h.id,
                receivedAt: new Date(h.at).toISOString(),
              }),
            );
            const what = `${h.change.action} ${h.change.alert.repository}#${h.change.alert.number} of ${h.change.event.at.slice(5, 19)}`;
            trace.push(
              `${new Date(h.at).toISOString().slice(5, 19)} ${what}: ${res.status} ${res.body.message}`,
            );
            expect(res.status, trace.join('\n')).toBe(200);
            if (/left to the next snapshot/.test(res.body.message)) {
              // Only a change into the state the ledger holds (a reopen, for an alert it has not
              // recorded yet) is left to the next snapshot.
              expect(before ?? 'open', trace.join('\n')).toBe(stateAt(h.change.alert, h.change.event.at));
            } else if (h.change.event.at > (newsAt.get(key) ?? '')) newsAt.set(key, h.change.event.at);
          };
          for (let i = 0; i < happenings.length; i++) {
            const h = happenings[i] as Happening;
            const now = Math.min(h.at, END);
            if (h.kind === 'delivery') {
              await deliver(h);
              continue;
            }
            // A racing snapshot: what arrives while it runs is delivered during it.
            const during: Extract<Happening, { kind: 'delivery' }>[] = [];
            while (h.hooks) {
              const next = happenings[i + 1];
              if (next?.kind !== 'delivery' || next.at > h.at + RACE_MS) break;
              during.push(next);
              i += 1;
            }
            let calls = 0;
            const hooks = new Set(h.hooks ?? []);
            const racing = (method: string) => async () => {
              calls += 1;
              if (!hooks.has(calls) || during.length === 0) return;
              trace.push(`  during the snapshot, before its call ${calls} (${method}):`);
              await deliver(during.shift() as Extract<Happening, { kind: 'delivery' }>);
            };
            github.setNow(new Date(now));
            const m = await takeSnapshot(
              { ...deps, store: during.length > 0 ? racingStore(client, store.tableName, racing) : store },
              { org: ORG, now: new Date(now), mode: h.mode },
            );
            trace.push(
              `${new Date(h.at).toISOString().slice(5, 19)} snapshot ${h.mode}${h.hooks ? ` raced at calls ${[...hooks].join(', ')}` : ''}: ${m.complete ? 'complete' : 'incomplete'}`,
            );
            // What arrived meanwhile but found no call to race: delivered as the snapshot ends.
            for (const d of during.splice(0)) await deliver(d);
            const wrong = m.complete ? await wrongWith(store, m, now, newsAt) : [];
            expect(wrong, trace.join('\n')).toEqual([]);
          }
          const arrivals = new Map<Change, number>();
          const lastArrival = new Map<DemoAlertEvent, number>();
          for (const h of happenings) {
            if (h.kind !== 'delivery') continue;
            if (!arrivals.has(h.change)) arrivals.set(h.change, h.at);
            lastArrival.set(h.change.event, h.at);
          }
          expect(await untrue(store, lastArrival), trace.slice(-60).join('\n')).toEqual([]);
          // And a lower bound: a change the ledger saw while it still stood (its delivery, or a
          // snapshot, before the alert's next change), after seeing the state before it, is in
          // the history at its own time (code scanning: see `trueAt`).
          const snapshotAt = happenings.filter((h) => h.kind === 'snapshot').map((h) => Math.min(h.at, END));
          const byEvent = new Map(changes.map((c) => [c.event, c]));
          const seen = (alert: HookedAlert, index: number): boolean => {
            const event = alert.events[index];
            if (!event) return false;
            const change = byEvent.get(event);
            if (!change) return true; // before the ledger began: the first full snapshot saw it
            const at = Date.parse(event.at);
            const next = Date.parse(alert.events[index + 1]?.at ?? '9999-12-31T00:00:00Z');
            return (
              (arrivals.get(change) ?? Number.POSITIVE_INFINITY) < next ||
              snapshotAt.some((t) => t >= at && t < next)
            );
          };
          const history = await store.listTransitions(ORG);
          const missing = changes
            .filter((c) => seen(c.alert, c.index) && (c.index === 0 || seen(c.alert, c.index - 1)))
            .filter((c) => {
              const key = keyOf(c.alert);
              const to = stateAt(c.alert, c.event.at);
              const from = Date.parse(c.event.at);
              const until = c.alert.alertType === 'code_scanning' ? (lastArrival.get(c.event) ?? from) : from;
              return !history.some(
                (t) =>
                  alertKey(t) === key && t.to === to && Date.parse(t.at) >= from && Date.parse(t.at) <= until,
              );
            })
            .map(
              (c) =>
                `${c.action} ${c.alert.repository}#${c.alert.number} at ${c.event.at} is not in the history`,
            );
          expect(missing.slice(0, 8), trace.slice(-60).join('\n')).toEqual([]);
        }),
        { numRuns: RUNS, seed: SEED, endOnFailure: process.env.PROPERTY_SHRINK === '0' },
      );
    },
    RUNS * 30_000,
  );
});

/** A store whose calls in RACE_POINTS first run `before(method)`: a delivery racing the snapshot. */
function racingStore(
  client: DynamoDBClient,
  table: string,
  before: (method: string) => () => Promise<void>,
): DynamoStore {
  const store = new DynamoStore(client, table);
  const methods = store as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  const wrap = (name: string, hook: () => Promise<void>) => {
    const original = (methods[name] as (...args: unknown[]) => Promise<unknown>).bind(store);
    Object.defineProperty(store, name, {
      value: async (...args: unknown[]) => {
        await hook();
        return await original(...args);
      },
    });
  };
  // The settling reads the provisional changes, asks GitHub, then the run reads its cursors.
  let phase: 'before' | 'settling' | 'racing' = 'before';
  wrap('listProvisional', async () => {
    if (phase === 'before') phase = 'settling';
  });
  wrap('getCursor', async () => {
    if (phase === 'settling') phase = 'racing';
  });
  for (const name of RACE_POINTS) {
    const hook = before(name);
    wrap(name, async () => {
      if (phase === 'racing') await hook();
    });
  }
  return store;
}
