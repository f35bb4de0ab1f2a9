import { S3Client } from '@aws-sdk/client-s3';
import type { Browser } from 'puppeteer-core';
import { z } from 'zod';
import { createReportStore } from '../deliver/s3-store.ts';
import { launchBrowser } from '../render/pdf.ts';
import type { ReportDeps } from '../use-cases/issue-report.ts';
import type { Log } from '../use-cases/log.ts';
import { ConfigError } from './config.ts';
import type { Runtime } from './runtime.ts';
import { readSecret } from './secrets.ts';

const signerKeys = z.object({ accessKeyId: z.string().min(1), secretAccessKey: z.string().min(1) });

/**
 * The S3 client that signs emailed links, with the long-term keys of REPORT_LINK_SIGNER_SECRET_ARN
 * (read once per cold start); undefined without it (the function's own credentials sign).
 */
function linkSigner(rt: Runtime): (() => Promise<S3Client>) | undefined {
  const arn = rt.config.REPORT_LINK_SIGNER_SECRET_ARN;
  if (!arn) return undefined;
  let signer: Promise<S3Client> | undefined;
  return () => {
    signer ??= readSecret(rt.clients.secrets, arn).then((raw) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch {
        parsed = null;
      }
      const keys = signerKeys.safeParse(parsed);
      if (!keys.success) {
        throw new ConfigError(
          `REPORT_LINK_SIGNER_SECRET_ARN must hold {"accessKeyId": "...", "secretAccessKey": "..."} (the stack's link signer writes it): ${arn} does not`,
        );
      }
      return new S3Client({
        region: rt.config.AWS_REGION,
        credentials: keys.data,
        ...(rt.config.S3_ENDPOINT ? { endpoint: rt.config.S3_ENDPOINT, forcePathStyle: true } : {}),
      });
    });
    signer.catch(() => {
      signer = undefined;
    });
    return signer;
  };
}

export interface ReportRuntime extends ReportDeps {
  closeBrowser(): Promise<void>;
}

/**
 * The report use case's ports, wired from a runtime. Chromium is launched on first use and kept
 * for the next scope and the next warm invocation.
 */
export function createReportRuntime(rt: Runtime, log: Log): ReportRuntime {
  const bucket = rt.config.BUCKET_NAME;
  if (!bucket) throw new ConfigError('BUCKET_NAME is not set: the report needs an S3 bucket for its files.');
  const signer = linkSigner(rt);
  let browser: Promise<Browser> | undefined;
  return {
    store: rt.store,
    files: createReportStore(rt.clients.s3, bucket, signer ? { signer } : {}),
    ses: rt.clients.ses,
    log,
    browser: () => {
      const launching =
        browser ?? launchBrowser(rt.config.CHROMIUM_PATH ? { executablePath: rt.config.CHROMIUM_PATH } : {});
      if (!browser) {
        browser = launching;
        launching.catch(() => {
          browser = undefined;
        });
      }
      return launching;
    },
    closeBrowser: async () => {
      if (!browser) return;
      const b = await browser.catch(() => null);
      browser = undefined;
      await b?.close();
    },
  };
}
