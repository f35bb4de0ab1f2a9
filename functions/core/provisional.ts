import { observeAlert } from './diff.ts';
import type { Alert, Transition } from './model.ts';

/**
 * Changes a webhook dated by its arrival, until a snapshot has asked GitHub about them.
 *
 * GitHub sends some changes without a time of their own (a code scanning `fixed` or `reopened`
 * carries no `updated_at`, and `fixed` often no `fixed_at`), so the receiver dates them by the
 * delivery's arrival. That is right for a fresh delivery and wrong for a late one: a redelivery
 * of a fix that GitHub has undone since would close the alert again, and the incremental
 * listings would never put it right, because GitHub's `updated_at` did not move. Such a change is
 * recorded, and also registered as provisional; the next snapshot reads the alert from GitHub and
 * settles it (`settleProvisional`).
 *
 * Pure: no I/O.
 */

/** A webhook's arrival-dated changes of one alert that no snapshot has checked yet. */
export interface ProvisionalChange {
  org: string;
  /** `alertKey` of the alert. */
  key: string;
  /** The alert's stored version after the last of these writes: settled only while it stands. */
  version: number;
  /** When the first of these deliveries arrived. */
  firstAt: string;
  /** Every transition the webhook wrote since `previous`, in order. */
  transitions: Transition[];
  /** The alert as it was stored before these writes; null when a webhook recorded it first. */
  previous: Alert | null;
  /** The deliveries (X-GitHub-Delivery) that wrote them. */
  deliveries: string[];
}

/**
 * GitHub's `updated_at` this long before a delivery arrived means nothing changed at GitHub since
 * well before it: the delivery was old news (a redelivery, or one held up for longer than this).
 * GitHub delivers within seconds; a fresh change undone within this margin is kept.
 */
export const PROVISIONAL_SLACK_MS = 15 * 60_000;

/** How a provisional change was settled against GitHub's alert. */
export type SettlementKind =
  /** GitHub holds the state the webhook wrote: nothing to change. */
  | 'confirmed'
  /**
   * GitHub has not changed the alert since before the first delivery arrived: the webhook's changes
   * are replaced by what GitHub's own timestamps say happened after `previous` (a retraction when
   * GitHub's state is the one before them; the change at GitHub's own time when it is not).
   */
  | 'rederived'
  /** GitHub changed the alert around or after the deliveries: its state is recorded after them. */
  | 'overruled';

export interface Settlement {
  kind: SettlementKind;
  /** The alert to store, or null to leave the stored one. */
  alert: Alert | null;
  /** Transitions of the webhook to delete. */
  remove: Transition[];
  /** Transitions to add. */
  add: Transition[];
}

const sameStep = (a: Transition, b: Transition): boolean => a.from === b.from && a.to === b.to;

/**
 * An alert to store as the ledger stores it: the date it first saw a leak kept from the stored one,
 * and a leak GitHub flagged since dated by this observation, as a listing dates it (a leak left
 * undated here would stay so: every later write takes an undated flag for a leak recorded before
 * the ledger dated leaks).
 */
function asStored(alert: Alert, current: Alert, observedAt: string): Alert {
  if (!alert.publiclyLeaked) return alert;
  if (current.publiclyLeakedAt) return { ...alert, publiclyLeakedAt: current.publiclyLeakedAt };
  if (alert.publiclyLeakedAt || current.publiclyLeaked) return alert;
  return { ...alert, publiclyLeakedAt: new Date(observedAt).toISOString() };
}

/**
 * Dates the last standing transition, when it leads to GitHub's state and was dated by arrival, by
 * GitHub's own time for that state (`fixed_at`/`dismissed_at`, or `updated_at` for a reopen) when
 * that time lies between the transition before it and the arrival: a delivery a few minutes late
 * would otherwise move the change past GitHub's time (across a period's end), while the stored
 * alert says GitHub's.
 */
function datedByGitHub(p: ProvisionalChange, github: Alert, s: Settlement): Settlement {
  if (github.updatedAtEstimated === true || s.add.length > 0) return s;
  const removed = new Set(s.remove);
  const standing = p.transitions.filter((t) => !removed.has(t));
  const last = standing.at(-1);
  if (!last || last.from === null || last.to !== github.state) return s;
  const own = github.state === 'open' ? github.updatedAt : github.closedAt;
  if (!own) return s;
  const ms = Date.parse(own);
  // GitHub closed the alert only after the delivery arrived (its closing time is the latest one):
  // the delivery was old news, and the alert was not in that state at its arrival.
  const closedSince = github.state !== 'open' && ms > Date.parse(last.at);
  const floor = standing.at(-2)?.at ?? p.previous?.updatedAt;
  if (!closedSince && (!(ms < Date.parse(last.at)) || (floor !== undefined && !(ms > Date.parse(floor)))))
    return s;
  return { ...s, remove: [...s.remove, last], add: [{ ...last, at: new Date(ms).toISOString() }] };
}

