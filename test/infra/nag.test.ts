/**
 * cdk-nag's AwsSolutions pack on the synthesized stack: no finding may be left that is neither
 * fixed nor acknowledged, and the acknowledgements themselves are pinned here, so a new one shows
 * up in review with its reason. infra/app.ts runs the same pack on every `cdk synth`.
 */
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { afterAll, describe, expect, it } from 'vitest';
import { TempDirs } from './helpers.ts';
import { BASE_CONFIG, synthStack } from './synth.ts';

const temp = new TempDirs();
afterAll(() => temp.removeAll());

/** Every unacknowledged finding, one line each: "error AwsSolutions-XX at path: what". */
function findings(scope: IConstruct): string[] {
  const report = new AwsSolutionsChecks(undefined, { verbose: false }).validateScope(scope);
  return report.violations.flatMap((v) =>
    v.violatingResources.map((r) => `${v.severity} ${v.ruleName} at ${r.constructPath}: ${v.description}`),
  );
}

/** The acknowledgements recorded under `stack`: construct path (without the stack) → rule ids. */
function acknowledgements(stack: Stack): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const c of stack.node.findAll()) {
    for (const entry of c.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      const path = c.node.path.slice(stack.node.path.length + 1);
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        out[path] ??= {};
        (out[path] as Record<string, string>)[id.replace(/^annotation::/i, '')] = reason;
      }
    }
  }
  return out;
}

describe('cdk-nag AwsSolutions', () => {
  it('finds nothing unacknowledged in the stack of cdk.json', () => {
    const { stack } = synthStack(temp);
    expect(findings(stack)).toEqual([]);
  });

  it('finds nothing unacknowledged in the other shapes the configuration allows', () => {
    const { alarmEmail: _ignored, ...rest } = BASE_CONFIG;
    const { stack } = synthStack(temp, {
      ...rest,
      enterprise: 'octo-corp',
      orgs: ['octo-demo', 'octo-labs'],
      timeZone: 'Europe/Berlin',
      report: { from: 'ledger@example.com', to: ['a@example.com'], senderIdentity: 'example.com' },
      schedules: { enabled: false },
      webhook: { reservedConcurrency: null },
      table: { deletionProtection: false },
      reportsBucket: { linkSigner: true },
    });
    expect(findings(stack)).toEqual([]);
  });

  it('acknowledges exactly these findings, each with its reason', () => {
    const { stack } = synthStack(temp);
    const acks = acknowledgements(stack);
    const ids = Object.fromEntries(Object.entries(acks).map(([path, rules]) => [path, Object.keys(rules)]));
    expect(ids).toEqual({
      AccessLogsBucket: ['AwsSolutions-S1'],
      GitHubTokenSecret: ['AwsSolutions-SMG4'],
      WebhookSecret: ['AwsSolutions-SMG4'],
      'Snapshot/Role': ['AwsSolutions-IAM5[Resource::*]'],
      'Snapshot/Function': ['AwsSolutions-L1'],
      'Report/Role': [
        'AwsSolutions-IAM5[Resource::*]',
        'AwsSolutions-IAM5[Resource::<ReportsBucket4E7C5994.Arn>/reports/*]',
      ],
      'Report/Function': ['AwsSolutions-L1'],
      'Webhook/Role': ['AwsSolutions-IAM5[Resource::*]'],
      'Webhook/Function': ['AwsSolutions-L1'],
      FailedRunsQueue: ['AwsSolutions-SQS3'],
      'SnapshotRuns/StateMachine/Role': [
        'AwsSolutions-IAM5[Resource::*]',
        'AwsSolutions-IAM5[Resource::<SnapshotFunctionDEDBAA53.Arn>:*]',
      ],
      SchedulerRole: ['AwsSolutions-IAM5[Resource::<ReportFunction6EC312E5.Arn>:*]'],
    });
    for (const rules of Object.values(acks)) {
      for (const reason of Object.values(rules)) expect(reason.length).toBeGreaterThan(60);
    }
  });

  it('does flag what it should, and an acknowledgement silences only its own rule', () => {
    const app = new App({ outdir: temp.make('alert-ledger-cdk-out-') });
    const stack = new Stack(app, 'Careless');
    new Topic(stack, 'Plain');
    const queue = new Queue(stack, 'Queue');
    expect(findings(stack)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^error AwsSolutions-SNS3 at Careless\/Plain\/Resource: /),
        expect.stringMatching(/^error AwsSolutions-SQS3 at Careless\/Queue\/Resource: /),
        expect.stringMatching(/^error AwsSolutions-SQS4 at Careless\/Queue\/Resource: /),
      ]),
    );
    Validations.of(queue).acknowledge({ id: 'AwsSolutions-SQS3', reason: 'test' });
    const after = findings(stack);
    expect(after.some((f) => f.includes('AwsSolutions-SQS3'))).toBe(false);
    expect(after.some((f) => f.includes('AwsSolutions-SQS4'))).toBe(true);
  });
});
