/**
 * Random sequences of snapshots against one simulated enterprise, each checked against what
 * GitHub holds at its instant: enterprise runs with and without `orgs`, organisation runs, both
 * modes, and faults (a listing refused, invalid alerts and audit events, a flaky server, a run
 * paused at its time limit, a Lambda cut off). Targeted tests cover the cases someone thought
 * of; this one looks for the sequences nobody did.
 *
 * What must hold after every run:
 * - an organisation a manifest calls complete has every alert stored in GitHub's state, counts
 *   that match, and every alert audit event up to the instant;
 * - every stored alert's transitions follow one another to its stored state (none counted twice);
 * - once the faults stop and paused runs are finished, the next scheduled run naming both
 *   organisations is complete and exact for both, and so is each organisation's own incremental
 *   run from the watermarks the faulty runs left it.
 *
 * `PROPERTY_RUNS` and `PROPERTY_SEED` explore further than the default, e.g.
 * `PROPERTY_RUNS=200 PROPERTY_SEED=7 npx vitest run test/integration/snapshot-enterprise-property.test.ts`.
 */
import { isDeepStrictEqual } from 'node:util';
import { DeleteTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ALERT_TYPES,
  type Alert,
  type AuditEvent,
  emptyOpenCounts,
  type SnapshotManifest,
} from '../../functions/core/model.ts';
import { normalizeAlert } from '../../functions/core/normalize.ts';
import { normalizeAuditEvent } from '../../functions/core/normalize-audit.ts';
import { createGitHubClient } from '../../functions/github/client.ts';
import { AUDIT_ACTIONS } from '../../functions/github/pages.ts';
import { DynamoStore } from '../../functions/store/dynamo-store.ts';
import { ConcurrentUpdateError } from '../../functions/store/errors.ts';
import { silentLog } from '../../functions/use-cases/log.ts';
import {
  type SnapshotDeps,
  takeEnterpriseSnapshot,
  takeSnapshot,
} from '../../functions/use-cases/take-snapshot.ts';
import { WEB_RETENTION_DAYS } from '../../infra/local/github/audit-query.ts';
import { generateDemoOrg } from '../../infra/local/github/demo-org.ts';
import type { DemoOrg } from '../../infra/local/github/demo-types.ts';
import type { Fault } from '../../infra/local/github/faults.ts';
import { renderAlertsAt } from '../../infra/local/github/render.ts';
import { type SimulatedGitHub, startSimulatedGitHub } from '../../infra/local/github/server.ts';
import { jumpingClock } from '../support/clock.ts';
import { createTestStore } from '../support/dynamo.ts';
import { alertHistories, chainBroken } from '../support/history.ts';

const END = Date.parse('2026-11-16T00:00:00.000Z');
const HOUR = 3600_000;
const DAY = 24 * HOUR;
const START = END - 21 * DAY;
const TOKEN = 'enterprise-property-token';
const ENTERPRISE = 'octo-corp';
const ORGS = ['octo-demo', 'octo-payments'] as const;
type Org = (typeof ORGS)[number];
const CUT = 'Task timed out after 900.00 seconds';

const LISTINGS = {
  dependabot: /\/dependabot\/alerts/,
  secret_scanning: /\/secret-scanning\/alerts/,
  code_scanning: /\/code-scanning\/alerts/,
  audit_log: /\/audit-log/,
} as const;
type Listing = keyof typeof LISTINGS;

type Run =
  | { kind: 'enterprise'; orgs: Org[] | undefined; mode: 'incremental' | 'full' }
  | { kind: 'org'; org: Org; mode: 'incremental' | 'full' };
type Trouble =
  /**
   * GitHub refuses a listing for the whole run: feature off (403/404) or invalid (422); for every
   * organisation or one (its own listing), for every request or only a full run's (`sort=created`).
   */
  | { kind: 'refuse'; listing: Listing; status: 403 | 404 | 422; org: Org | null; fullOnly: boolean }
  /** One item of one page lacks fields the model needs, or the page is not JSON; once or always. */
  | { kind: 'corrupt'; listing: Listing; page: number; item: number | 'page'; always: boolean }
  /** 502s a retry gets past. */
  | { kind: 'flaky'; listing: Listing; page: number }
  /** The run stops at its time limit after a few clock readings, and is resumed. */
  | { kind: 'pause'; readings: number }
  /** The Lambda dies after a number of alert writes, its lease held until it expires. */
  | { kind: 'cut'; writes: number };
