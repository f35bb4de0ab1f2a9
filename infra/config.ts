/**
 * Typed configuration of the alert-ledger stack.
 *
 * Read from the CDK context: `-c configFile=path/to/config.json` (a JSON file holding the object
 * below) wins over the `alertLedger` object in cdk.json. Validated with zod before any construct
 * is created; every bad field is named in one error, so a deploy never starts half-configured.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Node } from 'constructs';
import * as z from 'zod';
import { slaPolicySchema, teamsSchema } from '../functions/runtime/config.ts';

/** Context key of the inline configuration object (cdk.json `context.alertLedger`). */
export const CONFIG_CONTEXT_KEY = 'alertLedger';
/** Context key of a JSON configuration file; takes precedence over the inline object. */
export const CONFIG_FILE_CONTEXT_KEY = 'configFile';

/** Retention periods CloudWatch Logs accepts, in days. */
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

// GitHub logins: alphanumerics and single hyphens, not at either end, at most 39 characters.
const GITHUB_LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
// Enterprise slugs: lowercase alphanumerics and hyphens.
const ENTERPRISE_SLUG = /^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$/;
// IANA names only ("Europe/Berlin", "UTC"); offsets like "+01:00" are not accepted by EventBridge Scheduler.
const IANA_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*$/;
const DOMAIN = /^(?=.{1,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;
// EventBridge Scheduler expressions: rate(value unit) or cron(6 fields).
const RATE_EXPRESSION = /^rate\((?:1 (?:minute|hour|day)|[1-9][0-9]* (?:minutes|hours|days))\)$/;
const CRON_EXPRESSION = /^cron\(\S+ \S+ \S+ \S+ \S+ \S+\)$/;
const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;

function isIanaTimeZone(name: string): boolean {
  if (!IANA_NAME.test(name)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

function isEmail(text: string): boolean {
  return z.email().safeParse(text).success;
}

const scheduleExpression = z.string().refine((s) => RATE_EXPRESSION.test(s) || CRON_EXPRESSION.test(s), {
  error: 'must be an EventBridge Scheduler expression: "rate(1 hour)" or "cron(min hour dom month dow year)"',
});

const cronExpression = z.string().regex(CRON_EXPRESSION, {
  error:
    'must be a cron() expression ("cron(min hour dom month dow year)") so it follows the period boundaries',
});

const email = z.email({ error: 'must be an email address' });

export const configSchema = z
  .strictObject({
    /** CloudFormation stack name. */
    stackName: z
      .string()
      .regex(STACK_NAME, { error: 'must start with a letter; letters, digits and hyphens only' })
      .default('AlertLedger'),
    /** GitHub organisations to snapshot (ORGS). At least one. */
    orgs: z
      .array(z.string().regex(GITHUB_LOGIN, { error: 'must be a GitHub organisation login' }))
      .min(1, { error: 'must list at least one organisation' })
      .refine((orgs) => new Set(orgs.map((o) => o.toLowerCase())).size === orgs.length, {
        error: 'must not list an organisation twice',
      }),
    /** Optional enterprise slug (enterprise-level endpoints and audit log). */
    enterprise: z.string().regex(ENTERPRISE_SLUG, { error: 'must be a GitHub enterprise slug' }).optional(),
    /**
     * Authenticate as a GitHub App installation instead of with a token: the credentials secret then
     * holds the App's private key (PEM). Not with `enterprise` (GitHub keeps enterprise-level lists
     * from Apps).
     */
    githubApp: z
      .strictObject({
        /** The App's id (GITHUB_APP_ID). */
        appId: z.int().positive(),
        /**
         * One installation to read every organisation through (GITHUB_APP_INSTALLATION_ID).
         * Without it each organisation is read through the App's installation on it, looked up.
         */
        installationId: z.int().positive().optional(),
      })
      .optional(),
    /** GitHub REST base URL (GITHUB_API_URL). GHES: https://HOST/api/v3. */
    githubApiUrl: z
      .url({ protocol: /^https$/, error: 'must be an https URL' })
      .transform((u) => u.replace(/\/+$/, ''))
      .default('https://api.github.com'),
    /** IANA time zone of periods and of the cron schedules (TIME_ZONE). */
    timeZone: z
      .string()
      .refine(isIanaTimeZone, { error: 'must be an IANA time zone name such as "Europe/Berlin" or "UTC"' })
      .default('UTC'),
    report: z
      .strictObject({
        /** Sender address (REPORT_FROM). */
        from: email,
        /** Recipients (REPORT_TO, comma separated). */
        to: z.array(email).min(1, { error: 'must list at least one recipient' }),
        /**
         * SES identity created in the stack and the only one the report function may send as:
         * a domain ("example.com") or an address. Default: the `from` address.
         */
        senderIdentity: z
          .string()
          .refine((s) => DOMAIN.test(s) || isEmail(s), {
            error: 'must be a domain or an email address',
          })
          .optional(),
      })
      .superRefine((r, ctx) => {
        const identity = r.senderIdentity;
        // Only compare well-formed values; malformed ones already have their own issue.
        if (identity === undefined || !isEmail(r.from) || !(DOMAIN.test(identity) || isEmail(identity)))
          return;
        const fromDomain = r.from.slice(r.from.lastIndexOf('@') + 1).toLowerCase();
        const ok = identity.includes('@')
          ? identity.toLowerCase() === r.from.toLowerCase()
          : identity.toLowerCase() === fromDomain;
        if (!ok) {
          ctx.addIssue({
            code: 'custom',
            path: ['senderIdentity'],
            message: `must be the domain of report.from (${fromDomain}) or report.from itself`,
          });
        }
      }),
    /** Days allowed per severity and for secret scanning (SLA_POLICY); DESIGN.md's defaults fill the rest. */
    slaPolicy: slaPolicySchema.optional(),
    /** Team name to its repositories ("org/repo"), for per-team figures in the report (TEAMS). */
    teams: teamsSchema.optional(),
    schedules: z
      .strictObject({
        /** false creates the schedules disabled. */
        enabled: z.boolean().default(true),
        /** Incremental snapshot, input {"mode":"incremental"}. */
        snapshotIncremental: scheduleExpression.default('rate(1 hour)'),
        /** Full reconciliation, input {"mode":"full"}; cron in `timeZone`. */
        snapshotFull: scheduleExpression.default('cron(0 23 ? * SUN *)'),
        /** Weekly report; cron in `timeZone`. */
        report: cronExpression.default('cron(0 7 ? * MON *)'),
        /** Scheduler retries when the invocation itself fails (0-185). */
        retryAttempts: z.int().min(0).max(185).default(3),
        /** Scheduler gives up on an event older than this (1-1440 minutes). */
        maxEventAgeMinutes: z.int().min(1).max(1440).default(60),
      })
      .prefault({}),
    /**
     * Fan-out of the scheduled snapshots (a Step Functions Map over `orgs`): one run per
     * organisation, each resumed from its checkpoint until it finishes.
     */
    snapshotRuns: z
      .strictObject({
        /** Organisations snapshotted at once (they share the token's rate limit). */
        maxConcurrency: z.int().min(1).max(40).default(5),
        /**
         * Invocations of the snapshot function one organisation may use in one run (each up to
         * 15 minutes); a snapshot still resumable after them fails the run and is resumed by the next.
         */
        maxInvocations: z.int().min(1).max(50).default(12),
      })
      .prefault({}),
    /** Operators' address for the alarm topic (an SNS email subscription to confirm); none: subscribe yourself. */
    alarmEmail: email.optional(),
    webhook: z
      .strictObject({
        /** Reserved concurrency of the webhook function; null reserves none. */
        reservedConcurrency: z.int().min(1).max(1000).nullable().default(10),
      })
      .prefault({}),
    table: z
      .strictObject({
        /** DynamoDB deletion protection. */
        deletionProtection: z.boolean().default(true),
      })
      .prefault({}),
    /** The reports bucket: how long issued reports are kept, and write-once evidence. */
    reportsBucket: z
      .strictObject({
        /** Days after which report files (and their older versions) expire; null keeps them forever. */
        retentionDays: z.int().min(1).max(36500).nullable().default(null),
        /**
         * S3 Object Lock: each report file cannot be changed or deleted for `days` (COMPLIANCE: not
         * even by the root user; GOVERNANCE: by those allowed to bypass it). Set at creation only.
         */
        objectLock: z
          .strictObject({
            mode: z.enum(['COMPLIANCE', 'GOVERNANCE']),
            days: z.int().min(1).max(36500),
          })
          .optional(),
        /**
         * An IAM user allowed only to read reports, whose access key (in Secrets Manager) signs the
         * emailed links to PDFs too big to attach, so that they work for REPORT_LINK_EXPIRY_HOURS
         * (up to 7 days). Without it the report function's own credentials sign them, and being
         * temporary they give links of an hour.
         */
        linkSigner: z.boolean().default(false),
      })
      .prefault({}),
    /** Retention of each function's log group, in days (a value CloudWatch Logs accepts). */
    logRetentionDays: z
      .literal(LOG_RETENTION_DAYS, { error: `must be one of ${LOG_RETENTION_DAYS.join(', ')}` })
      .default(30),
  })
  .superRefine((c, ctx) => {
    const { retentionDays, objectLock } = c.reportsBucket;
    if (objectLock && retentionDays !== null && retentionDays < objectLock.days) {
      ctx.addIssue({
        code: 'custom',
        path: ['reportsBucket', 'retentionDays'],
        message: `must be at least objectLock.days (${objectLock.days}): locked files cannot expire earlier`,
      });
    }
    if (c.githubApp !== undefined && c.enterprise !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['githubApp'],
        message:
          'GitHub does not let Apps read the enterprise-level lists: use a token with enterprise, or drop enterprise',
      });
    }
  });

export type AlertLedgerConfig = z.output<typeof configSchema>;
export type AlertLedgerConfigInput = z.input<typeof configSchema>;

/** A configuration that cannot be used. `problems` lists one line per bad field. */
export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(source: string, problems: readonly string[]) {
    super(
      `Invalid alert-ledger configuration (${source}):\n${problems.map((p) => `  - ${p}`).join('\n')}\n` +
        'Fix the fields above in cdk.json (context.alertLedger) or in the file given with -c configFile=PATH.',
    );
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(root)' : out;
}

/** Validates a raw configuration object; throws ConfigError naming every bad field. */
export function parseConfig(raw: unknown, source = 'configuration'): AlertLedgerConfig {
  const result = configSchema.safeParse(raw, {
    error: (issue) =>
      issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : undefined,
  });
  if (result.success) return result.data;
  const problems: string[] = [];
  for (const issue of result.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) problems.push(`${fieldPath([...issue.path, key])}: unknown field`);
    } else {
      problems.push(`${fieldPath(issue.path)}: ${issue.message}`);
    }
  }
  throw new ConfigError(source, problems);
}

