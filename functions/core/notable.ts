import type { AlertHistory } from './metrics.ts';
import type { Alert, NotableEvent, NotableKind, Transition } from './model.ts';
import { instantMs } from './periods.ts';

/**
 * Notable events (DESIGN.md): a push-protection bypass, a critical alert created, an alert
 * reopened, a secret publicly leaked. The webhook flags them as they arrive (`notableChanges`);
 * the report lists those of its period (`notableEventsIn`), whichever source saw them.
 */

function event(alert: Alert, kind: NotableKind, at: string, actor: string | null): NotableEvent {
  return {
    kind,
    alertType: alert.alertType,
    repository: alert.repository,
    number: alert.number,
    severity: alert.severity,
    title: alert.title,
    htmlUrl: alert.htmlUrl,
    at: new Date(at).toISOString(),
    actor,
  };
}

function fromTransition(alert: Alert, t: Transition): NotableEvent | null {
  if (t.from === null && t.to === 'open' && alert.severity === 'critical') {
    return event(alert, 'critical_created', t.at, t.actor);
  }
  if (t.from !== null && t.from !== 'open' && t.to === 'open') return event(alert, 'reopened', t.at, t.actor);
  return null;
}

const bypassAt = (a: Alert): string | null =>
  a.pushProtectionBypassed ? (a.pushProtectionBypassedAt ?? a.createdAt) : null;

/**
 * What one observation of an alert (its stored and new state, and the transitions written) has
 * that is notable.
 *
 * @example
 * notableChanges(undefined, bypassedSecret, transitions).map((n) => n.kind);
 * // ['critical_created', 'push_protection_bypass']
 */
export function notableChanges(
  stored: Alert | undefined,
  next: Alert,
  transitions: readonly Transition[],
): NotableEvent[] {
  const out: NotableEvent[] = [];
  for (const t of transitions) {
    const n = fromTransition(next, t);
    if (n) out.push(n);
  }
  const bypassed = bypassAt(next);
  if (bypassed !== null && !stored?.pushProtectionBypassed) {
    out.push(event(next, 'push_protection_bypass', bypassed, next.pushProtectionBypassedBy ?? null));
  }
  if (next.publiclyLeaked && !stored?.publiclyLeaked) {
    out.push(event(next, 'publicly_leaked', next.publiclyLeakedAt ?? next.updatedAt, null));
  }
  return out;
}

/**
 * The notable events in [startMs, endMs), oldest first, from merged timelines (so a reopen seen by
 * a snapshot, a webhook and the audit log is one event, with the best actor).
 *
 * @example
 * notableEventsIn(histories, startMs, endMs).filter((n) => n.kind === 'reopened').length; // 1
 */
export function notableEventsIn(
  histories: readonly AlertHistory[],
  startMs: number,
  endMs: number,
): NotableEvent[] {
  const inPeriod = (at: string | null | undefined): at is string => {
    if (!at) return false;
    const ms = instantMs(at);
    return ms >= startMs && ms < endMs;
  };
  const out: NotableEvent[] = [];
  for (const { alert, timeline } of histories) {
    for (const t of timeline) {
      if (!inPeriod(t.at)) continue;
      const n = fromTransition(alert, t);
      if (n) out.push(n);
    }
    const bypassed = bypassAt(alert);
    if (inPeriod(bypassed)) {
      out.push(event(alert, 'push_protection_bypass', bypassed, alert.pushProtectionBypassedBy ?? null));
    }
    if (alert.publiclyLeaked && inPeriod(alert.publiclyLeakedAt)) {
      out.push(event(alert, 'publicly_leaked', alert.publiclyLeakedAt, null));
    }
  }
  return out.sort(
    (a, b) =>
      instantMs(a.at) - instantMs(b.at) ||
      a.kind.localeCompare(b.kind) ||
      a.repository.localeCompare(b.repository) ||
      a.number - b.number,
  );
}