interface Step {
  /** How far GitHub and the schedule move before the run (not while a snapshot is unfinished). */
  advance: number;
  run: Run;
  troubles: Trouble[];
}

const orgList = fc.constantFrom<Org[] | undefined>(undefined, ['octo-demo'], ['octo-payments'], [...ORGS]);
const mode = fc.constantFrom<'incremental' | 'full'>('incremental', 'incremental', 'full');
const listing = fc.constantFrom<Listing>('dependabot', 'secret_scanning', 'code_scanning', 'audit_log');
const stepArb: fc.Arbitrary<Step> = fc.record({
  advance: fc.constantFrom(0, 6 * HOUR, DAY, 3 * DAY),
  run: fc.oneof(
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('enterprise' as const), orgs: orgList, mode }) },
    {
      weight: 1,
      arbitrary: fc.record({ kind: fc.constant('org' as const), org: fc.constantFrom(...ORGS), mode }),
    },
  ),
  troubles: fc.array(
    fc.oneof(
      fc.record({
        kind: fc.constant('refuse' as const),
        listing,
        status: fc.constantFrom<403 | 404 | 422>(403, 404, 422),
        org: fc.constantFrom<Org | null>(null, null, ...ORGS),
        fullOnly: fc.boolean(),
      }),
      fc.record({
        kind: fc.constant('corrupt' as const),
        listing,
        page: fc.integer({ min: 1, max: 3 }),
        item: fc.oneof(fc.integer({ min: 0, max: 60 }), fc.constant('page' as const)),
        always: fc.boolean(),
      }),
      fc.record({ kind: fc.constant('flaky' as const), listing, page: fc.integer({ min: 1, max: 2 }) }),
      fc.record({ kind: fc.constant('pause' as const), readings: fc.integer({ min: 2, max: 8 }) }),
      fc.record({ kind: fc.constant('cut' as const), writes: fc.integer({ min: 1, max: 4 }) }),
    ),
    { maxLength: 2 },
  ),
});

const RUNS = Number(process.env.PROPERTY_RUNS ?? 12);
const SEED = Number(process.env.PROPERTY_SEED ?? 20261122);

