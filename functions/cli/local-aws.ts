import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startDynamoStandIn } from '../../infra/local/dynamodb.ts';
import { startS3StandIn } from '../../infra/local/s3.ts';
import { type SesStandIn, startSesStandIn } from '../../infra/local/ses.ts';

/** Names the local stand-ins use; in AWS the stack provides real ones. */
export const LOCAL_TABLE = 'alert-ledger';
export const LOCAL_BUCKET = 'alert-ledger-reports';
export const LOCAL_SENDER = 'alert-ledger@example.com';
export const LOCAL_RECIPIENT = 'security-team@example.com';

export interface LocalAws {
  /** Environment for readRuntimeConfig: the same variables as in AWS, plus endpoints. */
  env: Record<string, string>;
  ses: SesStandIn;
  close(): Promise<void>;
}

/**
 * Starts DynamoDB Local, s3rver and aws-ses-v2-local with their state under `dataDir`, so the
 * handlers' own code runs against them: only the endpoints differ from AWS.
 *
 * @example
 * const aws = await startLocalAws('.alert-ledger');
 * const config = readRuntimeConfig({ ...process.env, ...aws.env });
 */
export async function startLocalAws(dataDir: string): Promise<LocalAws> {
  mkdirSync(dataDir, { recursive: true });
  const started: { close(): Promise<void> }[] = [];
  const closeAll = async () => {
    for (const s of started.reverse()) await s.close().catch(() => {});
  };
  try {
    const [ddb, s3, ses] = await Promise.all([
      startDynamoStandIn({ dataDir: join(dataDir, 'dynamodb') }).then((s) => {
        started.push(s);
        return s;
      }),
      startS3StandIn({ dataDir: join(dataDir, 's3') }).then((s) => {
        started.push(s);
        return s;
      }),
      startSesStandIn().then((s) => {
        started.push(s);
        return s;
      }),
    ]);
    return {
      env: {
        TABLE_NAME: LOCAL_TABLE,
        BUCKET_NAME: LOCAL_BUCKET,
        DYNAMODB_ENDPOINT: ddb.endpoint,
        S3_ENDPOINT: s3.endpoint,
        SES_ENDPOINT: ses.endpoint,
        REPORT_FROM: process.env.REPORT_FROM ?? LOCAL_SENDER,
        REPORT_TO: process.env.REPORT_TO ?? LOCAL_RECIPIENT,
      },
      ses,
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
