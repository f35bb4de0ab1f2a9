import { groupBy } from '../../functions/core/group-by.ts';
import { type AlertState, alertKey, type Transition } from '../../functions/core/model.ts';
import type { DynamoStore } from '../../functions/store/dynamo-store.ts';

/** An organisation's stored alerts, and each alert's transitions in time order, by alert key. */
export async function alertHistories(store: DynamoStore, org: string) {
  const stored = await store.loadAlerts(org);
  const chains = new Map(
    [...groupBy(await store.listTransitions(org), (t) => alertKey(t))].map(([key, list]) => [
      key,
      list.slice().sort((x, y) => Date.parse(x.at) - Date.parse(y.at)),
    ]),
  );
  return { stored, chains };
}

/**
 * Whether transitions in time order fail to follow one another from the alert's creation to
 * `state` (a transition counted twice, or lost, breaks the chain).
 */
export function chainBroken(chain: readonly Transition[], state: AlertState): boolean {
  return chain.some((t, i) => t.from !== (i === 0 ? null : chain[i - 1]?.to)) || chain.at(-1)?.to !== state;
}
