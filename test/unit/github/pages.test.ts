import { describe, expect, it } from 'vitest';
import { alertLanes, partitionOf, partitionsOf } from '../../../functions/github/pages.ts';

const scope = { kind: 'org', org: 'octo' } as const;

describe('the lanes of a snapshot', () => {
  it('lists each partition of a split listing from both ends, then sweeps it', () => {
    const lanes = alertLanes(scope, {
      hideSecret: true,
      order: 'created',
      partition: new Set(['dependabot', 'secret_scanning', 'code_scanning']),
      byState: new Set(['dependabot', 'secret_scanning']),
    });
    const dependabot = lanes.filter((l) => l.group === 'dependabot');
    expect(dependabot.map((l) => [l.id, l.params.state ?? null, l.params.sort, l.params.direction])).toEqual([
      ['dependabot:open', 'open', 'created', 'asc'],
      ['dependabot:open:newest', 'open', 'created', 'desc'],
      ['dependabot:fixed', 'fixed', 'created', 'asc'],
      ['dependabot:fixed:newest', 'fixed', 'created', 'desc'],
      ['dependabot:dismissed', 'dismissed,auto_dismissed', 'created', 'asc'],
      ['dependabot:dismissed:newest', 'dismissed,auto_dismissed', 'created', 'desc'],
      ['dependabot:moved', null, 'updated', 'desc'],
    ]);
    expect(dependabot.map((l) => l.pair ?? null)).toEqual([
      { id: 'dependabot:open', end: 'oldest' },
      { id: 'dependabot:open', end: 'newest' },
      { id: 'dependabot:fixed', end: 'oldest' },
      { id: 'dependabot:fixed', end: 'newest' },
      { id: 'dependabot:dismissed', end: 'oldest' },
      { id: 'dependabot:dismissed', end: 'newest' },
      null,
    ]);
    expect(dependabot.at(-1)?.sweep).toBe(true);
    // Split but not by state: the whole listing from both ends.
    const code = lanes.filter((l) => l.group === 'code_scanning');
    expect(code.map((l) => [l.id, l.params.state ?? null, l.params.direction, l.pair ?? null])).toEqual([
      ['code_scanning', null, 'asc', { id: 'code_scanning', end: 'oldest' }],
      ['code_scanning:newest', null, 'desc', { id: 'code_scanning', end: 'newest' }],
      ['code_scanning:moved', null, 'desc', null],
    ]);
    // Secret scanning is not split by state: the whole listing from both ends, hide_secret kept.
    const secrets = lanes.filter((l) => l.group === 'secret_scanning');
    expect(secrets.map((l) => [l.id, l.params.direction, l.params.hide_secret])).toEqual([
      ['secret_scanning', 'asc', true],
      ['secret_scanning:newest', 'desc', true],
      ['secret_scanning:moved', 'desc', true],
    ]);
    // Listings not split stay one chain, oldest first.
    expect(lanes.filter((l) => l.group === 'secret_scanning:non_provider').map((l) => l.id)).toEqual([
      'secret_scanning:non_provider',
    ]);
  });

  it('puts each state in the partition that lists it', () => {
    expect(partitionOf('dependabot', 'open')).toBe('dependabot:open');
    expect(partitionOf('dependabot', 'auto_dismissed')).toBe('dependabot:dismissed');
    expect(partitionOf('dependabot', 'fixed')).toBe('dependabot:fixed');
    expect(partitionOf('dependabot', 'something_new')).toBe('dependabot');
    expect(partitionOf('code_scanning', 'fixed')).toBe('code_scanning:closed');
    expect(partitionOf('code_scanning', 'open')).toBe('code_scanning:open');
    expect(partitionOf('secret_scanning', 'resolved')).toBe('secret_scanning');
    expect(partitionsOf('code_scanning')).toEqual(['code_scanning:open', 'code_scanning:closed']);
    expect(partitionsOf('dependabot')).toEqual([
      'dependabot:open',
      'dependabot:fixed',
      'dependabot:dismissed',
    ]);
    expect(partitionsOf('secret_scanning')).toEqual(['secret_scanning']);
  });
});
