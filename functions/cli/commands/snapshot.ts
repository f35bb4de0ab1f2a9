import { ConfigError } from '../../runtime/config.ts';
import type { GlobalOptions } from '../main.ts';
import { runSnapshot } from '../pipeline.ts';
import { createProgress } from '../progress.ts';
import { withLocalRuntime } from './local-runtime.ts';

/** `alert-ledger snapshot --org ORG [--full]`: real GitHub in, local stand-ins for AWS. */
export async function runSnapshotCommand(
  globals: GlobalOptions,
  opts: { org: string; full: boolean },
): Promise<void> {
  if (!process.env.GITHUB_TOKEN) {
    throw new ConfigError(
      'GITHUB_TOKEN is not set: create a token with the security_events and read:org scopes (read:audit_log for the audit log) and run GITHUB_TOKEN=... alert-ledger snapshot --org ORG',
    );
  }
  const progress = createProgress({ quiet: globals.quiet });
  const now = globals.now ?? new Date();
  await withLocalRuntime(globals.dataDir, progress.log, {}, async (rt) => {
    progress.line(
      `Snapshot of ${opts.org} from ${rt.config.GITHUB_API_URL} (${opts.full ? 'full' : 'incremental'})`,
    );
    const m = await runSnapshot(rt, progress, {
      org: opts.org,
      now,
      mode: opts.full ? 'full' : 'incremental',
    });
    for (const s of m.streams) {
      progress.line(
        `  ${(s.lane ?? s.stream).padEnd(29)} ${s.status.padEnd(11)} ${String(s.items).padStart(6)} items  ${s.pages} pages${s.skipped ? `  ${s.skipped} skipped` : ''}`,
      );
    }
    progress.line(
      `${m.complete ? 'Complete' : 'INCOMPLETE'}: ${m.alertsSeen} alerts seen, ${m.alertsWritten} written, ${m.transitionsWritten} transitions, ${m.requests ?? 0} requests (snapshot ${m.snapshotId})`,
    );
    if (m.noLongerReported)
      progress.line(
        `  ${m.noLongerReported} alerts are no longer reported by GitHub (kept, not counted as fixed)`,
      );
    if (m.resumable)
      progress.line('  Stopped early (rate limit or time limit): run the same command again to resume it.');
  });
}
