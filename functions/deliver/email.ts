/**
 * The weekly report email: built as raw MIME here (so the PDF travels as a real attachment and
 * our own headers survive), sent through SES v2 SendEmail with Content.Raw.
 */
import { type SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import MailComposer from 'nodemailer/lib/mail-composer';
import {
  type AwsErrorShape,
  awsErrorShape,
  DeliverAccessDeniedError,
  DeliverError,
  DeliverInputError,
  EmailRejectedError,
  isAccessDenied,
} from './errors.ts';

/** Carries the SHA-256 of the issued PDF, so a recipient can check the attachment against the ledger. */
export const REPORT_HASH_HEADER = 'X-Alert-Ledger-Report-SHA256';

/** SES v2 refuses messages over 40 MB, attachments and encoding included. */
export const MAX_RAW_EMAIL_BYTES = 40 * 1024 * 1024;

export interface EmailAttachment {
  filename: string;
  content: Buffer;
  contentType: string;
}

export interface ReportEmailInput {
  /** "reports@example.com" or "alert-ledger <reports@example.com>" */
  from: string;
  to: string[];
  subject: string;
  html: string;
  text: string;
  attachments: EmailAttachment[];
  /** Extra headers, e.g. `{ [REPORT_HASH_HEADER]: sha256hex }`. */
  headers: Record<string, string>;
  /** Shortcut that sets REPORT_HASH_HEADER; must be 64 hex characters. */
  reportSha256?: string;
}

const PLAIN_ADDRESS = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]+$/;
const NAMED_ADDRESS = /^([^<>\r\n"]*|"[^"\r\n]*")\s*<([^<>\s]+)>$/;
const HEADER_NAME = /^X-[A-Za-z0-9-]+$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;

export async function buildReportEmail(input: ReportEmailInput): Promise<Buffer> {
  parseAddress(input.from, 'from');
  if (input.to.length === 0) throw new DeliverInputError('The report email needs at least one recipient.');
  for (const to of input.to) {
    if (!PLAIN_ADDRESS.test(to)) throw new DeliverInputError(`Recipient "${to}" is not an email address.`);
  }
  if (/[\r\n]/.test(input.subject)) throw new DeliverInputError('The email subject must be one line.');

  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(input.headers)) {
    // Only X- headers: the standard ones are the composer's job, and this keeps callers from
    // overriding From/To/Content-Type by accident.
    if (!HEADER_NAME.test(name)) throw new DeliverInputError(`Header "${name}" must be an X- header name.`);
    if (/[\r\n]/.test(value)) throw new DeliverInputError(`Header ${name} must be one line.`);
    headers[name] = value;
  }
  if (input.reportSha256 !== undefined) {
    if (!SHA256_HEX.test(input.reportSha256)) {
      throw new DeliverInputError('reportSha256 must be 64 lower-case hex characters.');
    }
    headers[REPORT_HASH_HEADER] = input.reportSha256;
  }
  const hashHeader = headers[REPORT_HASH_HEADER];
  if (hashHeader !== undefined && !SHA256_HEX.test(hashHeader)) {
    throw new DeliverInputError(`${REPORT_HASH_HEADER} must be 64 lower-case hex characters.`);
  }

  const spelling = new Map(Object.keys(headers).map((name) => [name.toLowerCase(), name]));
  const composer = new MailComposer({
    from: input.from,
    to: input.to,
    subject: input.subject,
    text: input.text,
    html: input.html,
    headers,
    // nodemailer re-cases header names ("X-Alert-Ledger-Report-Sha256"); names are
    // case-insensitive, but ours are documented as spelt, so they go out as spelt.
    normalizeHeaderKey: (key: string) => spelling.get(key.toLowerCase()) ?? key,
    attachments: input.attachments.map((a) => ({
      filename: a.filename,
      content: a.content,
      contentType: a.contentType,
    })),
    // Content comes from us and from GitHub users: never let the composer fetch URLs or read
    // files that a string in the HTML might name.
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  const raw = await composer.compile().build();
  if (raw.length > MAX_RAW_EMAIL_BYTES) {
    throw new DeliverInputError(
      `The report email is ${raw.length} bytes; SES accepts at most ${MAX_RAW_EMAIL_BYTES}. Link the PDF instead of attaching it.`,
    );
  }
  return raw;
}

export interface SendRawEmailOptions {
  from: string;
  to: string[];
}

/** Sends a message built by buildReportEmail; returns SES's message id. */
export async function sendRawEmail(
  ses: SESv2Client,
  raw: Buffer,
  options: SendRawEmailOptions,
): Promise<string> {
  if (options.to.length === 0) throw new DeliverInputError('The report email needs at least one recipient.');
  if (raw.length > MAX_RAW_EMAIL_BYTES) {
    throw new DeliverInputError(
      `The raw email is ${raw.length} bytes; SES accepts at most ${MAX_RAW_EMAIL_BYTES}.`,
    );
  }
  try {
    const res = await ses.send(
      new SendEmailCommand({
        FromEmailAddress: options.from,
        Destination: { ToAddresses: options.to },
        Content: { Raw: { Data: raw } },
      }),
    );
    if (!res.MessageId) throw new DeliverError('SES accepted the email but returned no message id.');
    return res.MessageId;
  } catch (err) {
    if (err instanceof DeliverError) throw err;
    const shape = awsErrorShape(err);
    if (isRejection(shape)) {
      throw new EmailRejectedError(`SES rejected the report email (${shape.name}): ${shape.message}`, {
        cause: err,
      });
    }
    if (isAccessDenied(shape)) {
      throw new DeliverAccessDeniedError(`SES refused to send (${shape.name}): ${shape.message}`, {
        cause: err,
      });
    }
    throw new DeliverError(`Sending the report email failed (${shape.name}): ${shape.message}`, {
      cause: err,
    });
  }
}

const REJECTIONS = new Set([
  'MessageRejected',
  'MailFromDomainNotVerifiedException',
  'AccountSuspendedException',
  'SendingPausedException',
  'BadRequestException',
  'NotFoundException',
]);

/**
 * A refusal of this message, as opposed to throttling or an outage. An unnamed 400 counts too:
 * aws-ses-v2-local answers without an error type, and retrying the same message cannot help.
 * LimitExceededException (daily quota) is also a 400 but may pass tomorrow: not a rejection.
 */
function isRejection(shape: AwsErrorShape): boolean {
  if (REJECTIONS.has(shape.name)) return true;
  return (
    shape.status === 400 &&
    shape.name !== 'LimitExceededException' &&
    shape.name !== 'TooManyRequestsException'
  );
}

function parseAddress(value: string, field: string): string {
  if (PLAIN_ADDRESS.test(value)) return value;
  const named = NAMED_ADDRESS.exec(value);
  if (named?.[2] && PLAIN_ADDRESS.test(named[2])) return named[2];
  throw new DeliverInputError(`The ${field} address "${value}" is not an email address.`);
}
