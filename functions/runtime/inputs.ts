import * as z from 'zod';

/** Input contracts of the handlers (DESIGN.md), checked at the edge with every bad field named. */

export const orgLogin = z
  .string()
  .regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/, 'not a GitHub organisation login (letters, digits, hyphens)');

const instant = z.iso.datetime({
  offset: true,
  message: 'not an ISO-8601 date-time such as 2026-11-16T00:00:00Z',
});

export const snapshotInputSchema = z
  .object({
    org: orgLogin.optional(),
    enterprise: z.string().min(1).optional(),
    mode: z.enum(['incremental', 'full']).default('incremental'),
    now: instant.optional(),
  })
  .strict();

export const reportInputSchema = z
  .object({
    org: orgLogin.optional(),
    period: z.string().min(1).optional(),
    now: instant.optional(),
    /**
     * The scheduled run this invocation belongs to, the same on every retry of it: EventBridge
     * the schedule's `<aws.scheduler.scheduled-time>` (one scheduled run, every attempt). A retry then reuses the reports already issued
     * and sends no email twice.
     */
    invocationId: z
      .string()
      .regex(/^[A-Za-z0-9][\w.:/@-]{0,199}$/, 'an id of up to 200 letters, digits and . _ : / @ -')
      .optional(),
  })
  .strict();

export type SnapshotInput = z.infer<typeof snapshotInputSchema>;
export type ReportInput = z.infer<typeof reportInputSchema>;

export class InputError extends Error {
  override name = 'InputError';
}

/** Parses a handler event; unknown fields are errors, so a typo never passes silently. */
export function parseInput<T>(schema: z.ZodType<T>, event: unknown, what: string): T {
  const parsed = schema.safeParse(event ?? {});
  if (!parsed.success) {
    const fields = parsed.error.issues
      .map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`)
      .join('; ');
    throw new InputError(`invalid ${what} input: ${fields}`);
  }
  return parsed.data;
}
