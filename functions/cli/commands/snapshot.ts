import { ConfigError } from '../../runtime/config.ts';
import type { GlobalOptions } from '../main.ts';
import { runEnterpriseSnapshot, runSnapshot } from '../pipeline.ts';
import { createProgress } from '../progress.ts';
import { withLocalRuntime } from './local-runtime.ts';

/**
 * `alert-ledger snapshot --org ORG [--enterprise SLUG] [--full]`: real GitHub in, local stand-ins
 * for AWS.
 */
export async function runSnapshotCommand(
  globals: GlobalOptions,
  opts: { org?: string; enterprise?: string; full: boolean },
): Promise<void> {
  if (!process.env.GITHUB_TOKEN && !process.env.GITHUB_APP_ID) {
    throw new ConfigError(
      'GITHUB_TOKEN is not set: create a token with the security_events and read:org scopes (read:audit_log for the audit log) and run GITHUB_TOKEN=... alert-ledger snapshot --org ORG (or set GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY and GITHUB_APP_INSTALLATION_ID for a GitHub App)',
    );
  }
  const progress = createProgress({ quiet: globals.quiet });
  const now = globals.now ?? new Date();
  const mode = opts.full ? 'full' : 'incremental';
  await withLocalRuntime(globals.dataDir, progress.log, {}, async (rt) => {
    const label = opts.enterprise ? `enterprise ${opts.enterprise}` : (opts.org ?? '');
    progress.line(`Snapshot of ${label} from ${rt.config.GITHUB_API_URL} (${mode})`);
    const manifests = opts.enterprise
      ? await runEnterpriseSnapshot(rt, progress, {
          enterprise: opts.enterprise,
          ...(opts.org ? { orgs: [opts.org] } : {}),
          now,
          mode,
        })
      : [await runSnapshot(rt, progress, { org: opts.org ?? '', now, mode })];
    const [first] = manifests;
    for (const s of first?.streams ?? []) {
      progress.line(
        `  ${(s.lane ?? s.stream).padEnd(29)} ${s.status.padEnd(11)} ${String(s.items).padStart(6)} items  ${s.pages} pages${s.skipped ? `  ${s.skipped} skipped` : ''}${s.skippedPages ? `  ${s.skippedPages} pages skipped` : ''}`,
      );
      if (s.status !== 'finished' && s.message) progress.line(`    ${s.message}`);
    }
    for (const m of manifests) {
      progress.line(
        `${m.org}: ${m.complete ? 'complete' : 'INCOMPLETE'}, ${m.alertsSeen} alerts seen, ${m.alertsWritten} written, ${m.transitionsWritten} transitions`,
      );
      const skipped = m.skippedItems ?? [];
      for (const item of skipped.slice(0, 5)) {
        progress.line(
          `  skipped ${item.stream}${item.number === null ? '' : ` #${item.number}`}: ${item.reason}`,
        );
      }
      if (skipped.length > 0) {
        progress.line(
          '  Skipped items leave the snapshot incomplete and are read again by the next run. If they stay invalid, GitHub sends something alert-ledger does not read yet: report the reasons above.',
        );
      }
      if (m.noLongerReported) {
        progress.line(
          `  ${m.noLongerReported} alerts are no longer reported by GitHub (kept, not counted as fixed)`,
        );
      }
    }
    progress.line(`${first?.requests ?? 0} requests to GitHub (snapshot ${first?.snapshotId ?? '-'})`);
    if (first?.resumable) {
      progress.line('Stopped early (rate limit or time limit): run the same command again to resume it.');
    }
  });
}