/**
 * Settles a provisional change against the alert GitHub reports now (`github`, normalised),
 * observed at `observedAt`. `current` is the stored alert, still at `p.version`.
 *
 * - The webhook's transitions from the first one that arrived more than PROVISIONAL_SLACK_MS after
 *   GitHub's `updated_at` (when GitHub gave one), or after the time GitHub has been in its state
 *   since (its `updated_at`, or a closed alert's closing time) to another state, are old news:
 *   GitHub made no such change at that time, so they were sent before and received late. They
 *   are replaced by what GitHub's own timestamps say happened after the state before them
 *   (`rederived`): nothing, when GitHub stands where the alert was; otherwise GitHub's change at
 *   its own time. A transition of the same step as one the webhook wrote keeps the webhook's
 *   source and actor, with GitHub's time.
 * - Otherwise, GitHub's state is the stored one: `confirmed` (GitHub's alert is stored, and the
 *   webhook's transitions kept, the last dated by GitHub's own time where that is known to be
 *   better: `datedByGitHub`).
 * - Otherwise GitHub moved after the deliveries, which may have been true: its state is recorded
 *   as a later observation (`overruled`), as a listing would.
 *
 * @example
 * settleProvisional(p, stored, githubAlert, '2026-11-16T00:00:00.000Z');
 * // { kind: 'rederived', alert: { state: 'open', ... }, remove: [<the webhook's fix>], add: [] }
 */
export function settleProvisional(
  p: ProvisionalChange,
  current: Alert,
  github: Alert,
  observedAt: string,
): Settlement {
  const quietSince = github.updatedAtEstimated === true ? null : Date.parse(github.updatedAt);
  // A closed alert has been in its state since its closing time (fixed_at, dismissed_at,
  // resolved_at: the latest closing), however its updated_at moved since (an assignment, a
  // validity check).
  const closedAt = github.state !== 'open' && github.closedAt ? Date.parse(github.closedAt) : Number.NaN;
  const inStateSince =
    quietSince === null ? null : Number.isFinite(closedAt) ? Math.min(closedAt, quietSince) : quietSince;
  const late =
    quietSince === null || inStateSince === null
      ? -1
      : p.transitions.findIndex(
          (t) =>
            t.from !== null &&
            (Date.parse(t.at) > quietSince + PROVISIONAL_SLACK_MS ||
              // GitHub has been in another state since before this arrived: not a change at its arrival.
              (Date.parse(t.at) > inStateSince && t.to !== github.state)),
        );
  if (late >= 0) {
    const kept = p.transitions.slice(0, late);
    const last = kept.at(-1);
    // The alert as it stood before the late deliveries: `previous`, or where the kept ones left it.
    const before: Alert | undefined =
      last === undefined
        ? (p.previous ?? undefined)
        : {
            ...github,
            state: last.to,
            updatedAt: last.at,
            closedAt: last.to === 'open' ? null : last.at,
            updatedAtEstimated: true,
          };
    const derived = observeAlert(before, github, 'snapshot', observedAt);
    if (!derived.stale || before?.state === github.state) {
      const add = derived.transitions.map((t) => {
        const witnessed = p.transitions.find((w) => sameStep(w, t));
        return witnessed ? { ...t, source: witnessed.source, actor: t.actor ?? witnessed.actor } : t;
      });
      return datedByGitHub(p, github, {
        kind: 'rederived',
        alert: asStored(derived.write ?? github, current, observedAt),
        remove: p.transitions.slice(late),
        add,
      });
    }
  }
  if (github.state === current.state) {
    return datedByGitHub(p, github, {
      kind: 'confirmed',
      alert: asStored(github, current, observedAt),
      remove: [],
      add: [],
    });
  }
  // GitHub was read after the deliveries, whatever time the snapshot goes by (a resumed run keeps
  // its first invocation's): its state is recorded after the stored one, never taken for older.
  const seen = Math.max(Date.parse(observedAt), Date.parse(current.updatedAt) + 1);
  const later = observeAlert(current, github, 'snapshot', new Date(seen).toISOString());
  return {
    kind: 'overruled',
    alert: later.write && asStored(later.write, current, observedAt),
    remove: [],
    add: later.transitions,
  };
}
