import { describe, expect, it } from 'vitest';
import { emptyOpenCounts, type SnapshotManifest } from '../../../functions/core/model.ts';
import { lastPeriods, parsePeriodId } from '../../../functions/core/periods.ts';
import { computeReport } from '../../../functions/core/report.ts';
import { DEFAULT_SLA_POLICY } from '../../../functions/core/report-model.ts';
import { makeAlert } from '../../support/alerts.ts';

function manifest(takenAt: string, overrides: Partial<SnapshotManifest> = {}): SnapshotManifest {
  return {
    org: 'octo-demo',
    snapshotId: `s-${takenAt}`,
    takenAt,
    mode: 'full',
    complete: true,
    streams: [
      { stream: 'dependabot', lane: 'dependabot', status: 'finished', items: 1, pages: 1, skipped: 0 },
      {
        stream: 'code_scanning',
        lane: 'code_scanning',
        status: 'unavailable',
        items: 0,
        pages: 0,
        skipped: 0,
        message: 'code_scanning is not available (403)',
      },
    ],
    alertsSeen: 1,
    alertsWritten: 0,
    transitionsWritten: 0,
    auditEventsWritten: 0,
    openBySeverity: emptyOpenCounts(),
    openByRepository: {},
    ...overrides,
  };
}

describe('coverage in report.json', () => {
  const period = parsePeriodId('2026-W46');
  const report = (manifests: SnapshotManifest[]) =>
    computeReport({
      org: 'octo-demo',
      period,
      generatedAt: '2026-11-16T07:00:00Z',
      alerts: [makeAlert()],
      transitions: [],
      auditEvents: [],
      manifests,
      slaPolicy: DEFAULT_SLA_POLICY,
      trendPeriods: lastPeriods(period, 2),
    });

  it('names the streams the snapshot at the period end could not read', () => {
    const r = report([manifest('2026-11-09T00:00:00Z'), manifest('2026-11-16T00:00:00Z')]);
    expect(r.complete).toBe(true);
    expect(r.coverageGaps).toEqual([
      { stream: 'code_scanning', lane: 'code_scanning', message: 'code_scanning is not available (403)' },
    ]);
  });

  it('counts alerts full reconciliations found no longer listed inside the period, start exclusive, end inclusive', () => {
    const r = report([
      manifest('2026-11-09T00:00:00Z', { noLongerReported: 5 }),
      manifest('2026-11-12T00:00:00Z', { noLongerReported: 2 }),
      manifest('2026-11-16T00:00:00Z', { noLongerReported: 1 }),
      manifest('2026-11-17T00:00:00Z', { noLongerReported: 7 }),
    ]);
    expect(r.noLongerReported).toBe(3);
  });
});
