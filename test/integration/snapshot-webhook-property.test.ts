/**
 * Webhooks and snapshots over random schedules: every Dependabot and code scanning change of a
 * simulated organisation's two weeks is delivered as GitHub's webhook would send it, each after a
 * random delay (so some arrive out of order, some after a snapshot saw their state, some twice
 * through a second hook), between snapshots taken at random times in either mode. Code scanning
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
 * `PROPERTY_RUNS` and `PROPERTY_SEED` explore further, as in snapshot-enterprise-property.test.ts.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALERT_TYPES, alertKey, emptyOpenCounts, type SnapshotManifest } from '../../functions/core/model.ts';
import { normalizeAlert } from '../../functions/core/normalize.ts';
import { PROVISIONAL_SLACK_MS } from '../../functions/core/provisional.ts';
import { createGitHubClient } from '../../functions/github/client.ts';
import type { DynamoStore } from '../../functions/store/dynamo-store.ts';
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

  const wrongWith = async (store: DynamoStore, m: SnapshotManifest, now: number): Promise<string[]> => {
    const rendered = renderAlertsAt(demo, new Date(now));
    const alerts = ALERT_TYPES.flatMap((t) => rendered[t].map((raw) => normalizeAlert(t, raw)));
    const stored = await store.loadAlerts(ORG);
    const counts = emptyOpenCounts();
    const wrong: string[] = [];
    for (const a of alerts) {
      if (a.state === 'open') counts[a.alertType][a.severity] += 1;
      const s = stored.get(alertKey(a))?.alert;
      if (s?.state !== a.state)
        wrong.push(`${alertKey(a)} stored ${s?.state ?? 'nowhere'}, GitHub ${a.state}`);
    }
    if (stored.size !== alerts.length)
      wrong.push(`${stored.size} alerts stored, GitHub has ${alerts.length}`);
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
        snapshots: fc.array(
          fc.record({
            at: fc.integer({ min: 1, max: 14 * 24 - 1 }).map((h) => START + h * HOUR + 30 * 60_000),
            mode: fc.constantFrom<'incremental' | 'full'>('incremental', 'incremental', 'full'),
          }),
          { minLength: 1, maxLength: 6 },
        ),
      });
      await fc.assert(
        fc.asyncProperty(schedule, async ({ delays, twice, snapshots }) => {
          table += 1;
          const { store } = await createTestStore(`hooks-${table}`);
          const deps = {
            gh: createGitHubClient({ token: TOKEN, baseUrl: github.url, retryAfterBaseValue: 10 }),
            store,
            log: silentLog,
          };
          const trace: string[] = [];
          type Happening = { at: number; order: number } & (
            | { kind: 'delivery'; change: Change; id: string }
            | { kind: 'snapshot'; mode: 'incremental' | 'full' }
          );
          const happenings: Happening[] = [
            // The ledger starts with a full snapshot, and ends with one after the last delivery.
            { at: START, order: 0, kind: 'snapshot', mode: 'full' },
            ...snapshots.map((s, i): Happening => ({ ...s, order: i + 1, kind: 'snapshot' })),
            ...changes.flatMap((change, i): Happening[] => {
              const at = Date.parse(change.event.at) + (delays[i] ?? 1_000);
              const first: Happening = { at, order: 0, kind: 'delivery', change, id: `d-${i}` };
              return twice[i]
                ? [first, { ...first, at: at + 30 * 60_000, id: `d-${i}-second-hook` }]
                : [first];
            }),
          ];
          happenings.sort((x, y) => x.at - y.at || x.order - y.order);
          const last = Math.max(END, ...happenings.map((h) => h.at)) + 60_000;
          happenings.push({ at: last, order: 0, kind: 'snapshot', mode: 'full' });

          for (const h of happenings) {
            const now = Math.min(h.at, END);
            if (h.kind === 'delivery') {
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
            } else {
              github.setNow(new Date(now));
              const m = await takeSnapshot(deps, { org: ORG, now: new Date(now), mode: h.mode });
              trace.push(
                `${new Date(h.at).toISOString().slice(5, 19)} snapshot ${h.mode}: ${m.complete ? 'complete' : 'incomplete'}`,
              );
              const wrong = m.complete ? await wrongWith(store, m, now) : [];
              expect(wrong, trace.join('\n')).toEqual([]);
            }
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
        { numRuns: RUNS, seed: SEED },
      );
    },
    RUNS * 30_000,
  );
});
