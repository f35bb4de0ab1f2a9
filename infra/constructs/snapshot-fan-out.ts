/**
 * One snapshot run per organisation: a Step Functions state machine (JSONata) whose Map state
 * starts, for each configured organisation (or the enterprise, whose lists cover every
 * organisation at once), a loop that invokes the snapshot function with `{ org, mode }` and
 * invokes it again, after a growing pause, while the result says the snapshot is `resumable`
 * (it stopped at the Lambda time limit or an exhausted rate limit and saved its checkpoint).
 *
 * So a slow organisation never holds the others up, and a large one can take several 15-minute
 * invocations. An organisation whose snapshot fails (after retries) or is still resumable after
 * `maxInvocations` is recorded as failed without stopping the others; the execution then fails,
 * which the ExecutionsFailed alarm reports.
 */
import { type CfnElement, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  Choice,
  Condition,
  DefinitionBody,
  Errors,
  Fail,
  JitterType,
  LogLevel,
  Map as MapState,
  Pass,
  ProvideItems,
  QueryLanguage,
  StateMachine,
  StateMachineType,
  Succeed,
  TaskInput,
  Wait,
  WaitTime,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';

/** Error name the snapshot handler throws when some of several organisations failed (functions/snapshot/handler.ts). */
export const SNAPSHOT_FAILED_ERROR = 'SnapshotFailedError';
/**
 * Errors of one organisation's snapshot that may pass (the handler rethrows them by name when
 * one organisation is asked for): the lease of a still-running invocation, a GitHub outage or
 * rate limit, a DynamoDB failure. A missing permission or bad token is not retried.
 */
export const RETRYABLE_SNAPSHOT_ERRORS = [
  'ConcurrentUpdateError',
  'GitHubUnavailableError',
  'GitHubRateLimitError',
  'StoreError',
  SNAPSHOT_FAILED_ERROR,
] as const;
/** First pause before resuming a paused snapshot; doubled on each further pause, up to the cap. */
export const RESUME_WAIT_FIRST_SECONDS = 30;
export const RESUME_WAIT_MAX_SECONDS = 900;

export interface SnapshotFanOutProps {
  readonly snapshotFunction: IFunction;
  /** Organisations, one Map iteration each; ignored when `enterprise` is set. */
  readonly orgs: readonly string[];
  /** Enterprise slug: one iteration, the enterprise-level lists cover every organisation. */
  readonly enterprise?: string | undefined;
  readonly maxConcurrency: number;
  readonly maxInvocations: number;
  readonly logRetention: RetentionDays;
}

/** `{% expr %}`: a JSONata expression in Amazon States Language. */
const jsonata = (expression: string): string => `{% ${expression} %}`;

export class SnapshotFanOut extends Construct {
  readonly stateMachine: StateMachine;
  readonly logGroup: LogGroup;
  /** What each Map iteration starts from: `{ org }` per organisation, or `{ enterprise }`. */
  readonly items: readonly Record<string, string>[];

  constructor(scope: Construct, id: string, props: SnapshotFanOutProps) {
    super(scope, id);
    const max = props.maxInvocations;
    this.items =
      props.enterprise === undefined
        ? props.orgs.map((org) => ({ org }))
        : [{ enterprise: props.enterprise }];

    // --- One organisation: invoke, and again while resumable ----------------------------------
    const start = Pass.jsonata(this, 'Start organisation run', {
      comment: 'The handler input of this iteration ({org|enterprise, mode}) and an invocation counter.',
      assign: { target: jsonata('$states.input'), invocations: 0 },
    });

    const invoke = LambdaInvoke.jsonata(this, 'Invoke snapshot', {
      comment: 'Takes or resumes the snapshot of one organisation (at most 15 minutes).',
      lambdaFunction: props.snapshotFunction,
      payload: TaskInput.fromText(jsonata('$target')),
      assign: {
        invocations: jsonata('$invocations + 1'),
        // The handler's SnapshotResult: one entry per organisation (several for an enterprise).
        resumable: jsonata('$count($states.result.Payload.snapshots[resumable = true]) > 0'),
        snapshots: jsonata('$states.result.Payload.snapshots'),
      },
    });
    // Lambda service errors are retried by LambdaInvoke itself (retryOnServiceExceptions). A
    // failed organisation is retried a few times, minutes apart: it may only have met the lease of
    // a still-running invocation (another execution resuming the same organisation), or a GitHub
    // or DynamoDB outage; a missing permission fails the same way each time, quickly.
    invoke.addRetry({
      errors: [...RETRYABLE_SNAPSHOT_ERRORS],
      interval: Duration.minutes(2),
      backoffRate: 2,
      maxAttempts: 3,
      jitterStrategy: JitterType.FULL,
    });

    const failed = Pass.jsonata(this, 'Organisation failed', {
      comment: 'Recorded, not raised, so the other organisations go on; the execution fails at the end.',
      outputs: jsonata(
        "{'target': $target, 'failed': true, 'error': $states.input.Error, 'cause': $states.input.Cause}",
      ),
    });
    invoke.addCatch(failed, { errors: [Errors.ALL] });

    const stillResumable = Pass.jsonata(this, 'Still resumable', {
      comment: `Not finished after ${max} invocations: the next scheduled run resumes it from its checkpoint.`,
      outputs: jsonata(
        `{'target': $target, 'failed': true, 'invocations': $invocations, 'error': 'SnapshotStillResumable', 'cause': 'still resumable after ${max} invocations; the next scheduled run resumes it'}`,
      ),
    });

    const done = Pass.jsonata(this, 'Organisation done', {
      outputs: jsonata("{'target': $target, 'invocations': $invocations, 'snapshots': $snapshots}"),
    });

    const pause = Wait.jsonata(this, 'Wait before resuming', {
      comment: `${RESUME_WAIT_FIRST_SECONDS} s after the first pause, doubling up to ${RESUME_WAIT_MAX_SECONDS} s: a rate limit may need its reset.`,
      time: WaitTime.seconds(
        jsonata(
          `$min([${RESUME_WAIT_FIRST_SECONDS} * $power(2, $invocations - 1), ${RESUME_WAIT_MAX_SECONDS}])`,
        ),
      ),
    });

    const resumable = Choice.jsonata(this, 'Resumable?', {
      comment: `Loop while the snapshot paused with a checkpoint, at most ${max} invocations.`,
    })
      .when(Condition.jsonata(jsonata(`$resumable and $invocations < ${max}`)), pause.next(invoke))
      .when(Condition.jsonata(jsonata('$resumable')), stillResumable)
      .otherwise(done);

    const perOrganisation = start.next(invoke).next(resumable);

    // --- Every organisation -------------------------------------------------------------------
    const map = MapState.jsonata(this, 'Snapshot each organisation', {
      comment: 'One iteration per organisation (or one for the enterprise), at most maxConcurrency at once.',
      items: ProvideItems.jsonArray([...this.items]),
      // Each item with the run's mode: {"org": "octo", "mode": "incremental" | "full"}.
      jsonataItemSelector: jsonata(
        "$merge([$states.context.Map.Item.Value, {'mode': $exists($states.input.mode) ? $states.input.mode : 'incremental'}])",
      ),
      maxConcurrency: props.maxConcurrency,
    });
    map.itemProcessor(perOrganisation);

    const anyFailed = Choice.jsonata(this, 'Any organisation failed?')
      .when(
        Condition.jsonata(jsonata('$count($states.input[failed = true]) > 0')),
        Fail.jsonata(this, 'Snapshot run failed', {
          error: 'SnapshotRunFailed',
          cause: jsonata('$string($states.input[failed = true])'),
        }),
      )
      .otherwise(Succeed.jsonata(this, 'Snapshot run done'));

    // --- The state machine --------------------------------------------------------------------
    this.logGroup = new LogGroup(this, 'Logs', {
      // The /aws/vendedlogs/ prefix keeps Step Functions' log delivery out of the account's
      // CloudWatch Logs resource policy size limit.
      logGroupName: `/aws/vendedlogs/states/${Stack.of(this).stackName}-snapshot-runs`,
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.stateMachine = new StateMachine(this, 'StateMachine', {
      comment: 'alert-ledger: one snapshot run per organisation, each resumed until it finishes',
      stateMachineType: StateMachineType.STANDARD,
      queryLanguage: QueryLanguage.JSONATA,
      definitionBody: DefinitionBody.fromChainable(map.next(anyFailed)),
      // Up to maxInvocations × 15 minutes per organisation, plus the pauses, in maxConcurrency lanes.
      timeout: Duration.hours(12),
      tracingEnabled: true,
      logs: { destination: this.logGroup, level: LogLevel.ALL, includeExecutionData: true },
    });

    // cdk-nag acknowledgements of the state machine's role, each on the exact finding.
    const stack = Stack.of(this);
    const snapshotId = stack.getLogicalId(props.snapshotFunction.node.defaultChild as CfnElement);
    Validations.of(this.stateMachine.role).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Only the actions AWS requires on "*": X-Ray (PutTraceSegments, PutTelemetryRecords, GetSamplingRules, GetSamplingTargets) and CloudWatch Logs delivery (CreateLogDelivery, GetLogDelivery, UpdateLogDelivery, DeleteLogDelivery, ListLogDeliveries, PutResourcePolicy, DescribeResourcePolicies, DescribeLogGroups), none of which has resource-level permissions.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::<${snapshotId}.Arn>:*]`,
        reason:
          'LambdaInvoke grants lambda:InvokeFunction on the snapshot function and its versions/aliases (ARN:*); it is still that one function.',
      },
    );
  }
}
