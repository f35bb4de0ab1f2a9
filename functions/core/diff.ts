import { isDeepStrictEqual } from 'node:util';
import type { Alert, Transition, TransitionSource } from './model.ts';

/** What one observation of an alert means for the store. */
export interface Observation {
  /** The alert's new current state, or null when nothing needs writing. */
  write: Alert | null;
  transitions: Transition[];
  /** True when the observation is older than what is stored (deliveries arrive out of order). */
  stale: boolean;
}

function transition(
  a: Alert,
  from: Transition['from'],
  to: Transition['to'],
  at: string,
  source: TransitionSource,
  details: Pick<Transition, 'actor' | 'reason' | 'comment'>,
): Transition {
  return {
    alertType: a.alertType,
    repository: a.repository,
    number: a.number,
    from,
    to,
    at,
    source,
    ...details,
  };
}

const NO_DETAILS = { actor: null, reason: null, comment: null } as const;

function closingDetails(a: Alert): Pick<Transition, 'actor' | 'reason' | 'comment'> {
  return { actor: a.closedBy, reason: a.reason, comment: a.comment };
}

/**
 * Compares what is stored about an alert with a new observation of it and says what to write.
 *
 * A transition's time is the alert's own timestamp for the new state (DESIGN.md): created_at for
 * a new alert, the closing timestamp for fixed/dismissed, updated_at for a reopen. An alert seen
 * for the first time already closed yields two transitions, so that the period in which it was
 * opened still counts it.
 *
 * @example
 * const { transitions } = observeAlert(undefined, alert, 'snapshot');
 * // [{ from: null, to: 'open', at: alert.createdAt, ... }]
 */
export function observeAlert(
  stored: Alert | undefined,
  observed: Alert,
  source: TransitionSource,
  /** When a snapshot listed the alert: dates a change whose own timestamp GitHub did not give. */
  observedAt?: string,
): Observation {
  let next = withLeakTime(stored, observed, observedAt);
  if (!stored) {
    const opened = transition(next, null, 'open', next.createdAt, source, NO_DETAILS);
    if (next.state === 'open') return { write: next, transitions: [opened], stale: false };
    const closed = transition(
      next,
      'open',
      next.state,
      next.closedAt ?? next.updatedAt,
      source,
      closingDetails(next),
    );
    return { write: next, transitions: [opened, closed], stale: false };
  }
  // A snapshot's listing is GitHub's state at `observedAt`: when GitHub gave no updated_at, its
  // estimate may look older than what is stored although the state changed since. Trust the
  // listing then, dated by the observation. Webhooks get no such trust: a redelivery can be old.
  const estimatedChange =
    next.updatedAtEstimated === true && observedAt !== undefined && next.state !== stored.state;
  if (estimatedChange) {
    const at = new Date(Math.max(Date.parse(observedAt), Date.parse(stored.updatedAt))).toISOString();
    next = {
      ...next,
      updatedAt: at,
      ...(next.state !== 'open' && next.closedAt === null ? { closedAt: at } : {}),
    };
  }
  // A webhook dated a change by its arrival (GitHub sent no time for it). A later listing that
  // disagrees is GitHub's word on the current state, even if its own timestamp is older: the
  // webhook may have been a late redelivery. The transition is dated after the stored one.
  const overrulesEstimate =
    stored.updatedAtEstimated === true &&
    observedAt !== undefined &&
    next.updatedAtEstimated !== true &&
    next.state !== stored.state &&
    Date.parse(observedAt) > Date.parse(stored.updatedAt);
  if (!overrulesEstimate && Date.parse(next.updatedAt) < Date.parse(stored.updatedAt)) {
    return { write: null, transitions: [], stale: true };
  }
  if (stored.state === next.state) {
    // Key order is not preserved by DynamoDB maps: compare values, not serialisations.
    const changed = !isDeepStrictEqual(stored, next);
    return { write: changed ? next : null, transitions: [], stale: false };
  }
  const t =
    next.state === 'open'
      ? transition(next, stored.state, 'open', next.updatedAt, source, NO_DETAILS)
      : transition(
          next,
          stored.state,
          next.state,
          next.closedAt ?? next.updatedAt,
          source,
          closingDetails(next),
        );
  if (overrulesEstimate && Date.parse(t.at) < Date.parse(stored.updatedAt)) t.at = stored.updatedAt;
  return { write: next, transitions: [t], stale: false };
}

/**
 * GitHub keeps only a `publicly_leaked` flag: the ledger dates it when it first sees it (a
 * webhook's own time, a listing's observation time) and keeps that date afterwards.
 */
function withLeakTime(stored: Alert | undefined, next: Alert, observedAt: string | undefined): Alert {
  if (!next.publiclyLeaked) return next;
  if (stored?.publiclyLeakedAt) return { ...next, publiclyLeakedAt: stored.publiclyLeakedAt };
  if (next.publiclyLeakedAt) return next;
  if (stored?.publiclyLeaked) return next; // recorded before the ledger dated leaks: unknown
  const at = stored ? (observedAt ?? next.updatedAt) : next.updatedAt;
  return { ...next, publiclyLeakedAt: new Date(at).toISOString() };
}
