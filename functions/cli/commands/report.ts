import { join } from 'node:path';
import { lastCompleteWeek, parsePeriodId } from '../../core/periods.ts';
import type { GlobalOptions } from '../main.ts';
import { runReport } from '../pipeline.ts';
import { createProgress } from '../progress.ts';
import { withLocalRuntime } from './local-runtime.ts';

/**
 * `alert-ledger report --org ORG [--period ID | --from DATE --to DATE] [--out DIR]`, from the local
 * store: the organisation-wide report in DIR, and each team with recipients in TEAMS in DIR/team-<name>/. `period` is any id `parsePeriodId` reads, a custom range `2026-11-01..2026-11-15` included
 * (main.ts turns --from/--to into that id); its boundaries are computed in the configured zone.
 */
export async function runReportCommand(
  globals: GlobalOptions,
  opts: { org: string; period?: string; out?: string },
): Promise<void> {
  const progress = createProgress({ quiet: globals.quiet });
  const now = globals.now ?? new Date();
  await withLocalRuntime(globals.dataDir, progress.log, {}, async (rt) => {
    const tz = rt.config.TIME_ZONE;
    const period = opts.period ? parsePeriodId(opts.period, tz) : lastCompleteWeek(now, tz);
    const outDir = opts.out ?? join('out', opts.org, period.id);
    const written = await runReport(rt, progress, { org: opts.org, period, now, outDir });
    const r = written.issued.report;
    progress.line(
      `${opts.org} ${period.id}: ${r.summary.total.opened} opened, ${r.summary.total.fixed} fixed, ${r.summary.total.dismissed} dismissed, ${r.summary.total.openAtEnd} open at end${r.complete ? '' : ' (INCOMPLETE)'}`,
    );
    for (const path of Object.values(written.paths)) progress.line(`  ${path}`);
    for (const scope of written.scopes) {
      const t = scope.issued.report.summary.total;
      progress.line(
        `${scope.issued.scope}: ${t.opened} opened, ${t.fixed} fixed, ${t.dismissed} dismissed, ${t.openAtEnd} open at end; ${scope.outDir}/`,
      );
    }
  });
}
