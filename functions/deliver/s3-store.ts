/**
 * Where issued reports live: one S3 prefix per report holding the PDF, JSON, CSV and HTML.
 * Takes a ready S3Client (real or s3rver); only the endpoint differs between AWS and a laptop.
 */
import { createHash } from 'node:crypto';
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadBucketCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import {
  awsErrorShape,
  BucketNotFoundError,
  DeliverAccessDeniedError,
  DeliverError,
  DeliverInputError,
  isAccessDenied,
  ObjectAlreadyExistsError,
  ObjectNotFoundError,
} from './errors.ts';

export interface ReportFile {
  /** A plain file name, e.g. "report.pdf"; no slashes. */
  name: string;
  body: Buffer | string;
  contentType: string;
}

export interface PutReportFilesOptions {
  /**
   * Issued reports never change, so by default a put fails with ObjectAlreadyExistsError when
   * the key exists (S3 conditional write, If-None-Match: *). s3rver ignores the condition.
   */
  overwrite?: boolean;
}

export interface StoredObject {
  key: string;
  body: Buffer;
  contentType: string | null;
  /** User metadata; `sha256` (hex of the body) is set on every file put by this store. */
  metadata: Record<string, string>;
}

export interface ReportStore {
  readonly bucket: string;
  /** Stores the files under `prefix/name`; returns the keys in the order of `files`. */
  putReportFiles(
    prefix: string,
    files: readonly ReportFile[],
    options?: PutReportFilesOptions,
  ): Promise<string[]>;
  getObject(key: string): Promise<StoredObject>;
  /** Creates the bucket when missing. For local stand-ins; in AWS the CDK stack owns the bucket. */
  ensureBucket(): Promise<void>;
  /**
   * A GET URL valid for `expiresInSeconds` (1 s to 7 days, SigV4's limit), or until the signing
   * credentials expire if that is sooner (a Lambda's role credentials live hours, and a URL signed
   * with them stops working with them): `expiresAt` is when it really stops working.
   */
  presignGet(key: string, expiresInSeconds: number): Promise<PresignedUrl>;
}

export interface PresignedUrl {
  url: string;
  expiresAt: Date;
  /** True when the URL lives less than `expiresInSeconds` (see `limitedBy`). */
  shortened: boolean;
  /**
   * Why it is shorter: `credentials-expiry`, the signing credentials expire first; or
   * `temporary-credentials`, they are temporary and do not say when they expire (a Lambda's role
   * credentials), so the URL is given TEMPORARY_CREDENTIALS_LINK_SECONDS. Null when not shorter.
   */
  limitedBy: 'credentials-expiry' | 'temporary-credentials' | null;
}

/** A URL signed with temporary credentials is given up this long before they expire. */
const CREDENTIALS_MARGIN_SECONDS = 60;

/**
 * How long a URL signed with temporary credentials of unknown lifetime is said to work: an hour,
 * which a Lambda's role credentials outlive. Longer links need long-term signing credentials
 * (`signer`; in the stack, `reportsBucket.linkSigner`).
 */
export const TEMPORARY_CREDENTIALS_LINK_SECONDS = 3600;

export interface ReportStoreOptions {
  /**
   * The client whose credentials sign GET URLs (long-term keys allowed to read the reports, so
   * that a link can live 7 days); default: the store's own client.
   */
  signer?: () => Promise<S3Client>;
}

