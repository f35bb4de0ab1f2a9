import type { Browser } from 'puppeteer-core';
import { createReportStore } from '../deliver/s3-store.ts';
import { launchBrowser } from '../render/pdf.ts';
import type { ReportDeps } from '../use-cases/issue-report.ts';
import type { Log } from '../use-cases/log.ts';
import { ConfigError } from './config.ts';
import type { Runtime } from './runtime.ts';

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
  let browser: Promise<Browser> | undefined;
  return {
    store: rt.store,
    files: createReportStore(rt.clients.s3, bucket),
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
