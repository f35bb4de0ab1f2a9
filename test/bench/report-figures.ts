/**
 * The weekly steady state of the report benchmark: the reports of the trend's earlier periods
 * have been issued, so their figures are stored (`putPeriodFigures`) and a report reads only its
 * own period's history. The figures are computed here from every stored item (the naive read),
 * period by period, as the reports issued for those periods would have stated them.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { lastPeriods, parsePeriodId } from '../../functions/core/periods.ts';
import { computeReport, periodFigures } from '../../functions/core/report.ts';
import { DEFAULT_SLA_POLICY } from '../../functions/core/report-model.ts';
import { DynamoStore } from '../../functions/store/dynamo-store.ts';
import { scopeFingerprint } from '../../functions/use-cases/report-scopes.ts';

export async function storeIssuedFigures(
  client: DynamoDBClient,
  table: string,
  org: string,
  periodId: string,
  trendPeriods: number,
  generatedAt: string,
): Promise<{ periods: number; ms: number }> {
  const started = performance.now();
  const store = new DynamoStore(client, table);
  const period = parsePeriodId(periodId);
  const earlier = lastPeriods(period, trendPeriods).slice(0, -1);
  const [stored, transitions, manifests, auditEvents] = await Promise.all([
    store.loadAlerts(org),
    store.listTransitions(org, { to: period.end }),
    store.listManifests(org),
    store.listAuditEvents(org),
  ]);
  const alerts = [...stored.values()].map((s) => s.alert);
  for (const [i, p] of earlier.entries()) {
    const report = computeReport({
      org,
      period: p,
      trendPeriods: [p],
      alerts,
      transitions,
      manifests,
      auditEvents,
      generatedAt,
      slaPolicy: DEFAULT_SLA_POLICY,
    });
    const figures = periodFigures(report, `bench-${p.id}-${i}`);
    if (!figures) throw new Error(`${p.id} is not complete: ${report.incompleteReasons.join('; ')}`);
    await store.putPeriodFigures(org, 'org', figures, scopeFingerprint(null), generatedAt);
  }
  return { periods: earlier.length, ms: performance.now() - started };
}
