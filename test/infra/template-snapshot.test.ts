/**
 * The whole synthesized template (cdk.json's example configuration, bundling off), kept in
 * test/infra/__snapshots__/template.generated.json so that any change to the stack, intended or not, shows
 * up as a diff to review. Accept a reviewed change with `npx vitest run test/infra -u`. (Named
 * *.generated.json so that Biome leaves the snapshot's formatting alone.)
 *
 * Normalised so that it is the same on every machine and after any code change that leaves the
 * stack alone: asset hashes (they follow the bundled code), the CDK version metadata, and any
 * absolute path.
 */
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../infra/stack.ts';
import { TempDirs } from './helpers.ts';
import { ASSET_HASH, BASE_CONFIG, normaliseTemplate, synthStack } from './synth.ts';

const temp = new TempDirs();
afterAll(() => temp.removeAll());

let text: string;
beforeAll(() => {
  // The stack id `cdk synth` uses (config.stackName's default).
  text = normaliseTemplate(synthStack(temp, BASE_CONFIG, 'AlertLedger').template.toJSON());
});

describe('synthesized template', () => {
  it('matches the reviewed snapshot (npx vitest run test/infra -u to accept a change)', async () => {
    await expect(text).toMatchFileSnapshot('__snapshots__/template.generated.json');
  });

  it('is normalised: no asset hash, absolute path or CDK version left', () => {
    expect(text).not.toMatch(ASSET_HASH);
    expect(text).not.toContain(PROJECT_ROOT.replace(/\/+$/, ''));
    expect(text).not.toContain(tmpdir());
    expect(text).not.toContain('AWS::CDK::Metadata');
    // ...while the code's place is still there, as a placeholder.
    expect(text).toContain('"S3Key": "<asset-hash>.zip"');
  });
});
