import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type Admission, ENDPOINT_PACE, EndpointPacer } from '../../../functions/github/pacing.ts';

const DEPENDABOT = 'GET /orgs/octo/dependabot/alerts';
const CODE_SCANNING = 'GET /orgs/octo/code-scanning/alerts';

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

/** A pacer on the fake clock. */
const pacer = (requests: number, windowMs: number) =>
  new EndpointPacer({ requests, windowMs }, () => Date.now());

/** Admits a request and records when it was let through. */
function admitting(p: EndpointPacer, endpoint: string, log: number[], signal?: AbortSignal) {
  const admitted = p.admit(endpoint, signal).then((a) => {
    log.push(Date.now());
    return a;
  });
  admitted.catch(() => {});
  return admitted;
}

describe('pacing requests under GitHub’s secondary rate limit per endpoint', () => {
  it('keeps GitHub’s 900 a minute with a margin by default', () => {
    expect(ENDPOINT_PACE).toEqual({ requests: 850, windowMs: 60_000 });
  });

  it('lets the limit through at once, then each next request as the oldest leaves the window', async () => {
    const p = pacer(3, 1000);
    const log: number[] = [];
    const all = Array.from({ length: 7 }, () => admitting(p, DEPENDABOT, log));
    // Sent as soon as let through, at 0, 0, 0; the fourth when the first is a window old.
    for (const admitted of all) void admitted.then((a) => a.sent());
    await vi.advanceTimersByTimeAsync(0);
    expect(log).toEqual([0, 0, 0]);
    await vi.advanceTimersByTimeAsync(999);
    expect(log).toEqual([0, 0, 0]);
    await vi.advanceTimersByTimeAsync(1);
    expect(log).toEqual([0, 0, 0, 1000, 1000, 1000]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(log).toEqual([0, 0, 0, 1000, 1000, 1000, 2000]);
  });

  it('lets a request arriving a millisecond before the oldest leaves the window wait that millisecond', async () => {
    const p = pacer(1, 1000);
    const log: number[] = [];
    (await admitting(p, DEPENDABOT, log)).sent();
    await vi.advanceTimersByTimeAsync(999);
    const late = admitting(p, DEPENDABOT, log);
    await vi.advanceTimersByTimeAsync(0);
    expect(log).toEqual([0]);
    await vi.advanceTimersByTimeAsync(1);
    expect(log).toEqual([0, 1000]);
    (await late).sent();
  });

  it('counts a request let through but not sent yet, and its window starts when it is sent', async () => {
    const p = pacer(2, 1000);
    const log: number[] = [];
    const first = await admitting(p, DEPENDABOT, log);
    const second = await admitting(p, DEPENDABOT, log);
    const third = admitting(p, DEPENDABOT, log);
    // Both places taken by requests still waiting for the wire: the third waits, however long.
    await vi.advanceTimersByTimeAsync(5000);
    expect(log).toEqual([0, 0]);
    first.sent();
    second.sent();
    await vi.advanceTimersByTimeAsync(999);
    expect(log).toEqual([0, 0]);
    await vi.advanceTimersByTimeAsync(1);
    expect(log).toEqual([0, 0, 6000]);
    (await third).sent();
  });

  it('gives a dropped request’s place back at once', async () => {
    const p = pacer(1, 60_000);
    const log: number[] = [];
    const first = await admitting(p, DEPENDABOT, log);
    const second = admitting(p, DEPENDABOT, log);
    await vi.advanceTimersByTimeAsync(250);
    first.dropped();
    // Dropping or sending twice changes nothing.
    first.dropped();
    first.sent();
    await vi.advanceTimersByTimeAsync(0);
    expect(log).toEqual([0, 250]);
    (await second).sent();
    const third = admitting(p, DEPENDABOT, log);
    await vi.advanceTimersByTimeAsync(59_999);
    expect(log).toEqual([0, 250]);
    await vi.advanceTimersByTimeAsync(1);
    expect(log).toEqual([0, 250, 60_250]);
    (await third).sent();
  });

  it('paces each endpoint on its own', async () => {
    const p = pacer(1, 1000);
    const log: number[] = [];
    (await admitting(p, DEPENDABOT, log)).sent();
    const dependabot = admitting(p, DEPENDABOT, log);
    (await admitting(p, CODE_SCANNING, log)).sent();
    expect(log).toEqual([0, 0]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(log).toEqual([0, 0, 1000]);
    (await dependabot).sent();
  });

  it('stops waiting when its signal aborts, and takes no place', async () => {
    const p = pacer(1, 1000);
    const log: number[] = [];
    (await admitting(p, DEPENDABOT, log)).sent();
    const controller = new AbortController();
    const given = admitting(p, DEPENDABOT, log, controller.signal);
    controller.abort(new Error('the snapshot stopped'));
    await expect(given).rejects.toThrow('the snapshot stopped');
    // The next request waits only for the window, not for the one given up.
    const next = admitting(p, DEPENDABOT, log);
    await vi.advanceTimersByTimeAsync(1000);
    expect(log).toEqual([0, 1000]);
    (await next).sent();
  });

  it('holds a reserved place for the next request to its endpoint, which takes it without waiting', async () => {
    const p = pacer(2, 1000);
    const log: number[] = [];
    const reserved = await p.reserve(DEPENDABOT);
    expect(p.take(CODE_SCANNING)).toBeNull();
    const other = await admitting(p, DEPENDABOT, log);
    // Both places held (one reserved, one let through): a third request waits.
    const third = admitting(p, DEPENDABOT, log);
    await vi.advanceTimersByTimeAsync(5000);
    expect(log).toEqual([0]);
    const taken = p.take(DEPENDABOT);
    expect(taken).not.toBeNull();
    expect(p.take(DEPENDABOT)).toBeNull();
    taken?.sent();
    other.sent();
    // Sending the reservation taken is sending it; dropping it afterwards changes nothing.
    reserved.dropped();
    await vi.advanceTimersByTimeAsync(999);
    expect(log).toEqual([0]);
    await vi.advanceTimersByTimeAsync(1);
    expect(log).toEqual([0, 6000]);
    (await third).sent();
    // A reservation never taken, dropped, gives its place back.
    const unused = await p.reserve(CODE_SCANNING);
    unused.dropped();
    expect(p.take(CODE_SCANNING)).toBeNull();
  });

  it('forgets endpoints gone quiet, and keeps those with a window, a wait or a reservation', async () => {
    const p = pacer(1, 1000);
    for (let i = 0; i < 998; i++) (await p.admit(`GET /repositories/1/dependabot/alerts/${i}`)).sent();
    const kept = await p.reserve(DEPENDABOT);
    expect(p.endpoints).toBe(999);
    await vi.advanceTimersByTimeAsync(1000);
    // The thousandth admission sweeps: the 998 single requests left their window; the reserved
    // endpoint stays, and the one just let through.
    (await p.admit(CODE_SCANNING)).sent();
    expect(p.endpoints).toBe(2);
    kept.dropped();
  });

  it('refuses a pace that lets nothing through', () => {
    expect(() => new EndpointPacer({ requests: 0, windowMs: 60_000 })).toThrow(/at least 1 request/);
    expect(() => new EndpointPacer({ requests: 10, windowMs: 0 })).toThrow(/over 0 ms/);
  });

  it('never sends more than the limit in any window, and lets every request through, whatever the arrivals and waits', async () => {
    const request = fc.record({
      endpoint: fc.constantFrom(DEPENDABOT, CODE_SCANNING),
      arrivesAfter: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 400 })),
      // Time waiting for the wire once let through; null: never sent (dropped).
      waits: fc.option(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 1500 })), { freq: 5 }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 100, max: 2000 }),
        fc.array(request, { minLength: 1, maxLength: 60 }),
        async (limit, windowMs, requests) => {
          vi.setSystemTime(0);
          const p = pacer(limit, windowMs);
          const sent = new Map<string, number[]>();
          let arrival = 0;
          let settled = 0;
          for (const r of requests) {
            arrival += r.arrivesAfter;
            setTimeout(() => {
              void p.admit(r.endpoint).then((a: Admission) => {
                if (r.waits === null) {
                  a.dropped();
                  settled += 1;
                  return;
                }
                setTimeout(() => {
                  a.sent();
                  sent.set(r.endpoint, [...(sent.get(r.endpoint) ?? []), Date.now()]);
                  settled += 1;
                }, r.waits);
              });
            }, arrival);
          }
          // Time enough for every request: each waits at most one window and its own wait per
          // request before it.
          await vi.advanceTimersByTimeAsync(arrival + requests.length * (windowMs + 1500));
          expect(settled).toBe(requests.length);
          for (const times of sent.values()) {
            for (let i = limit; i < times.length; i++) {
              expect((times[i] as number) - (times[i - limit] as number)).toBeGreaterThanOrEqual(windowMs);
            }
          }
          vi.clearAllTimers();
        },
      ),
      { numRuns: 150, seed: 20261122 },
    );
  });
});
