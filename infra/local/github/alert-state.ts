/** What GitHub shows for an alert at an instant, replayed from its event history. */
import type { DemoAlert, DemoAlertEvent, DemoOrg, DemoSecretScanningAlert } from './demo-types.ts';

/** GitHub's own state names: Dependabot adds `auto_dismissed`, secret scanning says `resolved`. */
export type GitHubAlertState = 'open' | 'fixed' | 'dismissed' | 'auto_dismissed' | 'resolved';

export interface AlertStateAt {
  state: GitHubAlertState;
  /** The event that closed the alert, when it is closed at that instant. */
  closingEvent: DemoAlertEvent | null;
  /** Time of the last event at or before the instant: GitHub's `updated_at`. */
  updatedAt: string;
}

const STATE_AFTER: Record<DemoAlertEvent['kind'], GitHubAlertState> = {
  created: 'open',
  reopened: 'open',
  fixed: 'fixed',
  dismissed: 'dismissed',
  auto_dismissed: 'auto_dismissed',
  resolved: 'resolved',
};

/** Null when the alert did not exist yet at `at`. */
export function alertStateAt(alert: DemoAlert, at: Date): AlertStateAt | null {
  const t = at.getTime();
  let last: DemoAlertEvent | undefined;
  for (const event of alert.events) {
    if (Date.parse(event.at) > t) break;
    last = event;
  }
  if (!last) return null;
  const state = STATE_AFTER[last.kind];
  return { state, closingEvent: state === 'open' ? null : last, updatedAt: last.at };
}

/** Every alert of the demo that exists at `at`, of all three types. */
export function alertsExistingAt(demo: DemoOrg, at: Date): DemoAlert[] {
  const all: DemoAlert[] = [
    ...demo.alerts.dependabot,
    ...demo.alerts.secret_scanning,
    ...demo.alerts.code_scanning,
  ];
  return all.filter((alert) => Date.parse(alert.createdAt) <= at.getTime());
}

/**
 * What GitHub reports in `validity` for a secret: generic patterns cannot be checked with a
 * provider, and a revoked secret no longer works.
 */
export function secretValidity(
  alert: DemoSecretScanningAlert,
  state: AlertStateAt,
): 'active' | 'inactive' | 'unknown' {
  if (!alert.secretType.providerPattern) return 'unknown';
  return state.state === 'resolved' && state.closingEvent?.reason === 'revoked' ? 'inactive' : 'active';
}
