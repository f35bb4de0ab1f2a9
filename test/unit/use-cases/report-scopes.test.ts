import { describe, expect, it } from 'vitest';
import type { Alert, AuditEvent, SnapshotManifest, Transition } from '../../../functions/core/model.ts';
import { emptyOpenCounts } from '../../../functions/core/model.ts';
import { limitToRepositories, reportScopes } from '../../../functions/use-cases/report-scopes.ts';

const alert = (repository: string, number: number): Alert => ({
  alertType: 'dependabot',
  repository,
  number,
  state: 'open',
  severity: 'high',
  title: `alert ${number}`,
  ruleId: 'GHSA-x',
  htmlUrl: `https://github.com/${repository}/security/dependabot/${number}`,
  createdAt: '2026-11-10T00:00:00Z',
  updatedAt: '2026-11-10T00:00:00Z',
  closedAt: null,
  closedBy: null,
  reason: null,
  comment: null,
});
const transition = (repository: string, number: number): Transition => ({
  alertType: 'dependabot',
  repository,
  number,
  from: null,
  to: 'open',
  at: '2026-11-10T00:00:00Z',
  actor: null,
  reason: null,
  comment: null,
  source: 'snapshot',
});
const audit = (id: string, repository: string | null): AuditEvent => ({
  id,
  action: 'repository_vulnerability_alert.dismiss',
  actor: 'mona',
  at: '2026-11-10T00:00:00Z',
  repository,
  alertNumber: 1,
  reason: null,
  secretType: null,
});
const manifest: SnapshotManifest = {
  org: 'octo',
  snapshotId: 's1',
  takenAt: '2026-11-16T00:00:00Z',
  mode: 'full',
  complete: true,
  streams: [
    { stream: 'code_scanning', status: 'unavailable', items: 0, pages: 0, skipped: 0, message: 'off' },
  ],
  alertsSeen: 3,
  alertsWritten: 3,
  transitionsWritten: 3,
  auditEventsWritten: 2,
  openBySeverity: { ...emptyOpenCounts(), dependabot: { critical: 0, high: 3, medium: 0, low: 0 } },
  openByRepository: { 'octo/web': 1, 'octo/api': 1, 'octo/secret-project': 1 },
  noLongerReported: 4,
  skippedItems: [{ stream: 'dependabot', number: 9, reason: 'octo/secret-project: no severity' }],
};

describe('report scopes', () => {
  it('issues the organisation report, then one per team with recipients and repositories in the org', () => {
    const scopes = reportScopes('Octo', {
      'Web Team': {
        repositories: ['octo/web', 'OCTO/Web', 'octo/www', 'other/web'],
        recipients: ['w@octo.example'],
      },
      api: { repositories: ['octo/api'] },
      figures: ['octo/docs'],
      elsewhere: { repositories: ['other/app'], recipients: ['e@other.example'] },
      solo: { repositories: ['octo/solo'], recipients: ['s@octo.example'] },
    });
    expect(scopes.map((s) => [s.id, s.label, s.repositories, s.recipients])).toEqual([
      ['org', 'organisation-wide (every repository)', null, null],
      ['team-web-team', 'team Web Team (2 repositories)', ['OCTO/Web', 'octo/www'], ['w@octo.example']],
      ['team-solo', 'team solo (1 repository)', ['octo/solo'], ['s@octo.example']],
    ]);
    // The organisation report shows every team's figures; a team's shows its own row only.
    expect(Object.keys(scopes[0]?.teams ?? {})).toEqual(['Web Team', 'api', 'figures', 'elsewhere', 'solo']);
    expect(scopes[1]?.teams).toEqual({ 'Web Team': ['OCTO/Web', 'octo/www'] });
    expect(reportScopes('octo', undefined).map((s) => s.id)).toEqual(['org']);
  });

  it('keeps only the repositories’ alerts, transitions and audit events, whatever their case', () => {
    const input = {
      org: 'octo',
      alerts: [alert('octo/web', 1), alert('Octo/API', 2), alert('octo/secret-project', 3)],
      transitions: [
        transition('octo/web', 1),
        transition('Octo/API', 2),
        transition('octo/secret-project', 3),
      ],
      auditEvents: [audit('a', 'OCTO/WEB'), audit('b', 'octo/secret-project'), audit('c', null)],
      manifests: [
        manifest,
        {
          ...manifest,
          snapshotId: 's2',
          noLongerReportedByRepository: { 'octo/web': 1, 'OCTO/API': 2, 'octo/secret-project': 1 },
        },
      ],
    };
    const limited = limitToRepositories(input, ['octo/Web', 'octo/api']);
    expect(limited.org).toBe('octo');
    expect(limited.alerts.map((a) => a.number)).toEqual([1, 2]);
    expect(limited.transitions.map((t) => t.number)).toEqual([1, 2]);
    expect(limited.auditEvents.map((e) => e.id)).toEqual(['a']);
    // Manifests stay (completeness, coverage gaps), their figures by repository limited to these
    // repositories, without the organisation-wide ones. The old manifest knows no counts of alerts
    // no longer reported by repository: none for the scope.
    const [m, byRepository] = limited.manifests;
    expect(m?.streams).toEqual(manifest.streams);
    expect(m?.complete).toBe(true);
    expect(m?.openByRepository).toEqual({ 'octo/web': 1, 'octo/api': 1 });
    expect(m?.openBySeverity).toEqual(emptyOpenCounts());
    expect(m?.noLongerReported).toBeUndefined();
    expect(m?.skippedItems).toBeUndefined();
    // A manifest that counts them by repository: the scope's own, whatever the case.
    expect(byRepository?.noLongerReported).toBe(3);
    expect(byRepository?.noLongerReportedByRepository).toEqual({ 'octo/web': 1, 'OCTO/API': 2 });
    expect(JSON.stringify(limited)).not.toContain('secret-project');
    // The input itself is left as it was.
    expect(input.alerts).toHaveLength(3);
  });
});
