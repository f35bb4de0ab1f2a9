import { describe, expect, it } from 'vitest';
import { alertIndexKey, closedAlertsPartition } from '../../../functions/store/table-schema.ts';
import { makeAlert } from '../../support/alerts.ts';

describe('alertIndexKey: where an alert sits in the open-alerts index', () => {
  const fixed = makeAlert({
    state: 'fixed',
    createdAt: '2026-11-01T09:00:00.000Z',
    closedAt: '2026-11-10T23:59:59.999Z',
    updatedAt: '2026-11-10T23:59:59.999Z',
  });

  it('puts open and leaked alerts under the org, lower-cased', () => {
    expect(alertIndexKey('Octo-Org', makeAlert({ state: 'open' }), [])).toBe('octo-org');
    expect(alertIndexKey('Octo-Org', { ...fixed, publiclyLeaked: true }, [])).toBe('octo-org');
  });

  it('puts a closed alert under the UTC day of its last change: its updatedAt or a later transition', () => {
    expect(alertIndexKey('Octo-Org', fixed, [])).toBe('octo-org#closed#2026-11-10');
    expect(alertIndexKey('octo-org', fixed, [{ at: '2026-11-11T00:00:00.000Z' }])).toBe(
      'octo-org#closed#2026-11-11',
    );
    // An earlier transition (the opening) does not move it back; an unreadable one is ignored.
    expect(alertIndexKey('octo-org', fixed, [{ at: '2026-11-01T09:00:00.000Z' }, { at: 'soon' }])).toBe(
      'octo-org#closed#2026-11-10',
    );
    expect(closedAlertsPartition('Octo-Org', '2026-11-10')).toBe('octo-org#closed#2026-11-10');
  });

  it('puts a closed alert with no readable time in a partition no report reads by day', () => {
    expect(alertIndexKey('octo-org', { ...fixed, updatedAt: 'not a time' }, [])).toBe(
      'octo-org#closed#unknown',
    );
    expect(
      alertIndexKey('octo-org', { ...fixed, updatedAt: 'not a time' }, [{ at: '2026-11-12T08:00:00Z' }]),
    ).toBe('octo-org#closed#2026-11-12');
  });
});
