/**
 * Pacing under GitHub's secondary rate limit per endpoint: "no more than 900 points per minute
 * are allowed for REST API endpoints", a GET being one point. A snapshot of a large organisation
 * or enterprise on a fast GitHub (a GHES next door) could pass it on its longest listing; GitHub
 * would then refuse requests with a `retry-after`, and the run would wait or pause. Paced, it
 * never asks for more than the limit allows, and its requests to other endpoints go on meanwhile.
 */

/** Requests to one endpoint (method and path, without the query) allowed in any window. */
export interface EndpointPace {
  requests: number;
  windowMs: number;
}

/**
 * 850 a minute: GitHub's 900 less a margin, for the time between a request leaving and GitHub
 * counting it (network jitter can bring two requests closer) and for another tool asking with
 * the same credentials.
 */
export const ENDPOINT_PACE: Readonly<EndpointPace> = { requests: 850, windowMs: 60_000 };

/** A request let through: tell the pacer when it goes on the wire, or that it never will. */
export interface Admission {
  sent(): void;
  dropped(): void;
}

interface Endpoint {
  /** When each request of the window went on the wire, oldest first from `head`. */
  sent: number[];
  head: number;
  /** Let through, not on the wire yet. */
  pending: number;
  /** Requests waiting for a place: told when one of the pending ones is sent or dropped. */
  wakers: (() => void)[];
  /** Places reserved ahead (see `reserve`), not taken by a request yet, oldest first. */
  reserved: Admission[];
}

/**
 * Lets a request through when fewer than `pace.requests` requests to its endpoint went on the
 * wire in the last window or are still waiting to go. Counting the waiting ones keeps every
 * window of send times within the limit, wherever the requests wait after this (behind the
 * client's concurrency): any window's requests were let through at most when the last of them
 * was, and each was then either sent within the window before it or still waiting.
 *
 * @example
 * const pacer = new EndpointPacer(ENDPOINT_PACE);
 * const admission = await pacer.admit('GET /orgs/octo/dependabot/alerts');
 * admission.sent(); // as the request goes on the wire
 */
export class EndpointPacer {
  readonly #endpoints = new Map<string, Endpoint>();
  /** Admissions since the last sweep of endpoints gone quiet. */
  #sinceSweep = 0;

  constructor(
    readonly pace: Readonly<EndpointPace>,
    /** Milliseconds, monotonic (tests give a fake one). */
    private readonly clock: () => number = () => performance.now(),
  ) {
    if (!(Number.isInteger(pace.requests) && pace.requests >= 1 && pace.windowMs > 0)) {
      throw new RangeError(
        `endpoint pace must allow at least 1 request in a window over 0 ms, got ${pace.requests} in ${pace.windowMs} ms`,
      );
    }
  }

  /** Waits until a request to `endpoint` may go (rejects if `signal` aborts meanwhile). */
  async admit(endpoint: string, signal?: AbortSignal): Promise<Admission> {
    return (await this.#admit(endpoint, signal)).admission;
  }

  async #admit(endpoint: string, signal?: AbortSignal): Promise<{ admission: Admission; e: Endpoint }> {
    this.#sinceSweep += 1;
    if (this.#sinceSweep >= 1000) this.#sweep();
    let e: Endpoint;
    for (;;) {
      signal?.throwIfAborted();
      // Looked up again after every wait: a sweep between the wake and now may have forgotten it.
      e = this.#endpoint(endpoint);
      const now = this.clock();
      this.#prune(e, now);
      if (e.sent.length - e.head + e.pending < this.pace.requests) break;
      // Full: wait for the oldest request sent to leave the window, or for a request let through
      // to be dropped (or, when none has been sent, to go on the wire and start the window).
      const oldest = e.sent[e.head];
      await nextChance(e, oldest === undefined ? null : oldest + this.pace.windowMs - now, signal);
    }
    e.pending += 1;
    const endpointState = e;
    let settled = false;
    const settle = (at: number | null) => {
      if (settled) return;
      settled = true;
      endpointState.pending -= 1;
      if (at !== null) endpointState.sent.push(at);
      for (const wake of endpointState.wakers.splice(0)) wake();
    };
    return { admission: { sent: () => settle(this.clock()), dropped: () => settle(null) }, e };
  }

  #endpoint(endpoint: string): Endpoint {
    let e = this.#endpoints.get(endpoint);
    if (!e) {
      e = { sent: [], head: 0, pending: 0, wakers: [], reserved: [] };
      this.#endpoints.set(endpoint, e);
    }
    return e;
  }

  /**
   * `admit`, for a request that will wait elsewhere before it reaches the pacer's client (a queue
   * of its own): the place is held for it, and the client's next request to `endpoint` takes it
   * (`take`) instead of waiting again. Drop the reservation if the request is never made.
   */
  async reserve(endpoint: string, signal?: AbortSignal): Promise<Admission> {
    const { admission, e } = await this.#admit(endpoint, signal);
    const leave = () => {
      const i = e.reserved.indexOf(reservation);
      if (i >= 0) e.reserved.splice(i, 1);
    };
    const reservation: Admission = {
      sent: () => {
        leave();
        admission.sent();
      },
      dropped: () => {
        leave();
        admission.dropped();
      },
    };
    e.reserved.push(reservation);
    return reservation;
  }

  /** The oldest place reserved for `endpoint` and not taken yet, now taken; null when none is. */
  take(endpoint: string): Admission | null {
    return this.#endpoints.get(endpoint)?.reserved.shift() ?? null;
  }

  /** Forgets the requests that left the window. */
  #prune(e: Endpoint, now: number): void {
    while (e.head < e.sent.length && (e.sent[e.head] as number) <= now - this.pace.windowMs) e.head += 1;
    if (e.head >= 1024 && e.head * 2 >= e.sent.length) {
      e.sent = e.sent.slice(e.head);
      e.head = 0;
    }
  }

  /**
   * Forgets endpoints with nothing in their window, nothing waiting and nothing reserved: a
   * long-lived client asks for many paths once (an alert by number, a repository's list).
   */
  #sweep(): void {
    this.#sinceSweep = 0;
    const now = this.clock();
    for (const [endpoint, e] of this.#endpoints) {
      this.#prune(e, now);
      const quiet =
        e.head === e.sent.length && e.pending === 0 && e.wakers.length === 0 && e.reserved.length === 0;
      if (quiet) this.#endpoints.delete(endpoint);
    }
  }

  /** Endpoints the pacer keeps a window for (tests check that quiet ones are forgotten). */
  get endpoints(): number {
    return this.#endpoints.size;
  }
}

/** Resolves after `ms` (never, if null) or when the endpoint's requests move, whichever is first. */
function nextChance(e: Endpoint, ms: number | null, signal: AbortSignal | undefined): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      const i = e.wakers.indexOf(wake);
      if (i >= 0) e.wakers.splice(i, 1);
    };
    const wake = () => {
      done();
      resolve();
    };
    const onAbort = () => {
      done();
      reject(signal?.reason);
    };
    e.wakers.push(wake);
    // On the global timers, which tests can fake.
    if (ms !== null) timer = setTimeout(wake, Math.max(1, Math.ceil(ms)));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