/**
 * Loads the configuration from the CDK context of `node` (usually `app.node`):
 * `configFile` (a JSON file, relative to the working directory) or the `alertLedger` object
 * (an object from cdk.json, or a JSON string given with `-c alertLedger='{...}'`).
 */
export function loadConfig(node: Node): AlertLedgerConfig {
  const file: unknown = node.tryGetContext(CONFIG_FILE_CONTEXT_KEY);
  if (file !== undefined) {
    if (typeof file !== 'string' || file === '') {
      throw new ConfigError(`context ${CONFIG_FILE_CONTEXT_KEY}`, [
        `${CONFIG_FILE_CONTEXT_KEY}: must be a file path`,
      ]);
    }
    const path = resolve(file);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      throw new ConfigError(`file ${path}`, [`cannot read the file: ${(err as Error).message}`]);
    }
    return parseConfig(parseJson(text, `file ${path}`), `file ${path}`);
  }
  const inline: unknown = node.tryGetContext(CONFIG_CONTEXT_KEY);
  const source = `context ${CONFIG_CONTEXT_KEY}`;
  if (inline === undefined) {
    throw new ConfigError(source, [
      `no configuration: set context.${CONFIG_CONTEXT_KEY} in cdk.json or pass -c ${CONFIG_FILE_CONTEXT_KEY}=PATH`,
    ]);
  }
  return parseConfig(typeof inline === 'string' ? parseJson(inline, source) : inline, source);
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new ConfigError(source, [`not valid JSON: ${(err as Error).message}`]);
  }
}
