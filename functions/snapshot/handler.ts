import { LONGEST_WAIT_MS } from '../github/client.ts';
import { GitHubAuthError } from '../github/errors.ts';
import { ConfigError } from '../runtime/config.ts';
import { parseInput, snapshotInputSchema } from '../runtime/inputs.ts';
import { createLogger, lazyRuntime } from '../runtime/runtime.ts';
import { takeEnterpriseSnapshot, takeSnapshot } from '../use-cases/take-snapshot.ts';

const logger = createLogger('alert-ledger-snapshot');
const runtime = lazyRuntime(logger);

/** Some organisations' snapshots failed (the others were taken); the message names each. */
export class SnapshotFailedError extends Error {
  override name = 'SnapshotFailedError';
}

export interface SnapshotResult {
  snapshots: {
    org: string;
    snapshotId: string;
    complete: boolean;
    /** Stopped by the time limit or a rate limit: the next invocation resumes it. */
    resumable: boolean;
    alertsSeen: number;
    alertsWritten: number;
    transitionsWritten: number;
  }[];
}

/**
 * EventBridge Scheduler target: `{ org?, enterprise?, mode?: 'incremental' | 'full', now? }`.
 * Without `org`, every organisation in ORGS is snapshotted in turn; with `enterprise` (or
 * GITHUB_ENTERPRISE) the enterprise-level lists cover them all at once (token auth only).
 */
export async function handler(
  event: unknown,
  context?: { getRemainingTimeInMillis(): number },
): Promise<SnapshotResult> {
  const input = parseInput(snapshotInputSchema, event, 'snapshot');
  const rt = runtime();
  const enterprise = input.enterprise ?? rt.config.GITHUB_ENTERPRISE;
  const orgs = input.org ? [input.org] : rt.config.ORGS;
  if (!enterprise && orgs.length === 0) {
    throw new ConfigError('nothing to snapshot: pass {"org": "..."} or {"enterprise": "..."}, or set ORGS');
  }
  // Per organisation: with a GitHub App and no GITHUB_APP_INSTALLATION_ID each has its own
  // installation (and so its own client); otherwise every call gives the one shared client.
  const depsFor = async (org?: string) => ({
    gh: await rt.github(org),
    store: rt.store,
    log: logger,
    hideSecret: await rt.hideSecret(org),
  });
  const now = input.now ? new Date(input.now) : new Date();
  // Lambda stops the function at its timeout. A snapshot checks its deadline between pages and
  // keeps time in hand to save its checkpoint after it; a request asked just before the check
  // can still wait out a rate limit or its endpoint's pace, up to LONGEST_WAIT_MS, first.
  const deadline = Date.now() + (context?.getRemainingTimeInMillis() ?? 14 * 60_000) - LONGEST_WAIT_MS;
  const manifests = enterprise
    ? await takeEnterpriseSnapshot(await depsFor(), {
        enterprise,
        ...(orgs.length > 0 ? { orgs } : {}),
        now,
        mode: input.mode,
        deadline,
      }).catch((error: unknown) => {
        if (error instanceof GitHubAuthError) rt.forgetGitHub();
        throw error;
      })
    : [];
  const failures: string[] = [];
  if (!enterprise) {
    // One organisation's failure must not keep the others from their snapshot.
    for (const org of orgs) {
      try {
        manifests.push(await takeSnapshot(await depsFor(org), { org, now, mode: input.mode, deadline }));
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        logger.error('snapshot failed', { org, error: message });
        // Credentials refused (an App reinstalled, a token rotated): the next invocation builds
        // the client again instead of reusing the refused one for the life of this container.
        if (error instanceof GitHubAuthError) rt.forgetGitHub(org);
        // One organisation asked for (the fan-out's way): its own error, so that the caller can
        // retry what is passing (a held lease, a GitHub or DynamoDB outage) and not what is not.
        if (input.org) throw error;
        failures.push(`${org}: ${message}`);
      }
    }
  }
  const snapshots: SnapshotResult['snapshots'] = manifests.map((m) => ({
    org: m.org,
    snapshotId: m.snapshotId,
    complete: m.complete,
    resumable: m.resumable === true,
    alertsSeen: m.alertsSeen,
    alertsWritten: m.alertsWritten,
    transitionsWritten: m.transitionsWritten,
  }));
  if (failures.length > 0) {
    throw new SnapshotFailedError(
      `${failures.length} of ${orgs.length} snapshots failed: ${failures.join(' | ')}`,
    );
  }
  return { snapshots };
}
