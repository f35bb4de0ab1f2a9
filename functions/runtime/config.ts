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

/** Team name to the repositories ("org/repo") it owns, for the per-team figures. */
export const teamsSchema = z.record(
  z.string().regex(/^[\w .-]{1,100}$/, 'a team name of letters, digits, spaces, dots, dashes'),
  z
    .array(z.string().regex(/^[^/\s]+\/[^/\s]+$/, 'a repository as org/repo'))
    .min(1, 'at least one repository'),
);

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
  /** `{"checkout":["octo/payments","octo/web"]}`: each team's figures in the report. */
  TEAMS: jsonEnv(teamsSchema, '{"checkout":["octo/payments","octo/web"]}'),
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
