/**
 * Signed `dependabot_alert` deliveries for the webhook benchmark, built from the `created`
 * example of @octokit/webhooks-examples (a real 8 kB payload), each one distinct: its own
 * delivery id, alert number, repository and timestamps.
 *
 * Every alert goes through five deliveries: `created` (no state yet: a first transition to
 * open), `dismissed`, `reopened`, `fixed` (each a transition), then a late copy of the dismissal
 * with a new delivery id (older than the stored state: read, no transition). Four in five
 * deliveries therefore write an alert, its transition and the delivery in one transaction. The
 * alerts' deliveries are interleaved (seeded), the way several repositories' events arrive.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { sign } from '@octokit/webhooks-methods';

const require = createRequire(import.meta.url);

export interface BenchDelivery {
  /** Lower-case header names, as the use case takes them. */
  headers: Record<string, string>;
  body: Buffer;
  /** What the use case should answer: 'recorded' with one transition, or a no-change message. */
  expect: { message: string; transitions: number };
}

type Step = 'created' | 'dismissed' | 'reopened' | 'fixed' | 'late-dismissed';
const STEPS: readonly Step[] = ['created', 'dismissed', 'reopened', 'fixed', 'late-dismissed'];
export const DELIVERIES_PER_ALERT = STEPS.length;

interface Example {
  action: string;
  alert: Record<string, unknown>;
  repository: Record<string, unknown>;
  sender?: Record<string, unknown>;
  [key: string]: unknown;
}

function createdExample(): Example {
  const path = require.resolve('@octokit/webhooks-examples/api.github.com/index.json');
  const index = JSON.parse(readFileSync(path, 'utf8')) as { name: string; examples: Example[] }[];
  const example = index
    .find((e) => e.name === 'dependabot_alert')
    ?.examples.find((e) => e.action === 'created');
  if (!example) throw new Error('@octokit/webhooks-examples has no dependabot_alert created example');
  return example;
}

/** Mulberry32: a small seeded generator, so every run sends the same sequence. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function payloadFor(template: Example, org: string, repoIndex: number, number: number, step: Step): Example {
  const full = `${org}/repo-${String(repoIndex).padStart(3, '0')}`;
  // Each alert's history is dated from 2030-01-01, one hour per step, so the order is unambiguous.
  const base = Date.UTC(2030, 0, 1) + number * 60_000;
  const at = (hours: number) => new Date(base + hours * 3_600_000).toISOString().replace('.000Z', 'Z');
  const created = at(0);
  const dismissedAt = at(1);
  const alert: Record<string, unknown> = {
    ...template.alert,
    number,
    url: `https://api.github.com/repos/${full}/dependabot/alerts/${number}`,
    html_url: `https://github.com/${full}/security/dependabot/${number}`,
    created_at: created,
    updated_at: created,
    state: 'open',
    dismissed_at: null,
    dismissed_by: null,
    dismissed_reason: null,
    dismissed_comment: null,
    fixed_at: null,
    auto_dismissed_at: null,
  };
  const dismissed = {
    state: 'dismissed',
    dismissed_at: dismissedAt,
    updated_at: dismissedAt,
    dismissed_by: { login: 'security-lead' },
    dismissed_reason: 'tolerable_risk',
    dismissed_comment: 'Not reachable from user input',
  };
  let action: string = step;
  switch (step) {
    case 'created':
      break;
    case 'dismissed':
    case 'late-dismissed':
      Object.assign(alert, dismissed);
      action = 'dismissed';
      break;
    case 'reopened':
      alert.updated_at = at(2);
      break;
    case 'fixed':
      Object.assign(alert, { state: 'fixed', fixed_at: at(3), updated_at: at(3) });
      break;
  }
  return {
    ...template,
    action,
    alert,
    repository: { ...template.repository, name: full.split('/')[1], full_name: full },
    sender: { ...template.sender, login: step === 'created' ? 'dependabot[bot]' : 'security-lead' },
  };
}

const EXPECTED: Record<Step, BenchDelivery['expect']> = {
  created: { message: 'recorded', transitions: 1 },
  dismissed: { message: 'recorded', transitions: 1 },
  reopened: { message: 'recorded', transitions: 1 },
  fixed: { message: 'recorded', transitions: 1 },
  'late-dismissed': { message: 'older than stored state', transitions: 0 },
};

/**
 * `count` deliveries (a multiple of five: whole alert histories) for alerts spread over `orgs`
 * organisations of 20 repositories each, signed with `secret`.
 *
 * @example
 * const list = await buildDeliveries({ count: 1000, secret, orgs: ['bench-a', 'bench-b'], prefix: 'main' });
 */
export async function buildDeliveries(options: {
  count: number;
  secret: string;
  orgs: readonly string[];
  /** Makes delivery ids and alert numbers distinct between batches. */
  prefix: string;
  firstNumber?: number;
  seed?: number;
}): Promise<BenchDelivery[]> {
  if (options.count % DELIVERIES_PER_ALERT !== 0) {
    throw new Error(
      `the delivery count must be a multiple of ${DELIVERIES_PER_ALERT} (whole alert histories)`,
    );
  }
  const template = createdExample();
  const alerts = options.count / DELIVERIES_PER_ALERT;
  const random = seeded(options.seed ?? 20_300_101);
  // Per alert, the next step to send; pick a random alert that still has steps left.
  const pending = Array.from({ length: alerts }, (_, i) => ({ i, next: 0 }));
  const out: BenchDelivery[] = [];
  while (pending.length > 0) {
    const at = Math.floor(random() * pending.length);
    const entry = pending[at];
    if (!entry) break;
    const step = STEPS[entry.next] as Step;
    const org = options.orgs[entry.i % options.orgs.length] as string;
    const number = (options.firstNumber ?? 1) + entry.i;
    const body = JSON.stringify(payloadFor(template, org, entry.i % 20, number, step));
    out.push({
      headers: {
        'content-type': 'application/json',
        'user-agent': 'GitHub-Hookshot/bench',
        'x-github-event': 'dependabot_alert',
        'x-github-delivery': `${options.prefix}-${number}-${step}`,
        'x-hub-signature-256': await sign(options.secret, body),
      },
      body: Buffer.from(body),
      expect: EXPECTED[step],
    });
    entry.next += 1;
    if (entry.next === STEPS.length) pending.splice(at, 1);
  }
  return out;
}
