import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { generateDemoOrg } from '../../../infra/local/github/demo-org.ts';
import { startSimulatedGitHub } from '../../../infra/local/github/server.ts';
import { lastCompleteWeek } from '../../core/periods.ts';
import { saveReceivedEmail } from '../email-files.ts';
import type { GlobalOptions } from '../main.ts';
import { runReport, runSnapshot } from '../pipeline.ts';
import { createProgress } from '../progress.ts';
import { withLocalRuntime } from './local-runtime.ts';

/** The embedded default: Monday 07:00 UTC, when the weekly report of 2026-W46 goes out. */
export const DEMO_NOW = '2026-11-16T07:00:00.000Z';
export const DEMO_ORG = 'octo-demo';
export const DEMO_WEEKS = 12;
const WEEK_MS = 7 * 24 * 3600 * 1000;

export interface DemoResult {
  outDir: string;
  paths: Record<string, string>;
  emailDir: string;
}

/**
 * `alert-ledger demo`: a simulated organisation whose alerts change over 12 weeks is
 * snapshotted once a week through the real snapshot use case, then the last complete week is
 * reported through the real report use case, on DynamoDB Local, s3rver and aws-ses-v2-local.
 */
export async function runDemo(
  globals: GlobalOptions,
  opts: { out: string; seed: number },
): Promise<DemoResult> {
  const started = Date.now();
  const progress = createProgress({ quiet: globals.quiet });
  const now = globals.now ?? new Date(DEMO_NOW);
  const period = lastCompleteWeek(now);
  const endsAt = new Date(period.end);
  const dataDir = join(globals.dataDir, 'demo');
  // The demo starts from nothing each time, so its output depends only on the seed and --now.
  rmSync(dataDir, { recursive: true, force: true });

  progress.line(
    `alert-ledger demo: ${DEMO_ORG}, ${DEMO_WEEKS} weeks up to ${period.end.slice(0, 10)}, seed ${opts.seed}`,
  );
  const demo = generateDemoOrg({
    org: DEMO_ORG,
    seed: opts.seed,
    weeks: DEMO_WEEKS,
    endsAt: endsAt.toISOString(),
  });
  const token = `demo-${randomBytes(12).toString('hex')}`;
  const github = await startSimulatedGitHub({ demo, token, now: () => endsAt });
  try {
    return await withLocalRuntime(
      dataDir,
      progress.log,
      { GITHUB_TOKEN: token, GITHUB_API_URL: github.url },
      async (rt, aws) => {
        progress.line('Stand-ins up: DynamoDB Local, s3rver, aws-ses-v2-local, simulated GitHub');
        for (let week = DEMO_WEEKS; week >= 0; week--) {
          const at = new Date(endsAt.getTime() - week * WEEK_MS);
          github.setNow(at);
          const m = await runSnapshot(rt, progress, {
            org: DEMO_ORG,
            now: at,
            mode: week === DEMO_WEEKS ? 'full' : 'incremental',
          });
          const label = week === DEMO_WEEKS ? 'baseline' : `end of ${lastCompleteWeek(at).id}`;
          progress.line(
            `  snapshot ${at.toISOString().slice(0, 10)} (${label}): ${m.alertsSeen} alerts seen, ${m.alertsWritten} changed, ${m.transitionsWritten} transitions${m.complete ? '' : ', INCOMPLETE'}`,
          );
        }
        github.setNow(now);
        const outDir = join(opts.out, DEMO_ORG, period.id);
        const written = await runReport(rt, progress, { org: DEMO_ORG, period, now, outDir });
        const email = await saveReceivedEmail(aws.ses, join(outDir, 'email'));
        const r = written.issued.report;
        const t = r.summary.total;
        progress.line('');
        progress.line(
          `Report ${DEMO_ORG} ${period.id} (${period.start.slice(0, 10)} to ${period.end.slice(0, 10)}, end exclusive)`,
        );
        progress.line(
          `  open at start ${t.openAtStart}, opened ${t.opened}, fixed ${t.fixed}, dismissed ${t.dismissed}, reopened ${t.reopened}, open at end ${t.openAtEnd}`,
        );
        progress.line(
          `  SLA breaches ${r.slaBreaches.length}, push-protection bypasses ${r.pushProtectionBypasses.length}, transitions ${r.transitions.length}${r.complete ? '' : ' (INCOMPLETE)'}`,
        );
        progress.line(
          `  report id ${written.issued.record.reportId}, chain hash ${written.issued.record.chainHash.slice(0, 16)}…`,
        );
        progress.line('Files:');
        for (const path of Object.values(written.paths)) progress.line(`  ${relative('.', path)}`);
        progress.line(
          `  ${relative('.', email.dir)}/ (the email as the SES stand-in received it: ${email.email.subject})`,
        );
        progress.line(`Done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
        return { outDir, paths: written.paths, emailDir: email.dir };
      },
    );
  } finally {
    await github.close();
  }
}
