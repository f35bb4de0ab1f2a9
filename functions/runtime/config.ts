import * as z from 'zod';
import { DEFAULT_SLA_POLICY, type SlaPolicy } from '../core/report-model.ts';

/**
 * Configuration of the three handlers, read once per cold start from the environment and
 * validated, every bad field named. The same variables drive AWS and the local stand-ins:
 * only the `*_ENDPOINT` overrides differ.
 */
const csv = z
  .string()
  .optional()
  .transform((s) =>
    (s ?? '')
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
  );

const timeZone = z
  .string()
  .default('UTC')
  .refine((tz) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, 'not an IANA time zone (for example UTC or Europe/Berlin)');

const optionalUrl = z.url().optional();

/** A JSON value in an environment variable, parsed and then validated by `schema`. */
function jsonEnv<T extends z.ZodType>(schema: T, example: string) {
  return z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined) return undefined;
      try {
        return JSON.parse(raw) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: `not JSON; expected for example ${example}` });
        return z.NEVER;
      }
    })
    .pipe(schema.optional());
}

const days = z.number().int('whole days').min(1, 'at least 1 day').max(3650, 'at most 3650 days');

/** DESIGN.md's SLA policy; every field optional, the defaults fill the rest. */
export const slaPolicySchema = z
  .object({
    critical: days.optional(),
    high: days.optional(),
    medium: days.optional(),
    low: days.optional(),
    secretScanning: days.optional(),
  })
  .strict();

const repositoryList = z
  .array(z.string().regex(/^[^/\s]+\/[^/\s]+$/, 'a repository as org/repo'), {
    error: (issue) =>
      issue.input === undefined
        ? 'required: the team\'s repositories, ["org/repo", ...]'
        : 'a list of repositories, ["org/repo", ...]',
  })
  .min(1, 'at least one repository');

const teamObject = z.strictObject({
  repositories: repositoryList,
  /** Who receives the team's own report (limited to its repositories). */
  recipients: z
    .array(z.email('every recipient must be an email address'))
    .min(1, 'at least one recipient (or leave recipients out for figures only)')
    .optional(),
});

/**
 * One team: its repositories ("org/repo"), for the per-team figures; or, as an object, its
 * repositories and the recipients of a report limited to them. Checked by the form it has, so a
 * mistake is named where it is ("checkout.recipients.0", "checkout.repositories: required").
 */
const teamSchema = z
  .custom<z.infer<typeof repositoryList> | z.infer<typeof teamObject>>()
  .superRefine((team, ctx) => {
    const form = Array.isArray(team) ? repositoryList : typeof team === 'object' && team ? teamObject : null;
    if (!form) {
      ctx.addIssue({
        code: 'custom',
        message: 'a list of repositories ["org/repo", ...], or {"repositories": [...], "recipients": [...]}',
      });
      return;
    }
    const parsed = form.safeParse(team);
    for (const issue of parsed.error?.issues ?? [])
      ctx.addIssue({ ...issue } as Parameters<typeof ctx.addIssue>[0]);
  });

export type TeamConfig = z.infer<typeof teamSchema>;

/**
 * The report scope of a team: `team-<name>`, lower-cased, anything but letters, digits, dots,
 * dashes and underscores made a dash (it is part of S3 keys and of the hash chain's key).
 *
 * @example
 * teamScopeId('Checkout Web'); // 'team-checkout-web'
 */
export function teamScopeId(team: string): string {
  const slug = team
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return `team-${slug}`;
}

/**
 * Team name to its repositories ("org/repo") for the per-team figures, or to
 * `{ repositories, recipients }` for a report of its own, emailed to the recipients.
 */
export const teamsSchema = z
  .record(
    z.string().regex(/^[\w .-]{1,100}$/, 'a team name of letters, digits, spaces, dots, dashes'),
    teamSchema,
  )
  .superRefine((teams, ctx) => {
    const scopes = new Map<string, string>();
    for (const name of Object.keys(teams)) {
      if (!/[A-Za-z0-9]/.test(name)) {
        ctx.addIssue({ code: 'custom', path: [name], message: 'a team name needs a letter or a digit' });
        continue;
      }
      const scope = teamScopeId(name);
      const other = scopes.get(scope);
      if (other !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: `gives the same report scope (${scope}) as team "${other}": rename one`,
        });
      }
      scopes.set(scope, name);
    }
  });

export type TeamsConfig = z.infer<typeof teamsSchema>;

/**
 * Each team's repositories, whichever form configured them (the per-team figures' input).
 *
 * @example
 * teamRepositories({ web: ['o/a'], api: { repositories: ['o/b'], recipients: ['x@o.example'] } });
 * // { web: ['o/a'], api: ['o/b'] }
 */
export function teamRepositories(teams: TeamsConfig): Record<string, string[]> {
  return Object.fromEntries(
    Object.entries(teams).map(([name, team]) => [name, Array.isArray(team) ? team : team.repositories]),
  );
}

