/**
 * One listing read from both ends at once: oldest created first on one cursor chain, newest
 * created first on another. A cursor chain has one page in flight at a time (the next page's
 * address comes with the current one), so two chains halve a long listing's time.
 *
 * The ends are complete when one of them reaches the end of the listing, or when they cross: the
 * oldest end's last alert was created strictly later than the newest end's last. Everything created
 * before the first is behind the oldest end's cursor, everything after the second behind the
 * newest end's, and together that is every alert, however many share a creation time.
 *
 * With an estimate of the listing's length (from the last full run) the ends stop asking once the
 * pages they asked for cover it, and one end finishes alone: crossing then costs no page beyond
 * the listing's own, but for the overlap the strict rule needs. The estimate only spends or saves
 * requests; it never decides completeness.
 */
export type End = 'oldest' | 'newest';

export interface TwoEndsOptions {
  /** Alerts the listing held at the last full run, or null when unknown. */
  estimate: number | null;
  perPage?: number;
  /** What a resumed run's ends had already listed: pages and the creation time they reached. */
  resumed?: Partial<Record<End, { pages: number; edge?: string | undefined }>>;
}

export class TwoEnds {
  readonly #estimate: number | null;
  readonly #perPage: number;
  readonly #edge: Record<End, number | null> = { oldest: null, newest: null };
  readonly #requested: Record<End, number> = { oldest: 0, newest: 0 };
  readonly #inFlight: Record<End, number> = { oldest: 0, newest: 0 };
  readonly #stopped: Record<End, boolean> = { oldest: false, newest: false };
  #complete = false;
  #waiters: (() => void)[] = [];

  constructor(options: TwoEndsOptions) {
    this.#estimate = options.estimate;
    this.#perPage = options.perPage ?? 100;
    for (const end of ['oldest', 'newest'] as const) {
      const r = options.resumed?.[end];
      if (!r) continue;
      this.#requested[end] = r.pages;
      this.#edge[end] = r.edge === undefined ? null : Date.parse(r.edge);
    }
    this.#complete = this.#crossed();
  }

  /** Every alert of the listing has been listed by one end or the other. */
  get complete(): boolean {
    return this.#complete;
  }

  /** Whether `end` may ask for a page now: not when the pages asked for already cover the estimate. */
  mayAsk(end: End): boolean {
    if (this.#complete || this.#stopped[end]) return false;
    if (this.#estimate === null) return true;
    // Strict crossing needs the ends to overlap by two alerts: when they share only the alert
    // where they meet, equal creation times cannot show that no other alert lies between them.
    const covered = (this.#requested.oldest + this.#requested.newest) * this.#perPage;
    if (covered < this.#estimate + 2) return true;
    // The estimate is covered: the last pages are on their way, or (once every page asked for is
    // written and the ends still have not crossed) the listing grew. Then one end goes on alone,
    // a page at a time.
    const finisher: End = this.#stopped.oldest ? 'newest' : 'oldest';
    return end === finisher && this.#inFlight.oldest === 0 && this.#inFlight.newest === 0;
  }

  /**
   * Pages each end still has to list, by the estimate (null without one): how long the partition
   * keeps its two chains busy, for the scheduler to serve the longest first.
   */
  remainingPerEnd(): number | null {
    if (this.#estimate === null) return null;
    const covered = (this.#requested.oldest + this.#requested.newest) * this.#perPage;
    return Math.max(0, Math.ceil((this.#estimate + 2 - covered) / this.#perPage / 2));
  }

  /** `end` asked for a page. */
  asked(end: End): void {
    this.#requested[end] += 1;
    this.#inFlight[end] += 1;
  }

  /**
   * A page of `end` was written, or (null) dropped or failed. `edge` is the creation time of the
   * page's last alert in listing order (null when it had none to go by), `last` whether GitHub
   * said it was the listing's last page.
   *
   * @returns whether the listing is now complete.
   */
  answered(end: End, page: { edge: string | null; last: boolean } | null): boolean {
    this.#inFlight[end] = Math.max(0, this.#inFlight[end] - 1);
    if (page && !this.#complete) {
      if (page.last) this.#complete = true;
      if (page.edge !== null) {
        const t = Date.parse(page.edge);
        const was = this.#edge[end];
        // Listing order makes each page's edge the furthest yet; the guard keeps a damaged page from
        // moving an end back.
        if (was === null || (end === 'oldest' ? t > was : t < was)) this.#edge[end] = t;
      }
      if (this.#crossed()) this.#complete = true;
    }
    this.#notify();
    return this.#complete;
  }

  /** `end` stopped for this invocation (time limit, failure): the other end finishes alone. */
  stop(end: End): void {
    this.#stopped[end] = true;
    // What it still had on the way will never be written.
    this.#inFlight[end] = 0;
    this.#notify();
  }

  /** Settles at the next change: a page answered, an end stopped. */
  changed(): Promise<void> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  #crossed(): boolean {
    const { oldest, newest } = this.#edge;
    return oldest !== null && newest !== null && oldest > newest;
  }

  #notify(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }
}
