/**
 * The snapshot fan-out: a Step Functions state machine whose Map runs one snapshot loop per
 * organisation (invoke, and invoke again while the result is resumable, at most maxInvocations),
 * started by the snapshot schedules with the run's mode.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TempDirs } from './helpers.ts';
import { BASE_CONFIG, cfnText, type Json, logicalId, ref, type Synthesized, synthStack } from './synth.ts';

interface State {
  Type: string;
  Next?: string;
  End?: boolean;
  Default?: string;
  Choices?: { Condition: string; Next: string }[];
  [key: string]: unknown;
}
interface Definition {
  StartAt: string;
  States: Record<string, State>;
  QueryLanguage?: string;
  TimeoutSeconds?: number;
}

const temp = new TempDirs();
afterAll(() => temp.removeAll());

let base: Synthesized;
let variant: Synthesized;
let enterprise: Synthesized;

beforeAll(() => {
  base = synthStack(temp);
  variant = synthStack(temp, {
    ...BASE_CONFIG,
    orgs: ['octo-demo', 'octo-labs', 'octo-archive'],
    snapshotRuns: { maxConcurrency: 2, maxInvocations: 4 },
  });
  enterprise = synthStack(temp, { ...BASE_CONFIG, enterprise: 'octo-corp' });
});

function definitionOf(s: Synthesized): Definition {
  const props = s.resources[logicalId(s.stack, s.stack.snapshotRuns.stateMachine)]?.Properties;
  if (props === undefined) throw new Error('no state machine');
  return JSON.parse(cfnText(props.DefinitionString)) as Definition;
}

function mapOf(d: Definition): State & { ItemProcessor: Definition } {
  return d.States['Snapshot each organisation'] as State & { ItemProcessor: Definition };
}

describe('the snapshot state machine', () => {
  it('is a standard, JSONata state machine with a timeout, X-Ray and full logging', () => {
    const s = base;
    const props = s.resources[logicalId(s.stack, s.stack.snapshotRuns.stateMachine)]?.Properties as Json;
    expect(props).toMatchObject({
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: {
        Level: 'ALL',
        IncludeExecutionData: true,
        Destinations: [
          {
            CloudWatchLogsLogGroup: {
              LogGroupArn: { 'Fn::GetAtt': [logicalId(s.stack, s.stack.snapshotRuns.logGroup), 'Arn'] },
            },
          },
        ],
      },
    });
    expect(s.resources[logicalId(s.stack, s.stack.snapshotRuns.logGroup)]?.Properties).toEqual({
      LogGroupName: '/aws/vendedlogs/states/Test-snapshot-runs',
      RetentionInDays: 30,
    });
    const d = definitionOf(s);
    expect(d.QueryLanguage).toBe('JSONata');
    expect(d.TimeoutSeconds).toBe(12 * 3600);
    expect(d.StartAt).toBe('Snapshot each organisation');
  });

  it('maps over the configured organisations, each with the run mode, at most maxConcurrency at once', () => {
    const map = mapOf(definitionOf(base));
    expect(map).toMatchObject({
      Type: 'Map',
      Items: [{ org: 'octo-demo' }],
      MaxConcurrency: 5,
      ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' } },
      Next: 'Any organisation failed?',
    });
    // The iteration input is the item plus the execution's mode (incremental when none is given).
    expect(map.ItemSelector).toBe(
      "{% $merge([$states.context.Map.Item.Value, {'mode': $exists($states.input.mode) ? $states.input.mode : 'incremental'}]) %}",
    );
    const other = mapOf(definitionOf(variant));
    expect(other.Items).toEqual([{ org: 'octo-demo' }, { org: 'octo-labs' }, { org: 'octo-archive' }]);
    expect(other.MaxConcurrency).toBe(2);
  });

  it('runs an enterprise as one iteration: its lists cover every organisation', () => {
    expect(mapOf(definitionOf(enterprise)).Items).toEqual([{ enterprise: 'octo-corp' }]);
  });

  it('invokes the snapshot function with the iteration input and loops while the result is resumable', () => {
    const s = base;
    const inner = mapOf(definitionOf(s)).ItemProcessor;
    expect(inner.StartAt).toBe('Start organisation run');
    expect(inner.States['Start organisation run']).toMatchObject({
      Type: 'Pass',
      Assign: { target: '{% $states.input %}', invocations: 0 },
      Next: 'Invoke snapshot',
    });
    const invoke = inner.States['Invoke snapshot'] as State;
    expect(invoke).toMatchObject({
      Type: 'Task',
      Resource: `arn:${ref('AWS::Partition')}:states:::lambda:invoke`,
      Arguments: {
        FunctionName: ref(`${logicalId(s.stack, s.stack.functions.snapshot)}.Arn`),
        Payload: '{% $target %}',
      },
      // The handler returns { snapshots: [{ org, complete, resumable, ... }] } (functions/snapshot/handler.ts).
      Assign: {
        invocations: '{% $invocations + 1 %}',
        resumable: '{% $count($states.result.Payload.snapshots[resumable = true]) > 0 %}',
        snapshots: '{% $states.result.Payload.snapshots %}',
      },
      Next: 'Resumable?',
    });
    expect(inner.States['Resumable?']).toEqual({
      Type: 'Choice',
      QueryLanguage: 'JSONata',
      Comment: 'Loop while the snapshot paused with a checkpoint, at most 12 invocations.',
      Choices: [
        { Condition: '{% $resumable and $invocations < 12 %}', Next: 'Wait before resuming' },
        { Condition: '{% $resumable %}', Next: 'Still resumable' },
      ],
      Default: 'Organisation done',
    });
    // The pause grows (30 s, 60 s, ... up to 15 minutes), then the same input is invoked again.
    expect(inner.States['Wait before resuming']).toMatchObject({
      Type: 'Wait',
      Seconds: '{% $min([30 * $power(2, $invocations - 1), 900]) %}',
      Next: 'Invoke snapshot',
    });
    expect(inner.States['Organisation done']).toMatchObject({ Type: 'Pass', End: true });
    expect(inner.States['Still resumable']).toMatchObject({ Type: 'Pass', End: true });
    expect(inner.States['Still resumable']?.Output).toContain("'failed': true");
  });

  it('takes the invocation limit from the configuration', () => {
    const inner = mapOf(definitionOf(variant)).ItemProcessor;
    expect(inner.States['Resumable?']?.Choices?.[0]?.Condition).toBe('{% $resumable and $invocations < 4 %}');
  });

  it('retries a failed organisation minutes apart, then records it without stopping the others', () => {
    const inner = mapOf(definitionOf(base)).ItemProcessor;
    const invoke = inner.States['Invoke snapshot'] as State & {
      Retry: Json[];
      Catch: { ErrorEquals: string[]; Next: string }[];
    };
    expect(invoke.Retry).toEqual([
      {
        ErrorEquals: [
          'Lambda.ClientExecutionTimeoutException',
          'Lambda.ServiceException',
          'Lambda.AWSLambdaException',
          'Lambda.SdkClientException',
        ],
        IntervalSeconds: 2,
        MaxAttempts: 6,
        BackoffRate: 2,
      },
      // What may pass: a held lease, a GitHub outage or rate limit, a DynamoDB failure (the handler
      // rethrows one organisation's own error by name); not a bad token or a missing permission.
      {
        ErrorEquals: [
          'ConcurrentUpdateError',
          'GitHubUnavailableError',
          'GitHubRateLimitError',
          'StoreError',
          'SnapshotFailedError',
        ],
        IntervalSeconds: 120,
        MaxAttempts: 3,
        BackoffRate: 2,
        JitterStrategy: 'FULL',
      },
    ]);
    expect(invoke.Catch).toEqual([{ ErrorEquals: ['States.ALL'], Next: 'Organisation failed' }]);
    expect(inner.States['Organisation failed']).toMatchObject({
      Type: 'Pass',
      End: true,
      Output:
        "{% {'target': $target, 'failed': true, 'error': $states.input.Error, 'cause': $states.input.Cause} %}",
    });
  });

  it('fails the execution at the end when any organisation failed, naming them', () => {
    const d = definitionOf(base);
    expect(d.States['Any organisation failed?']).toEqual({
      Type: 'Choice',
      Choices: [{ Condition: '{% $count($states.input[failed = true]) > 0 %}', Next: 'Snapshot run failed' }],
      Default: 'Snapshot run done',
    });
    expect(d.States['Snapshot run failed']).toEqual({
      Type: 'Fail',
      Error: 'SnapshotRunFailed',
      Cause: '{% $string($states.input[failed = true]) %}',
    });
    expect(d.States['Snapshot run done']).toEqual({ Type: 'Succeed' });
  });

  it('may invoke only the snapshot function, plus the X-Ray and log-delivery actions that take no resource', () => {
    const s = base;
    const role = s.stack.snapshotRuns.stateMachine.role;
    const statements = Object.values(s.resources)
      .filter(
        (r) =>
          r.Type === 'AWS::IAM::Policy' &&
          JSON.stringify(r.Properties.Roles) === JSON.stringify([{ Ref: logicalId(s.stack, role) }]),
      )
      .flatMap(
        (r) =>
          (r.Properties.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] })
            .Statement,
      );
    const fnArn = { 'Fn::GetAtt': [logicalId(s.stack, s.stack.functions.snapshot), 'Arn'] };
    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: 'lambda:InvokeFunction',
        Resource: [fnArn, { 'Fn::Join': ['', [fnArn, ':*']] }],
      },
      {
        Effect: 'Allow',
        Action: [
          'logs:CreateLogDelivery',
          'logs:DeleteLogDelivery',
          'logs:DescribeLogGroups',
          'logs:DescribeResourcePolicies',
          'logs:GetLogDelivery',
          'logs:ListLogDeliveries',
          'logs:PutResourcePolicy',
          'logs:UpdateLogDelivery',
          'xray:GetSamplingRules',
          'xray:GetSamplingTargets',
          'xray:PutTelemetryRecords',
          'xray:PutTraceSegments',
        ],
        Resource: '*',
      },
    ]);
  });
});

describe('the snapshot schedules', () => {
  it('start the state machine with {"mode":"incremental"} hourly and {"mode":"full"} weekly', () => {
    const s = base;
    const smArn = { Ref: logicalId(s.stack, s.stack.snapshotRuns.stateMachine) };
    const byName = {
      incremental: s.resources[logicalId(s.stack, s.stack.schedules.snapshotIncremental)]?.Properties,
      full: s.resources[logicalId(s.stack, s.stack.schedules.snapshotFull)]?.Properties,
    };
    expect(byName.incremental).toMatchObject({
      ScheduleExpression: 'rate(1 hour)',
      Target: { Arn: smArn, Input: '{"mode":"incremental"}' },
    });
    expect(byName.full).toMatchObject({
      ScheduleExpression: 'cron(0 23 ? * SUN *)',
      Target: { Arn: smArn, Input: '{"mode":"full"}' },
    });
    // Nothing invokes the snapshot function on a schedule any more but the state machine.
    const snapshotArn = JSON.stringify({
      'Fn::GetAtt': [logicalId(s.stack, s.stack.functions.snapshot), 'Arn'],
    });
    for (const r of Object.values(s.resources)) {
      if (r.Type === 'AWS::Scheduler::Schedule')
        expect(JSON.stringify(r.Properties)).not.toContain(snapshotArn);
    }
  });
});
