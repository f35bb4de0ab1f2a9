/**
 * A light view of every alert of an org at one instant: its state and the times lists sort by,
 * without rendering any JSON. Lists filter and sort these views and render only the page they
 * return, which keeps a 100,000-alert org cheap to serve.
 */
import { type AlertStateAt, alertStateAt } from './alert-state.ts';
import type {
  DemoAlert,
  DemoCodeScanningAlert,
  DemoDependabotAlert,
  DemoOrg,
  DemoSecretScanningAlert,
} from './demo-types.ts';

export interface IndexedAlert<A extends DemoAlert = DemoAlert> {
  demo: DemoOrg;
  alert: A;
  state: AlertStateAt;
  createdMs: number;
  updatedMs: number;
  /** `org/repo#0000000042`: unique per alert type across orgs, so every order is total. */
  tiebreak: string;
}

export interface AlertIndex {
  dependabot: IndexedAlert<DemoDependabotAlert>[];
  secret_scanning: IndexedAlert<DemoSecretScanningAlert>[];
  code_scanning: IndexedAlert<DemoCodeScanningAlert>[];
}

interface Fixed {
  createdMs: number;
  tiebreak: string;
}

/** Facts of an alert that never change, computed once per alert object. */
const fixedFacts = new WeakMap<DemoAlert, Fixed>();

function fixed(demo: DemoOrg, alert: DemoAlert): Fixed {
  let facts = fixedFacts.get(alert);
  if (!facts) {
    facts = {
      createdMs: Date.parse(alert.createdAt),
      tiebreak: `${demo.org}/${alert.repository}#${String(alert.number).padStart(10, '0')}`,
    };
    fixedFacts.set(alert, facts);
  }
  return facts;
}

/** Each alert list in creation order (then tiebreak), by the list it was made from. */
const createdOrders = new WeakMap<readonly DemoAlert[], { length: number; order: readonly DemoAlert[] }>();

/**
 * `alerts` in creation order, computed once per list: creation times never change (later
 * events only append to an alert's history), so an index built in this order needs no sort for
 * the lists sorted by creation, which full listings ask for again at every new instant.
 */
function inCreationOrder<A extends DemoAlert>(demo: DemoOrg, alerts: readonly A[]): readonly A[] {
  const kept = createdOrders.get(alerts);
  if (kept && kept.length === alerts.length) return kept.order as readonly A[];
  const order = [...alerts].sort((a, b) => {
    const fa = fixed(demo, a);
    const fb = fixed(demo, b);
    if (fa.createdMs !== fb.createdMs) return fa.createdMs - fb.createdMs;
    return fa.tiebreak < fb.tiebreak ? -1 : fa.tiebreak > fb.tiebreak ? 1 : 0;
  });
  createdOrders.set(alerts, { length: alerts.length, order });
  return order;
}

function indexList<A extends DemoAlert>(demo: DemoOrg, alerts: readonly A[], now: Date): IndexedAlert<A>[] {
  const out: IndexedAlert<A>[] = [];
  for (const alert of inCreationOrder(demo, alerts)) {
    const state = alertStateAt(alert, now);
    if (!state) continue;
    const { createdMs, tiebreak } = fixed(demo, alert);
    out.push({ demo, alert, state, createdMs, updatedMs: Date.parse(state.updatedAt), tiebreak });
  }
  return out;
}

/** Every alert of `demo` that exists at `now`, with its state then, in creation order. */
export function indexAlertsAt(demo: DemoOrg, now: Date): AlertIndex {
  return {
    dependabot: indexList(demo, demo.alerts.dependabot, now),
    secret_scanning: indexList(demo, demo.alerts.secret_scanning, now),
    code_scanning: indexList(demo, demo.alerts.code_scanning, now),
  };
}
