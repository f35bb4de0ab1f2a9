import type { Alert } from '../../functions/core/model.ts';

/** A normalised alert with sensible defaults, for tests that only care about a few fields. */
export function makeAlert(overrides: Partial<Alert> = {}): Alert {
  return {
    alertType: 'dependabot',
    repository: 'octo-demo/payments-api',
    number: 1,
    state: 'open',
    severity: 'high',
    title: 'Prototype pollution in lodash',
    ruleId: 'GHSA-p6mc-m468-83gw',
    htmlUrl: 'https://github.com/octo-demo/payments-api/security/dependabot/1',
    createdAt: '2026-11-02T10:00:00.000Z',
    updatedAt: '2026-11-02T10:00:00.000Z',
    closedAt: null,
    closedBy: null,
    reason: null,
    comment: null,
    ...overrides,
  };
}
