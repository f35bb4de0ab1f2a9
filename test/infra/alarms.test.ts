/**
 * The operators' alarms: each alarm's metric, threshold and action, the metric filters on the
 * structured logs (and that the messages they match are the ones the use cases log), and the
 * encrypted SNS topic CloudWatch may publish to.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CUSTOM_METRICS, LOG_MESSAGES } from '../../infra/constructs/operator-alarms.ts';
import { PROJECT_ROOT } from '../../infra/stack.ts';
import { TempDirs } from './helpers.ts';
import { BASE_CONFIG, type Json, logicalId, type Synthesized, synthStack } from './synth.ts';

const temp = new TempDirs();
afterAll(() => temp.removeAll());

let s: Synthesized;
let noEmail: Synthesized;

beforeAll(() => {
  s = synthStack(temp);
  const { alarmEmail: _ignored, ...withoutEmail } = BASE_CONFIG;
  noEmail = synthStack(temp, withoutEmail);
});

interface AlarmProps {
  AlarmName: string;
  AlarmDescription: string;
  Namespace: string;
  MetricName: string;
  Dimensions?: { Name: string; Value: unknown }[];
  Statistic: string;
  Period: number;
  Threshold: number;
  ComparisonOperator: string;
  EvaluationPeriods: number;
  DatapointsToAlarm: number;
  TreatMissingData: string;
  AlarmActions: unknown[];
}

function alarm(name: string): AlarmProps {
  const construct = s.stack.alarms.alarms[name];
  if (construct === undefined) throw new Error(`no alarm ${name}`);
  return s.resources[logicalId(s.stack, construct)]?.Properties as unknown as AlarmProps;
}

const topicRef = () => ({ Ref: logicalId(s.stack, s.stack.alarms.topic) });

/** What every alarm shares: one 5-minute datapoint at or over the threshold, to the topic. */
function expectAlarm(
  name: string,
  metric: { Namespace: string; MetricName: string; Dimensions?: unknown; Statistic: string },
  threshold = 1,
): void {
  const props = alarm(name);
  expect(props).toMatchObject({
    AlarmName: `Test-${name}`,
    ...metric,
    Period: 300,
    Threshold: threshold,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    EvaluationPeriods: 1,
    DatapointsToAlarm: 1,
    TreatMissingData: 'notBreaching',
    AlarmActions: [topicRef()],
  });
  expect(props.AlarmDescription).toMatch(/^alert-ledger/);
}

