/**
 * Report scopes: the organisation-wide report, and one report per team that has recipients,
 * limited to the team's repositories. The limit is applied to the report's input, before
 * anything is computed, so nothing of another repository can reach a team's files or email.
 */
import { createHash } from 'node:crypto';
import { emptyOpenCounts } from '../core/model.ts';
import type { ReportInput } from '../core/report.ts';
import { type TeamsConfig, teamRepositories, teamScopeId } from '../runtime/config.ts';

export const ORG_SCOPE = 'org';

export interface ReportScope {
  /** `org`, or `team-<name>`: part of the S3 keys and the key of the scope's hash chain. */
  id: string;
  /** For the report's cover and title: "team checkout (3 repositories)". */
  label: string;
  /** The repositories the report is limited to ("org/repo"); null: every repository. */
  repositories: string[] | null;
  /** The team's own recipients; null for the organisation-wide report (REPORT_TO). */
  recipients: string[] | null;
  /** The teams whose figures the report shows (`breakdowns.byTeam`). */
  teams: Record<string, string[]>;
}

/**
 * What a scope covers, as a short stable name: the issued figures of a team whose repositories
 * have changed since are not the team's figures any more, and are not reused.
 *
 * @example
 * scopeFingerprint(null); // 'every-repository'
 * scopeFingerprint(['octo/Web', 'octo/api']) === scopeFingerprint(['octo/api', 'octo/web']); // true
 */
export function scopeFingerprint(repositories: readonly string[] | null): string {
  if (repositories === null) return 'every-repository';
  const names = [...new Set(repositories.map((r) => r.toLowerCase()))].sort();
  return `repositories-${createHash('sha256').update(names.join('\n')).digest('hex').slice(0, 16)}`;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** "org/repo" is in `org` (GitHub logins are case-insensitive). */
const inOrg = (org: string, repository: string) =>
  repository.toLowerCase().startsWith(`${org.toLowerCase()}/`);

/** The configured repositories once each, whatever their case, sorted. */
function distinct(repositories: readonly string[]): string[] {
  const byKey = new Map<string, string>();
  for (const r of [...repositories].sort()) if (!byKey.has(r.toLowerCase())) byKey.set(r.toLowerCase(), r);
  return [...byKey.values()];
}

/**
 * The scopes to report `org` in: the organisation-wide report first, then each team with
 * recipients and at least one repository in `org`, limited to those repositories.
 *
 * @example
 * reportScopes('octo', { checkout: { repositories: ['octo/web'], recipients: ['lead@octo.example'] } })
 *   .map((s) => s.id); // ['org', 'team-checkout']
 */
export function reportScopes(org: string, teams: TeamsConfig | undefined): ReportScope[] {
  const all = teamRepositories(teams ?? {});
  const scopes: ReportScope[] = [
    {
      id: ORG_SCOPE,
      label: 'organisation-wide (every repository)',
      repositories: null,
      recipients: null,
      teams: all,
    },
  ];
  for (const [name, team] of Object.entries(teams ?? {})) {
    if (Array.isArray(team) || !team.recipients) continue;
    const repositories = distinct(team.repositories.filter((r) => inOrg(org, r)));
    if (repositories.length === 0) continue;
    scopes.push({
      id: teamScopeId(name),
      label: `team ${name} (${plural(repositories.length, 'repository', 'repositories')})`,
      repositories,
      recipients: team.recipients,
      // Only the team's own row: another team's name and repositories are not the reader's business.
      teams: { [name]: repositories },
    });
  }
  return scopes;
}

type ScopedInput = Pick<ReportInput, 'alerts' | 'transitions' | 'auditEvents' | 'manifests'>;

/**
 * The part of a report's input that concerns `repositories` (case-insensitive): their alerts,
 * transitions and audit events. Audit events that name no repository are left out (they can
 * only be matched to an alert through its repository). Manifests stay, for completeness and
 * coverage gaps, with their figures by repository limited to these repositories (open alerts,
 * alerts no longer reported) and without the organisation-wide ones (open alerts by severity,
 * skipped items): those would be other teams' too. A manifest written before it counted the
 * alerts no longer reported by repository gives none for the scope.
 *
 * @example
 * limitToRepositories(input, ['octo/web']).alerts.every((a) => a.repository.toLowerCase() === 'octo/web');
 */
export function limitToRepositories<T extends ScopedInput>(input: T, repositories: readonly string[]): T {
  const keep = new Set(repositories.map((r) => r.toLowerCase()));
  const mine = (repository: string | null) => repository !== null && keep.has(repository.toLowerCase());
  return {
    ...input,
    alerts: input.alerts.filter((a) => mine(a.repository)),
    transitions: input.transitions.filter((t) => mine(t.repository)),
    auditEvents: input.auditEvents.filter((e) => mine(e.repository)),
    manifests: input.manifests.map(
      ({ noLongerReported: _n, noLongerReportedByRepository: byRepository, skippedItems: _s, ...m }) => {
        const openByRepository = Object.fromEntries(
          Object.entries(m.openByRepository).filter(([repository]) => mine(repository)),
        );
        if (byRepository === undefined) {
          // Written before counts by repository existed: the scope's share is not known.
          return { ...m, openBySeverity: emptyOpenCounts(), openByRepository };
        }
        const ours = Object.entries(byRepository).filter(([repository]) => mine(repository));
        return {
          ...m,
          openBySeverity: emptyOpenCounts(),
          openByRepository,
          noLongerReported: ours.reduce((n, [, count]) => n + count, 0),
          noLongerReportedByRepository: Object.fromEntries(ours),
        };
      },
    ),
  };
}