/** Presigned S3 links (SigV4) live at most 7 days. */
export const MAX_LINK_EXPIRY_HOURS = 168;

export const runtimeConfigSchema = z.object({
  TABLE_NAME: z.string().min(3, 'the DynamoDB table name (3+ characters)'),
  BUCKET_NAME: z.string().min(3, 'the S3 bucket for reports (3+ characters)').optional(),
  ORGS: csv,
  /** Snapshot through the enterprise-level lists (token auth only). */
  GITHUB_ENTERPRISE: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*$/i, 'an enterprise slug')
    .optional(),
  GITHUB_API_URL: z.url().default('https://api.github.com'),
  GITHUB_TOKEN: z.string().min(1).optional(),
  GITHUB_TOKEN_SECRET_ARN: z.string().min(1).optional(),
  /** GitHub App instead of a token (org lists and audit log; enterprise lists need a token). */
  GITHUB_APP_ID: z.string().regex(/^\d+$/, 'a GitHub App id is a number').optional(),
  GITHUB_APP_INSTALLATION_ID: z.string().regex(/^\d+$/, 'an installation id is a number').optional(),
  /** The App's private key (PEM), or in AWS the ARN of the secret holding it. */
  GITHUB_APP_PRIVATE_KEY: z.string().min(1).optional(),
  GITHUB_APP_PRIVATE_KEY_SECRET_ARN: z.string().min(1).optional(),
  GITHUB_WEBHOOK_SECRET: z.string().min(1).optional(),
  /** During a rotation, the previous secret is accepted too. */
  GITHUB_WEBHOOK_SECRET_PREVIOUS: z.string().min(1).optional(),
  WEBHOOK_SECRET_ARN: z.string().min(1).optional(),
  REPORT_FROM: z.email('REPORT_FROM must be an email address').optional(),
  REPORT_TO: csv.pipe(z.array(z.email('every REPORT_TO entry must be an email address'))),
  TIME_ZONE: timeZone,
  AWS_REGION: z.string().default('us-east-1'),
  DYNAMODB_ENDPOINT: optionalUrl,
  S3_ENDPOINT: optionalUrl,
  SES_ENDPOINT: optionalUrl,
  CHROMIUM_PATH: z.string().optional(),
  PAPER_FORMAT: z.enum(['A4', 'Letter']).default('A4'),
  /** Days per severity, and for secret scanning: `{"critical":15,"high":30,"secretScanning":7}`. */
  SLA_POLICY: jsonEnv(slaPolicySchema, '{"critical":15,"high":30,"medium":90,"low":180,"secretScanning":7}'),
  /**
   * `{"checkout":["octo/payments","octo/web"]}`: each team's figures in the report;
   * `{"checkout":{"repositories":["octo/payments"],"recipients":["lead@octo.example"]}}`: also a
   * report limited to the team's repositories, emailed to its recipients.
   */
  TEAMS: jsonEnv(teamsSchema, '{"checkout":["octo/payments","octo/web"]}'),
  /**
   * A Secrets Manager secret, `{"accessKeyId": ..., "secretAccessKey": ...}`, of long-term keys
   * allowed only to read the reports: they sign the emailed links so that those can live up to
   * REPORT_LINK_EXPIRY_HOURS (a Lambda's own credentials are temporary: its links live an hour).
   */
  REPORT_LINK_SIGNER_SECRET_ARN: z.string().min(1).optional(),
  /** How long the emailed link to a PDF too big to attach works, in hours (at most 7 days). */
  REPORT_LINK_EXPIRY_HOURS: z.coerce
    .number('a number of hours')
    .int('whole hours')
    .min(1, 'at least 1 hour')
    .max(
      MAX_LINK_EXPIRY_HOURS,
      `at most ${MAX_LINK_EXPIRY_HOURS} hours (7 days, the longest a presigned S3 link lives)`,
    )
    .default(MAX_LINK_EXPIRY_HOURS),
});

export type RuntimeConfig = z.infer<typeof runtimeConfigSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * @example
 * const config = readRuntimeConfig(process.env);
 */
export function readRuntimeConfig(env: Record<string, string | undefined>): RuntimeConfig {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = runtimeConfigSchema.safeParse(cleaned);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`invalid configuration: ${fields}`);
  }
  return parsed.data;
}

/**
 * The SLA policy configured by `SLA_POLICY`, over the defaults of DESIGN.md.
 *
 * @example
 * slaPolicyOf(readRuntimeConfig({ ...env, SLA_POLICY: '{"critical":7}' })).days.critical; // 7
 */
export function slaPolicyOf(config: RuntimeConfig): SlaPolicy {
  const c = config.SLA_POLICY ?? {};
  const d = DEFAULT_SLA_POLICY;
  return {
    days: {
      critical: c.critical ?? d.days.critical,
      high: c.high ?? d.days.high,
      medium: c.medium ?? d.days.medium,
      low: c.low ?? d.days.low,
    },
    secretScanningDays: c.secretScanning ?? d.secretScanningDays,
  };
}