/** SigV4 presigned URLs cannot live longer than 7 days. */
export const MAX_PRESIGN_SECONDS = 7 * 24 * 60 * 60;

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export function createReportStore(
  s3: S3Client,
  bucket: string,
  options: ReportStoreOptions = {},
): ReportStore {
  if (bucket.length < 3) throw new DeliverInputError(`Bucket name "${bucket}" is too short (3+ characters).`);

  async function putOne(key: string, file: ReportFile, overwrite: boolean): Promise<void> {
    const body = typeof file.body === 'string' ? Buffer.from(file.body, 'utf8') : file.body;
    try {
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: body,
          ContentType: file.contentType,
          ContentLength: body.length,
          Metadata: { sha256: createHash('sha256').update(body).digest('hex') },
          ...(overwrite ? {} : { IfNoneMatch: '*' }),
        }),
      );
    } catch (err) {
      const shape = awsErrorShape(err);
      if (shape.name === 'PreconditionFailed' || shape.status === 412) {
        throw new ObjectAlreadyExistsError(
          `s3://${bucket}/${key} already exists; issued report files are never overwritten.`,
          { cause: err },
        );
      }
      throw mapS3Error(err, `put s3://${bucket}/${key}`);
    }
  }

  return {
    bucket,

    async putReportFiles(prefix, files, options = {}) {
      const cleanPrefix = validatePrefix(prefix);
      const names = new Set<string>();
      for (const file of files) {
        if (!SEGMENT.test(file.name)) {
          throw new DeliverInputError(
            `Report file name "${file.name}" must be a plain name like "report.pdf".`,
          );
        }
        if (names.has(file.name)) throw new DeliverInputError(`Report file "${file.name}" is given twice.`);
        if (!file.contentType) throw new DeliverInputError(`Report file "${file.name}" has no content type.`);
        names.add(file.name);
      }
      const keys = files.map((f) => `${cleanPrefix}/${f.name}`);
      // Sequential on purpose: a handful of files, and a failure leaves a clear first error.
      for (const [i, file] of files.entries()) {
        await putOne(keys[i] as string, file, options.overwrite ?? false);
      }
      return keys;
    },

    async getObject(key) {
      validateKey(key);
      try {
        const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        if (!res.Body) throw new DeliverError(`s3://${bucket}/${key} came back without a body.`);
        const bytes = await res.Body.transformToByteArray();
        return {
          key,
          body: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
          contentType: res.ContentType ?? null,
          metadata: res.Metadata ?? {},
        };
      } catch (err) {
        if (err instanceof DeliverError) throw err;
        throw mapS3Error(err, `get s3://${bucket}/${key}`);
      }
    },

    async ensureBucket() {
      try {
        await s3.send(new HeadBucketCommand({ Bucket: bucket }));
        return;
      } catch (err) {
        const shape = awsErrorShape(err);
        if (!(shape.name === 'NotFound' || shape.name === 'NoSuchBucket' || shape.status === 404)) {
          throw mapS3Error(err, `check bucket ${bucket}`);
        }
      }
      try {
        await s3.send(new CreateBucketCommand({ Bucket: bucket }));
      } catch (err) {
        // Another process created it between the two calls: that is the state we wanted.
        if (awsErrorShape(err).name === 'BucketAlreadyOwnedByYou') return;
        throw mapS3Error(err, `create bucket ${bucket}`);
      }
    },

    async presignGet(key, expiresInSeconds) {
      validateKey(key);
      if (
        !Number.isInteger(expiresInSeconds) ||
        expiresInSeconds < 1 ||
        expiresInSeconds > MAX_PRESIGN_SECONDS
      ) {
        throw new DeliverInputError(
          `Presigned URL expiry must be a whole number of seconds from 1 to ${MAX_PRESIGN_SECONDS} (7 days); got ${expiresInSeconds}.`,
        );
      }
      // A signer that cannot be built (its secret missing or malformed) says so itself.
      const client = options.signer ? await options.signer() : s3;
      try {
        const now = Date.now();
        const credentials = await client.config.credentials();
        let limit = Number.POSITIVE_INFINITY;
        let limitedBy: PresignedUrl['limitedBy'] = null;
        if (credentials.expiration) {
          limit = Math.floor((credentials.expiration.getTime() - now) / 1000) - CREDENTIALS_MARGIN_SECONDS;
          limitedBy = 'credentials-expiry';
          if (limit < 1) {
            throw new DeliverError(
              `The AWS credentials expire in under ${CREDENTIALS_MARGIN_SECONDS} s: a URL signed with them would not work. Retry; the SDK renews them.`,
            );
          }
        } else if (credentials.sessionToken) {
          // Temporary, with no expiry given (Lambda's environment): a URL dies with them.
          limit = TEMPORARY_CREDENTIALS_LINK_SECONDS;
          limitedBy = 'temporary-credentials';
        }
        const seconds = Math.min(expiresInSeconds, limit);
        const url = await getSignedUrl(client, new GetObjectCommand({ Bucket: bucket, Key: key }), {
          expiresIn: seconds,
        });
        const shortened = seconds < expiresInSeconds;
        return {
          url,
          expiresAt: new Date(now + seconds * 1000),
          shortened,
          limitedBy: shortened ? limitedBy : null,
        };
      } catch (err) {
        if (err instanceof DeliverError) throw err;
        throw mapS3Error(err, `presign s3://${bucket}/${key}`);
      }
    },
  };

  function mapS3Error(err: unknown, what: string): DeliverError {
    const shape = awsErrorShape(err);
    if (shape.name === 'NoSuchBucket') {
      return new BucketNotFoundError(`Cannot ${what}: bucket ${bucket} does not exist.`, { cause: err });
    }
    if (shape.name === 'NoSuchKey' || (shape.name === 'NotFound' && what.startsWith('get'))) {
      return new ObjectNotFoundError(`Cannot ${what}: no such object.`, { cause: err });
    }
    if (isAccessDenied(shape)) {
      return new DeliverAccessDeniedError(
        `Cannot ${what}: access denied (${shape.name}: ${shape.message}).`,
        {
          cause: err,
        },
      );
    }
    return new DeliverError(`Cannot ${what}: ${shape.name}: ${shape.message}`, { cause: err });
  }
}

function validatePrefix(prefix: string): string {
  const trimmed = prefix.replace(/\/+$/, '');
  const segments = trimmed.split('/');
  if (trimmed === '' || segments.some((s) => !SEGMENT.test(s))) {
    throw new DeliverInputError(
      `Report prefix "${prefix}" must be slash-separated names of letters, digits, ".", "_" and "-" (no leading slash, no "..").`,
    );
  }
  return trimmed;
}

function validateKey(key: string): void {
  const segments = key.split('/');
  if (key === '' || segments.some((s) => !SEGMENT.test(s))) {
    throw new DeliverInputError(
      `Object key "${key}" is not a report key (e.g. "reports/octo-demo/2026-W46/report.pdf").`,
    );
  }
}