describe('enterprise snapshots over random sequences of runs and faults', () => {
  let demos: Map<Org, DemoOrg>;
  let github: SimulatedGitHub;

  beforeAll(async () => {
    demos = new Map(
      ORGS.map((org, i) => [
        org,
        generateDemoOrg({ org, seed: 31 + i, weeks: 3, endsAt: new Date(END).toISOString() }),
      ]),
    );
    // No rate limit: one server serves every case and every shrink, for longer than an hour's 5,000.
    github = await startSimulatedGitHub({
      demos: [...demos.values()],
      enterprise: ENTERPRISE,
      token: TOKEN,
      rateLimit: Number.MAX_SAFE_INTEGER,
    });
  });
  afterAll(async () => {
    await github.close();
  });

  /** GitHub's alerts of `org` at `now`, normalised. */
  const truth = (org: Org, now: number): Alert[] => {
    const rendered = renderAlertsAt(demos.get(org) as DemoOrg, new Date(now));
    return ALERT_TYPES.flatMap((t) => rendered[t].map((raw) => normalizeAlert(t, raw)));
  };
  /** The ids of the alert audit events of `org` GitHub shows at `now`. */
  /**
   * The alert audit events of `org` GitHub has written up to `now`, as the ledger should store
   * them, by id; `visible`: only those GitHub still shows (its retention).
   */
  const auditTruth = (org: Org, now: number, visible: boolean): Map<string, AuditEvent> =>
    new Map(
      (demos.get(org) as DemoOrg).auditEvents
        .filter(
          (e) =>
            e['@timestamp'] <= now &&
            (!visible || e['@timestamp'] > now - WEB_RETENTION_DAYS * 86_400_000) &&
            AUDIT_ACTIONS.some((a) => e.action.startsWith(`${a}.`)),
        )
        .map((e) => [e._document_id, normalizeAuditEvent(e, org)]),
    );

  /**
   * What is wrong with what `store` holds of a complete manifest's organisation at `now`, as
   * readable lines. A stream GitHub said is off is a coverage gap: its alerts count as the ledger
   * last knew them.
   */
  const wrongWith = async (
    store: DynamoStore,
    m: SnapshotManifest,
    now: number,
    /** The listings GitHub answered as off (403/404) while the snapshot was under way. */
    off: ReadonlySet<string>,
  ): Promise<string[]> => {
    const org = m.org as Org;
    const listed = (stream: string) =>
      m.streams.filter((s) => s.stream === stream).every((s) => s.status === 'finished');
    const stored = await store.loadAlerts(org);
    // A gap only where GitHub said the feature is off; anything else unfinished is not complete.
    const problems = m.streams
      .filter((s) => s.status !== 'finished' && !(s.status === 'unavailable' && off.has(s.stream)))
      .map((s) => `${s.lane ?? s.stream} ${s.status} in a complete manifest`);
    const counts = emptyOpenCounts();
    let wrongState = 0;
    let gone = 0;
    let total = 0;
    for (const a of truth(org, now)) {
      if (!listed(a.alertType)) continue;
      total += 1;
      if (a.state === 'open') counts[a.alertType][a.severity] += 1;
      const s = stored.get(`${a.alertType}#${a.repository}#${a.number}`);
      if (s?.alert.state !== a.state) wrongState += 1;
      else if (s.snap?.noLongerReported) gone += 1;
    }
    let storedListed = 0;
    for (const { alert } of stored.values()) {
      if (listed(alert.alertType)) storedListed += 1;
      else if (alert.state === 'open') counts[alert.alertType][alert.severity] += 1;
    }
    if (wrongState > 0)
      problems.push(`${wrongState} of ${total} listed alerts stored in another state or missing`);
    if (gone > 0) problems.push(`${gone} listed alerts marked no longer reported`);
    if (storedListed !== total)
      problems.push(`${storedListed} alerts of listed types stored, GitHub has ${total}`);
    if (!isDeepStrictEqual(m.openBySeverity, counts))
      problems.push(`open counts ${JSON.stringify(m.openBySeverity)}, expected ${JSON.stringify(counts)}`);
    if (listed('audit_log')) {
      const stored = new Map((await store.listAuditEvents(org)).map((e) => [e.id, e]));
      const missing = [...auditTruth(org, now, true).keys()].filter((id) => !stored.has(id));
      if (missing.length > 0) problems.push(`${missing.length} audit events missing`);
      // What is stored is GitHub's events as they are: none other, none changed.
      const written = auditTruth(org, now, false);
      const wrong = [...stored].filter(([id, e]) => !isDeepStrictEqual(written.get(id), e));
      if (wrong.length > 0) problems.push(`${wrong.length} stored audit events GitHub did not write so`);
    }
    return problems;
  };

  /**
   * What is wrong with `org`'s history, whatever the manifest says: each alert's transitions, in
   * time order, must follow one another from its creation to the state stored (a transition
   * counted twice, or lost, breaks the chain).
   */
  const brokenChains = async (store: DynamoStore, org: string): Promise<string[]> => {
    const { stored, chains } = await alertHistories(store, org);
    const problems: string[] = [];
    for (const [key, { alert }] of stored) {
      const chain = chains.get(key) ?? [];
      const states = chain.map((t) => `${t.from ?? 'new'}>${t.to}`).join(' ');
      if (chainBroken(chain, alert.state))
        problems.push(`${key}: transitions ${states || 'none'}, stored ${alert.state}`);
    }
    for (const key of chains.keys()) if (!stored.has(key)) problems.push(`${key}: transitions, no alert`);
    return problems;
  };

  /**
   * A refusal's path: one organisation's own listing in an organisation run (an enterprise run
   * asks the enterprise's), and a full run's requests only (`sort=created`) in a full run of an
   * alert listing; otherwise every request of the listing, so that the refusal hits.
   */
  const refusedPath = (t: Extract<Trouble, { kind: 'refuse' }>, run: Run): RegExp => {
    const scope = t.org && run.kind === 'org' ? `orgs/${t.org}` : '';
    const path = LISTINGS[t.listing].source;
    const fullOnly = t.fullOnly && run.mode === 'full' && t.listing !== 'audit_log';
    return new RegExp(`${scope}${path}${fullOnly ? '\\?.*sort=created' : ''}`);
  };
  const faultsOf = (t: Trouble, run: Run): Fault[] => {
    switch (t.kind) {
      case 'refuse':
        return [{ path: refusedPath(t, run), status: t.status, times: Number.POSITIVE_INFINITY }];
      case 'corrupt':
        return [
          {
            path: LISTINGS[t.listing],
            page: t.page,
            corrupt:
              t.item === 'page'
                ? 'invalid-json'
                : { dropFields: t.listing === 'audit_log' ? ['action'] : ['number', 'state'], item: t.item },
            times: t.always ? Number.POSITIVE_INFINITY : 1,
          },
        ];
      case 'flaky':
        return [{ path: LISTINGS[t.listing], page: t.page, status: 502, times: 2 }];
      default:
        return [];
    }
  };

  /** A store that dies, as a Lambda cut off would, after `writes` alert writes. */
  const dyingStore = (client: DynamoDBClient, store: DynamoStore, writes: number): DynamoStore => {
    let left = writes;
    return new (class extends DynamoStore {
      override async writeAlerts(...args: Parameters<DynamoStore['writeAlerts']>): Promise<void> {
        left -= 1;
        if (left < 0) throw new Error(CUT);
        return await super.writeAlerts(...args);
      }
    })(client, store.tableName);
  };

  const scopeKey = (run: Run) => (run.kind === 'org' ? run.org : `enterprise:${ENTERPRISE}`);
  const SCOPES: Run[] = [
    { kind: 'enterprise', orgs: [...ORGS], mode: 'incremental' },
    ...ORGS.map((org): Run => ({ kind: 'org', org, mode: 'incremental' })),
  ];
  const unfinished = async (store: DynamoStore) => {
    const left: Run[] = [];
    for (const run of SCOPES) if (await store.getCheckpoint(scopeKey(run))) left.push(run);
    return left;
  };

  /** Runs one snapshot; what it returned, or the error a cut-off or a held lease gave. */
  const execute = async (deps: SnapshotDeps, run: Run, now: number, deadline?: number) => {
    const at = new Date(now);
    const limit = deadline === undefined ? {} : { deadline };
    try {
      return run.kind === 'org'
        ? [await takeSnapshot(deps, { org: run.org, now: at, mode: run.mode, ...limit })]
        : await takeEnterpriseSnapshot(deps, {
            enterprise: ENTERPRISE,
            ...(run.orgs ? { orgs: run.orgs } : {}),
            now: at,
            mode: run.mode,
            ...limit,
          });
    } catch (e) {
      if (e instanceof ConcurrentUpdateError || (e instanceof Error && e.message.includes(CUT))) return e;
      throw e;
    }
  };

  it(
    'never calls an organisation complete that is not, and comes right once the faults stop',
    async () => {
      let table = 0;
      await fc.assert(
        fc.asyncProperty(fc.array(stepArb, { minLength: 2, maxLength: 6 }), async (steps) => {
          table += 1;
          const { store, client } = await createTestStore(`prop-${table}`);
          const gh = createGitHubClient({ token: TOKEN, baseUrl: github.url, retryAfterBaseValue: 10 });
          const deps: SnapshotDeps = { gh, store, log: silentLog };
          const trace: string[] = [];
          /** By scope: the listings GitHub answered as off while its snapshot was under way. */
          const refusedOff = new Map<string, Set<string>>();
          /** Checks every manifest called complete; returns the problems found, traced. */
          const check = async (
            result: SnapshotManifest[] | Error,
            now: number,
            label: string,
            scope: string,
          ) => {
            const off = refusedOff.get(scope) ?? new Set<string>();
            // A finished snapshot's refusals are behind it.
            if (!(result instanceof Error) && !result.some((m) => m.resumable)) refusedOff.delete(scope);
            if (result instanceof Error) {
              trace.push(`${label}: ${result.message.slice(0, 80)}`);
              return [];
            }
            const problems: string[] = [];
            for (const m of result) {
              const wrong = [
                ...(m.complete ? await wrongWith(store, m, now, off) : []),
                ...(await brokenChains(store, m.org)).slice(0, 5),
              ];
              trace.push(`${label}: ${m.org} ${m.mode} ${m.complete ? 'complete' : 'incomplete'}`);
              problems.push(...wrong.map((w) => `${label}, ${m.org} called complete: ${w}`));
            }
            return problems;
          };
          let now = START;
          try {
            for (const [i, step] of steps.entries()) {
              const pending = await unfinished(store);
              if (pending.length === 0) now = Math.min(END, now + step.advance);
              github.setNow(new Date(now));
              for (const f of step.troubles.flatMap((t) => faultsOf(t, step.run))) github.injectFault(f);
              // Listings GitHub answered as off while this scope's snapshot was under way.
              const off = refusedOff.get(scopeKey(step.run)) ?? new Set<string>();
              for (const t of step.troubles) if (t.kind === 'refuse' && t.status !== 422) off.add(t.listing);
              refusedOff.set(scopeKey(step.run), off);
              const cut = step.troubles.find((t) => t.kind === 'cut');
              const pause = step.troubles.find((t) => t.kind === 'pause');
              const runDeps: SnapshotDeps = {
                ...deps,
                ...(cut ? { store: dyingStore(client, store, cut.writes) } : {}),
                ...(pause ? { clock: jumpingClock() } : {}),
              };
              const deadline = pause ? pause.readings * 30_000 : undefined;
              const result = await execute(runDeps, step.run, now, deadline);
              github.clearFaults();
              if (result instanceof Error && result.message.includes(CUT)) {
                // The lease of the run that died expires.
                const held = await store.getCheckpoint(scopeKey(step.run));
                if (held && held.leaseUntil !== 0)
                  await store.putCheckpoint({ ...held, leaseUntil: 1 }, false);
              }
              const label = `step ${i + 1} (${new Date(now).toISOString().slice(5, 13)}h, ${JSON.stringify(step.run)}, ${JSON.stringify(step.troubles)})`;
              const problems = await check(result, now, label, scopeKey(step.run));
              expect(problems, trace.join('\n')).toEqual([]);
            }
            // The faults stop: what was left unfinished is finished, at the instant it began.
            for (let round = 0; round < 4; round += 1) {
              const pending = await unfinished(store);
              if (pending.length === 0) break;
              for (const run of pending) {
                const held = await store.getCheckpoint(scopeKey(run));
                if (held && held.leaseUntil !== 0)
                  await store.putCheckpoint({ ...held, leaseUntil: 1 }, false);
                const problems = await check(
                  await execute(deps, run, now),
                  now,
                  `finishing ${scopeKey(run)}`,
                  scopeKey(run),
                );
                expect(problems, trace.join('\n')).toEqual([]);
              }
            }
            expect(await unfinished(store), trace.join('\n')).toEqual([]);
            // The next scheduled run names both organisations.
            now = Math.min(END, now + DAY);
            github.setNow(new Date(now));
            const scheduled = await execute(deps, SCOPES[0] as Run, now);
            const problems = await check(
              scheduled,
              now,
              'scheduled run after the faults',
              scopeKey(SCOPES[0] as Run),
            );
            expect(problems, trace.join('\n')).toEqual([]);
            expect(
              scheduled instanceof Error ? scheduled.message : scheduled.map((m) => [m.org, m.complete]),
              trace.join('\n'),
            ).toEqual(ORGS.map((org) => [org, true]));
            // And each organisation's own incremental run, from the watermarks the faulty runs
            // left it (a watermark moved past a listing GitHub refused would miss what changed).
            for (const run of SCOPES.slice(1)) {
              const own = await execute(deps, run, now);
              expect(
                await check(own, now, `${scopeKey(run)} after the faults`, scopeKey(run)),
                trace.join('\n'),
              ).toEqual([]);
              expect(
                own instanceof Error ? own.message : own.map((m) => m.complete),
                trace.join('\n'),
              ).toEqual([true]);
            }
          } finally {
            github.clearFaults();
            await client.send(new DeleteTableCommand({ TableName: store.tableName })).catch(() => undefined);
          }
        }),
        { numRuns: RUNS, seed: SEED },
      );
    },
    RUNS * 30_000,
  );
});
