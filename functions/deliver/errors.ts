/**
 * Errors of the deliver adapter (S3, SES). Vendor errors are mapped to these so callers never
 * depend on AWS SDK error classes; the SDK's error stays available as `cause`.
 */
export class DeliverError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The caller passed something the adapter refuses before calling AWS (bad key, expiry, address). */
export class DeliverInputError extends DeliverError {}

/** The bucket does not exist (S3 NoSuchBucket / 404 on HeadBucket). */
export class BucketNotFoundError extends DeliverError {}

/** The object does not exist (S3 NoSuchKey / 404). */
export class ObjectNotFoundError extends DeliverError {}

/** An issued report file is already stored under that key; issued reports are never overwritten. */
export class ObjectAlreadyExistsError extends DeliverError {}

/** AWS refused the credentials or the policy does not allow the call. */
export class DeliverAccessDeniedError extends DeliverError {}

/** SES refused the message (not verified sender, sandbox recipient, sending paused, bad content). */
export class EmailRejectedError extends DeliverError {}

/** What the adapters read from an AWS SDK v3 error, without importing SDK classes. */
export interface AwsErrorShape {
  name: string;
  message: string;
  status: number | undefined;
}

export function awsErrorShape(err: unknown): AwsErrorShape {
  if (typeof err !== 'object' || err === null) {
    return { name: 'Unknown', message: String(err), status: undefined };
  }
  const e = err as {
    name?: unknown;
    Code?: unknown;
    message?: unknown;
    $metadata?: { httpStatusCode?: unknown };
  };
  const name = typeof e.name === 'string' ? e.name : typeof e.Code === 'string' ? e.Code : 'Unknown';
  const message = typeof e.message === 'string' ? e.message : String(err);
  const status = typeof e.$metadata?.httpStatusCode === 'number' ? e.$metadata.httpStatusCode : undefined;
  return { name, message, status };
}

const ACCESS_DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'InvalidToken',
  'UnrecognizedClientException',
]);

export function isAccessDenied(shape: AwsErrorShape): boolean {
  return ACCESS_DENIED.has(shape.name) || shape.status === 403;
}
