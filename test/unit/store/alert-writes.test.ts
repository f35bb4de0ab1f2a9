import { describe, expect, it } from 'vitest';
import { observeAlert } from '../../../functions/core/diff.ts';
import {
  type AlertWrite,
  alertWriteActions,
  chunkAlertWrites,
} from '../../../functions/store/dynamo-store.ts';
import { makeAlert } from '../../support/alerts.ts';

const DAY = 86_400_000;

/** A new alert opened at `openedAt` and, when `fixedAt` is given, fixed then: one or two transitions. */
function write(number: number, openedAt: number, fixedAt?: number): AlertWrite {
  const created = new Date(openedAt).toISOString();
  const alert =
    fixedAt === undefined
      ? makeAlert({ number, createdAt: created, updatedAt: created })
      : makeAlert({
          number,
          createdAt: created,
          state: 'fixed',
          updatedAt: new Date(fixedAt).toISOString(),
          closedAt: new Date(fixedAt).toISOString(),
        });
  return {
    alert,
    expectedVersion: null,
    transitions: observeAlert(undefined, alert, 'snapshot').transitions,
    snap: { state: alert.state, severity: alert.severity },
  };
}

describe('chunkAlertWrites', () => {
  const start = Date.parse('2026-11-10T08:00:00.000Z');

  it('fills a transaction with 99 alerts and the one pack of their day', () => {
    const writes = Array.from({ length: 150 }, (_, k) => write(k + 1, start + k * 1000));
    const chunks = chunkAlertWrites(writes, (w) => w);
    expect(chunks.map((c) => c.length)).toEqual([99, 51]);
    expect(chunks.map((c) => alertWriteActions(c))).toEqual([100, 52]);
    expect(chunks.flat()).toEqual(writes);
  });

  it('counts a pack for every day the alerts’ transitions fall on', () => {
    // Each alert opened and fixed on two days no other alert uses: three actions apiece.
    const writes = Array.from({ length: 40 }, (_, k) =>
      write(k + 1, start + 2 * k * DAY, start + (2 * k + 1) * DAY),
    );
    const chunks = chunkAlertWrites(writes, (w) => w);
    expect(chunks.map((c) => c.length)).toEqual([33, 7]);
    expect(chunks.map((c) => alertWriteActions(c))).toEqual([99, 21]);
  });

  it('keeps days already counted free: alerts of known days fill what is left', () => {
    const spread = Array.from({ length: 30 }, (_, k) => write(k + 1, start + k * DAY));
    const sameDays = Array.from({ length: 80 }, (_, k) => write(100 + k, start + (k % 30) * DAY + 60_000));
    const chunks = chunkAlertWrites([...spread, ...sameDays], (w) => w);
    // 30 days counted once: 40 more alerts fit beside the first 30; the other 40 make the next chunk.
    expect(chunks.map((c) => c.length)).toEqual([70, 40]);
    expect(chunks.every((c) => alertWriteActions(c) <= 100)).toBe(true);
    expect(alertWriteActions(chunks[0] ?? [])).toBe(100);
  });

  it('makes no chunk of nothing', () => {
    expect(chunkAlertWrites([], (w: AlertWrite) => w)).toEqual([]);
  });
});
