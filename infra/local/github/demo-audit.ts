/**
 * Org audit log entries for the alert histories, with GitHub's action names
 * (`repository_vulnerability_alert.*`, `secret_scanning_alert.*`,
 * `secret_scanning_push_protection.bypass`). Code scanning writes no org audit events.
 */
import { DEPENDABOT_BOT } from './demo-catalog.ts';
import type {
  DemoAlertEvent,
  DemoAuditEvent,
  DemoDependabotAlert,
  DemoSecretScanningAlert,
  DemoUser,
} from './demo-types.ts';
import type { Prng } from './prng.ts';

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

export interface AuditContext {
  org: string;
  orgId: number;
  rng: Prng;
  users: readonly DemoUser[];
}

type Draft = Omit<
  DemoAuditEvent,
  '@timestamp' | 'created_at' | '_document_id' | 'org' | 'org_id' | 'actor_id'
> & {
  /** The alert event's second; the audit log adds milliseconds. */
  at: string;
  /** Orders entries logged within one second: the push, then the bypass, then the alert. */
  slot: 0 | 1 | 2;
};

function actorId(ctx: AuditContext, login: string): number {
  if (login === DEPENDABOT_BOT.login) return DEPENDABOT_BOT.id;
  const user = ctx.users.find((u) => u.login === login);
  if (!user) throw new Error(`Unknown demo user ${login}`);
  return user.id;
}

function documentId(rng: Prng): string {
  let id = '';
  for (let i = 0; i < 22; i++) id += BASE64URL[rng.int(0, 63)];
  return id;
}

function previousState(events: readonly DemoAlertEvent[], index: number): DemoAlertEvent['kind'] | undefined {
  return events[index - 1]?.kind;
}

function dependabotDrafts(org: string, alert: DemoDependabotAlert): Draft[] {
  const repo = `${org}/${alert.repository}`;
  const drafts: Draft[] = [];
  // Plain literals, no spreads: this runs for every alert of a 100,000-alert org.
  const push = (
    at: string,
    actor: string,
    action: string,
    operationType: Draft['operation_type'],
    data: Draft['data'],
  ) => drafts.push({ repo, at, slot: 2, data, actor, action, operation_type: operationType });
  const bot = DEPENDABOT_BOT.login;
  const events = alert.events;
  for (let i = 0; i < events.length; i++) {
    const event = events[i] as DemoAlertEvent;
    const data = { alert_number: alert.number };
    switch (event.kind) {
      case 'created':
        push(event.at, bot, 'repository_vulnerability_alert.create', 'create', data);
        break;
      case 'fixed':
        push(event.at, bot, 'repository_vulnerability_alert.resolve', 'modify', data);
        break;
      case 'auto_dismissed':
        push(event.at, bot, 'repository_vulnerability_alert.auto_dismiss', 'modify', data);
        break;
      case 'dismissed':
        push(
          event.at,
          event.actor ?? bot,
          'repository_vulnerability_alert.dismiss',
          'modify',
          event.reason ? { alert_number: alert.number, reason: event.reason } : data,
        );
        break;
      case 'reopened': {
        // GitHub names who reopened; when nobody did, the action says why it reopened.
        const before = previousState(events, i);
        const action =
          event.actor !== null ? 'reopen' : before === 'auto_dismissed' ? 'auto_reopen' : 'reintroduce';
        push(event.at, event.actor ?? bot, `repository_vulnerability_alert.${action}`, 'modify', data);
        break;
      }
      case 'resolved':
        break;
    }
  }
  return drafts;
}

function secretDrafts(org: string, alert: DemoSecretScanningAlert): Draft[] {
  const repo = `${org}/${alert.repository}`;
  const secretType = alert.secretType.type;
  const facts = { number: alert.number, secret_type: secretType };
  const drafts: Draft[] = [];
  if (alert.bypass) {
    drafts.push({
      repo,
      at: alert.bypass.at,
      slot: 0,
      actor: alert.bypass.actor,
      action: 'git.push',
      operation_type: 'access',
      transport_protocol_name: 'http',
      data: {},
    });
    drafts.push({
      repo,
      at: alert.bypass.at,
      slot: 1,
      actor: alert.bypass.actor,
      action: 'secret_scanning_push_protection.bypass',
      operation_type: 'create',
      ...facts,
      data: { alert_number: alert.number, secret_type: secretType, reason: alert.bypass.reason },
    });
  }
  for (const event of alert.events) {
    // Alerts resolved by GitHub itself (pattern edits) leave no user action to log.
    if (event.actor === null) continue;
    const action =
      event.kind === 'created'
        ? 'create'
        : event.kind === 'resolved'
          ? 'resolve'
          : event.kind === 'reopened'
            ? 'reopen'
            : null;
    if (action === null) continue;
    drafts.push({
      repo,
      at: event.at,
      slot: 2,
      actor: event.actor,
      action: `secret_scanning_alert.${action}`,
      operation_type: action === 'create' ? 'create' : 'modify',
      ...facts,
      data: {
        alert_number: alert.number,
        secret_type: secretType,
        ...(event.kind === 'resolved' && event.reason ? { reason: event.reason } : {}),
      },
    });
  }
  return drafts;
}

/** Milliseconds within the second, per slot, so entries of one second keep their order. */
const SLOT_MS: Record<Draft['slot'], readonly [number, number]> = {
  0: [0, 99],
  1: [100, 299],
  2: [300, 999],
};

/**
 * The audit log entries of the alerts' histories, oldest first. With `onlyAt` (an alert event
 * time), only the entries of events at that second: what a later change adds to the log.
 */
export function buildAuditEvents(
  ctx: AuditContext,
  alerts: { dependabot: readonly DemoDependabotAlert[]; secret_scanning: readonly DemoSecretScanningAlert[] },
  options: { onlyAt?: string } = {},
): DemoAuditEvent[] {
  const all = [
    ...alerts.dependabot.flatMap((a) => dependabotDrafts(ctx.org, a)),
    ...alerts.secret_scanning.flatMap((a) => secretDrafts(ctx.org, a)),
  ];
  const drafts = options.onlyAt === undefined ? all : all.filter((d) => d.at === options.onlyAt);
  const events = drafts.map((d): DemoAuditEvent => {
    const [min, max] = SLOT_MS[d.slot];
    const ms = Date.parse(d.at) + ctx.rng.int(min, max);
    // Built field by field, not with rest/spread: this runs for every entry of a 100,000-alert
    // org, and the field order stays the one GitHub prints (optional facts, then `data`).
    const event = {
      '@timestamp': ms,
      created_at: ms,
      _document_id: documentId(ctx.rng),
      action: d.action,
      actor: d.actor,
      actor_id: actorId(ctx, d.actor),
      org: ctx.org,
      org_id: ctx.orgId,
      repo: d.repo,
      operation_type: d.operation_type,
    } as DemoAuditEvent;
    if (d.number !== undefined) event.number = d.number;
    if (d.secret_type !== undefined) event.secret_type = d.secret_type;
    if (d.transport_protocol_name !== undefined) event.transport_protocol_name = d.transport_protocol_name;
    event.data = d.data;
    return event;
  });
  return events.sort(
    (a, b) => a['@timestamp'] - b['@timestamp'] || a._document_id.localeCompare(b._document_id),
  );
}
