import { ConfigError } from '../runtime/config.ts';
import { InputError, parseInput, snapshotInputSchema } from '../runtime/inputs.ts';
import { createLogger, lazyRuntime } from '../runtime/runtime.ts';
import { takeSnapshot } from '../use-cases/take-snapshot.ts';

const logger = createLogger('alert-ledger-snapshot');
const runtime = lazyRuntime(logger);

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
 * Without `org`, every organisation in ORGS is snapshotted in turn.
 */
export async function handler(
  event: unknown,
  context?: { getRemainingTimeInMillis(): number },
): Promise<SnapshotResult> {
  const input = parseInput(snapshotInputSchema, event, 'snapshot');
  const rt = runtime();
  const orgs = input.org ? [input.org] : rt.config.ORGS;
  if (orgs.length === 0) {
    throw new ConfigError('no organisation to snapshot: pass {"org": "..."} or set ORGS');
  }
  if (input.enterprise) {
    throw new InputError('enterprise-level snapshots are not supported yet: pass org instead');
  }
  const gh = await rt.github();
  const now = input.now ? new Date(input.now) : new Date();
  // Lambda stops the function at its timeout: leave time to save the checkpoint before that.
  const deadline = Date.now() + (context?.getRemainingTimeInMillis() ?? 14 * 60_000);
  const snapshots: SnapshotResult['snapshots'] = [];
  for (const org of orgs) {
    const manifest = await takeSnapshot(
      { gh, store: rt.store, log: logger, hideSecret: await rt.hideSecret() },
      { org, now, mode: input.mode, deadline },
    );
    snapshots.push({
      org,
      snapshotId: manifest.snapshotId,
      complete: manifest.complete,
      resumable: manifest.resumable === true,
      alertsSeen: manifest.alertsSeen,
      alertsWritten: manifest.alertsWritten,
      transitionsWritten: manifest.transitionsWritten,
    });
  }
  return { snapshots };
}