describe('alarms', () => {
  it('are the expected set, all sent to the operators topic', () => {
    expect(Object.keys(s.stack.alarms.alarms).sort()).toEqual([
      'FailedRunsQueueNotEmpty',
      'IncompleteSnapshot',
      'NotableAlertEvents',
      'ReportErrors',
      'ReportThrottles',
      'SnapshotErrors',
      'SnapshotRunsFailed',
      'SnapshotRunsTimedOut',
      'SnapshotThrottles',
      'WebhookErrors',
      'WebhookSignatureFailures',
      'WebhookThrottles',
    ]);
    s.template.resourceCountIs('AWS::CloudWatch::Alarm', 12);
  });

  it('watch each function for errors and throttles', () => {
    for (const [title, key] of [
      ['Snapshot', 'snapshot'],
      ['Report', 'report'],
      ['Webhook', 'webhook'],
    ] as const) {
      const dimensions = [
        { Name: 'FunctionName', Value: { Ref: logicalId(s.stack, s.stack.functions[key]) } },
      ];
      expectAlarm(`${title}Errors`, {
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: dimensions,
        Statistic: 'Sum',
      });
      expectAlarm(`${title}Throttles`, {
        Namespace: 'AWS/Lambda',
        MetricName: 'Throttles',
        Dimensions: dimensions,
        Statistic: 'Sum',
      });
    }
  });

  it('go off as soon as the failure queue holds a message', () => {
    expectAlarm('FailedRunsQueueNotEmpty', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        {
          Name: 'QueueName',
          Value: { 'Fn::GetAtt': [logicalId(s.stack, s.stack.failureQueue), 'QueueName'] },
        },
      ],
      Statistic: 'Maximum',
    });
  });

  it('report failed and timed-out snapshot runs', () => {
    const dimensions = [
      { Name: 'StateMachineArn', Value: { Ref: logicalId(s.stack, s.stack.snapshotRuns.stateMachine) } },
    ];
    expectAlarm('SnapshotRunsFailed', {
      Namespace: 'AWS/States',
      MetricName: 'ExecutionsFailed',
      Dimensions: dimensions,
      Statistic: 'Sum',
    });
    expectAlarm('SnapshotRunsTimedOut', {
      Namespace: 'AWS/States',
      MetricName: 'ExecutionsTimedOut',
      Dimensions: dimensions,
      Statistic: 'Sum',
    });
  });

  it('count incomplete snapshots, signature mismatches and notable events from the structured logs', () => {
    const namespace = 'AlertLedger/Test';
    expect(s.stack.alarms.namespace).toBe(namespace);
    const filters = Object.values(s.resources).filter((r) => r.Type === 'AWS::Logs::MetricFilter');
    expect(filters).toHaveLength(3);
    const filterFor = (metricName: string) =>
      filters.find(
        (f) => (f.Properties.MetricTransformations as { MetricName: string }[])[0]?.MetricName === metricName,
      )?.Properties;
    const logGroupOf = (fn: 'snapshot' | 'webhook') => {
      const props = s.resources[logicalId(s.stack, s.stack.functions[fn])]?.Properties;
      return (props?.LoggingConfig as { LogGroup: Json } | undefined)?.LogGroup;
    };

    expect(filterFor(CUSTOM_METRICS.incompleteSnapshots)).toEqual({
      LogGroupName: logGroupOf('snapshot'),
      FilterPattern: '{ ($.message = "snapshot finished") && ($.complete IS FALSE) }',
      MetricTransformations: [
        { MetricNamespace: namespace, MetricName: 'IncompleteSnapshots', MetricValue: '1' },
      ],
    });
    expect(filterFor(CUSTOM_METRICS.webhookSignatureFailures)).toEqual({
      LogGroupName: logGroupOf('webhook'),
      FilterPattern: '{ $.message = "webhook signature mismatch" }',
      MetricTransformations: [
        { MetricNamespace: namespace, MetricName: 'WebhookSignatureFailures', MetricValue: '1' },
      ],
    });
    expect(filterFor(CUSTOM_METRICS.notableAlertEvents)).toEqual({
      LogGroupName: logGroupOf('webhook'),
      FilterPattern: '{ $.message = "notable alert event" }',
      MetricTransformations: [
        { MetricNamespace: namespace, MetricName: 'NotableAlertEvents', MetricValue: '1' },
      ],
    });

    expectAlarm('IncompleteSnapshot', {
      Namespace: namespace,
      MetricName: 'IncompleteSnapshots',
      Statistic: 'Sum',
    });
    expectAlarm('WebhookSignatureFailures', {
      Namespace: namespace,
      MetricName: 'WebhookSignatureFailures',
      Statistic: 'Sum',
    });
    expectAlarm('NotableAlertEvents', {
      Namespace: namespace,
      MetricName: 'NotableAlertEvents',
      Statistic: 'Sum',
    });
    expect(alarm('NotableAlertEvents').AlarmDescription).toMatch(/informational/);
  });

  it('match log messages the use cases really write (Powertools puts them in "message")', () => {
    const source = (file: string) => readFileSync(join(PROJECT_ROOT, 'functions', 'use-cases', file), 'utf8');
    const snapshot = source('take-snapshot.ts');
    // log.info(allDone ? 'snapshot finished' : 'snapshot paused', { ...ctx, complete, ... })
    expect(snapshot).toMatch(
      new RegExp(
        `log\\.info\\(allDone \\? '${LOG_MESSAGES.snapshotFinished}' : 'snapshot paused', \\{[^}]*\\bcomplete,`,
      ),
    );
    const webhook = source('receive-webhook.ts');
    expect(webhook).toContain(`log.warn('${LOG_MESSAGES.webhookSignatureMismatch}'`);
    expect(webhook).toContain(`log.warn('${LOG_MESSAGES.notableAlertEvent}'`);
  });
});

describe('the operators topic', () => {
  it('is encrypted with a rotated customer-managed key and refuses plain HTTP', () => {
    const keyId = logicalId(s.stack, s.stack.alarms.key);
    expect(s.resources[keyId]).toMatchObject({
      DeletionPolicy: 'Delete',
      Properties: { EnableKeyRotation: true, PendingWindowInDays: 7 },
    });
    expect(s.resources[logicalId(s.stack, s.stack.alarms.topic)]?.Properties).toMatchObject({
      KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
    });
    s.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [topicRef()],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sns:Publish',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('lets CloudWatch publish, and use the key, for this stack’s alarms only', () => {
    const onlyOurAlarms = {
      StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
      ArnLike: {
        'aws:SourceArn': {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':cloudwatch:',
              { Ref: 'AWS::Region' },
              ':',
              { Ref: 'AWS::AccountId' },
              ':alarm:Test-*',
            ],
          ],
        },
      },
    };
    s.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Sid: 'AllowAlertLedgerAlarms',
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Resource: topicRef(),
            Condition: onlyOurAlarms,
          },
        ]),
      },
    });
    s.template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          {
            Sid: 'AllowAlertLedgerAlarms',
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Resource: '*',
            Condition: onlyOurAlarms,
          },
        ]),
      },
    });
  });

  it('gets an email subscription only when alarmEmail is configured', () => {
    s.template.resourceCountIs('AWS::SNS::Subscription', 1);
    s.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'security-ops@example.com',
      TopicArn: topicRef(),
    });
    noEmail.template.resourceCountIs('AWS::SNS::Subscription', 0);
    noEmail.template.resourceCountIs('AWS::CloudWatch::Alarm', 12);
  });
});
