/** Shared helpers of the infra tests: apps that write their cloud assembly into a temp dir we remove. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';

/** The context of cdk.json (feature flags and the example configuration), so tests synth what `cdk synth` does. */
export const CDK_JSON_CONTEXT = (
  JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
    context: Record<string, unknown>;
  }
).context;

/** Temp dirs created by one test file; call `removeAll()` in afterAll. */
export class TempDirs {
  private readonly dirs: string[] = [];

  make(prefix = 'alert-ledger-infra-'): string {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    this.dirs.push(dir);
    return dir;
  }

  removeAll(): void {
    for (const dir of this.dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  }

  /**
   * An App writing into a fresh temp dir (without `outdir` every App leaves a cdk.outXXXX folder
   * in the system temp dir). `bundle: false` skips NodejsFunction bundling (2.6 s to 0.2 s).
   */
  app(context: Record<string, unknown>, options: { bundle?: boolean } = {}): App {
    return new App({
      outdir: this.make('alert-ledger-cdk-out-'),
      context: options.bundle === true ? context : { ...context, 'aws:cdk:bundling-stacks': [] },
    });
  }
}
