/**
 * CDK app entry (cdk.json `app`: `npx tsx infra/app.ts`). Reads and validates the configuration
 * from the context, then builds one env-agnostic stack: no account, region or credentials needed
 * to synthesize. cdk-nag's AwsSolutions pack runs as a validation plugin, so `cdk synth` and
 * `cdk deploy` stop on any finding that is neither fixed nor acknowledged with a reason.
 */
import { App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfigError, loadConfig } from './config.ts';
import { AlertLedgerStack } from './stack.ts';

const app = new App();
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
try {
  const config = loadConfig(app.node);
  const stack = new AlertLedgerStack(app, config.stackName, {
    config,
    description: 'alert-ledger: history of GitHub security alerts and audit reports',
  });
  Tags.of(stack).add('project', 'alert-ledger');
  app.synth();
} catch (err) {
  if (err instanceof ConfigError) {
    // The message already names every bad field; a stack trace would only hide it.
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}
