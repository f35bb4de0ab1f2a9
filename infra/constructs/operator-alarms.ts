/**
 * What operators are told about: CloudWatch alarms published to an encrypted SNS topic
 * (optionally with an email subscription).
 *
 * - every function's errors and throttles;
 * - the failure queue holding a message (a scheduled run that could not be started or failed);
 * - snapshot runs that failed or timed out (the Step Functions fan-out);
 * - incomplete snapshots, webhook signature mismatches and notable alert events, counted by
 *   metric filters on the functions' structured (Powertools JSON) logs.
 */
import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, type IMetric, Stats, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { FilterPattern, type ILogGroup, MetricFilter } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

/**
 * Log messages the metric filters match (Powertools puts them in `message`). They must stay
 * equal to what the use cases log: test/infra/alarms.test.ts checks them against the sources.
 */
export const LOG_MESSAGES = {
  /** functions/use-cases/take-snapshot.ts, with `complete: false` when the snapshot is incomplete. */
  snapshotFinished: 'snapshot finished',
  /** functions/use-cases/receive-webhook.ts, at WARN, for a wrong X-Hub-Signature-256. */
  webhookSignatureMismatch: 'webhook signature mismatch',
  /** functions/use-cases/receive-webhook.ts, at WARN: bypass, critical created, reopened, leaked. */
  notableAlertEvent: 'notable alert event',
} as const;

/** Names of the custom metrics (namespace `AlertLedger/<stack name>`). */
export const CUSTOM_METRICS = {
  incompleteSnapshots: 'IncompleteSnapshots',
  webhookSignatureFailures: 'WebhookSignatureFailures',
  notableAlertEvents: 'NotableAlertEvents',
} as const;

export interface OperatorAlarmsProps {
  readonly functions: Readonly<Record<'snapshot' | 'report' | 'webhook', IFunction>>;
  readonly logGroups: Readonly<Record<'snapshot' | 'webhook', ILogGroup>>;
  readonly failureQueue: IQueue;
  readonly snapshotRuns: IStateMachine;
  readonly email?: string | undefined;
}

const FIVE_MINUTES = Duration.minutes(5);

export class OperatorAlarms extends Construct {
  readonly topic: Topic;
  readonly key: Key;
  readonly alarms: Record<string, Alarm> = {};
  readonly namespace: string;

  constructor(scope: Construct, id: string, props: OperatorAlarmsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.namespace = `AlertLedger/${stack.stackName}`;
    // Explicit alarm names, so the service grants below can name exactly these alarms.
    const alarmPrefix = `${stack.stackName}-`;
    const alarmArns = stack.formatArn({
      service: 'cloudwatch',
      resource: 'alarm',
      resourceName: `${alarmPrefix}*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });

    // --- Topic: encrypted with a key of its own --------------------------------------------------
    // CloudWatch cannot publish to a topic under the AWS-managed aws/sns key (its policy cannot be
    // changed), so the topic gets a customer-managed key whose policy lets CloudWatch use it.
    this.key = new Key(this, 'TopicKey', {
      description: 'alert-ledger: encrypts the operator alarm topic',
      enableKeyRotation: true,
      // It protects alarm notifications only, nothing to keep: deleted (after 7 days) with the stack.
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    this.topic = new Topic(this, 'Topic', {
      displayName: 'alert-ledger alarms',
      masterKey: this.key,
      enforceSSL: true,
    });
    const cloudwatch = new ServicePrincipal('cloudwatch.amazonaws.com');
    const onlyOurAlarms = {
      StringEquals: { 'aws:SourceAccount': stack.account },
      ArnLike: { 'aws:SourceArn': alarmArns },
    };
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowAlertLedgerAlarms',
        principals: [cloudwatch],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: onlyOurAlarms,
      }),
    );
    this.key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowAlertLedgerAlarms',
        principals: [cloudwatch],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: onlyOurAlarms,
      }),
    );
    if (props.email !== undefined) this.topic.addSubscription(new EmailSubscription(props.email));
    const action = new SnsAction(this.topic);

    const alarm = (name: string, metric: IMetric, description: string, threshold = 1): Alarm => {
      const a = new Alarm(this, name, {
        alarmName: `${alarmPrefix}${name}`,
        alarmDescription: description,
        metric,
        threshold,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        datapointsToAlarm: 1,
        // No datapoint means nothing happened: no invocation, no message, no log line.
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      a.addAlarmAction(action);
      this.alarms[name] = a;
      return a;
    };

    // --- Functions ------------------------------------------------------------------------------
    const titles = { snapshot: 'Snapshot', report: 'Report', webhook: 'Webhook' } as const;
    for (const key of ['snapshot', 'report', 'webhook'] as const) {
      const fn = props.functions[key];
      alarm(
        `${titles[key]}Errors`,
        fn.metricErrors({ period: FIVE_MINUTES, statistic: Stats.SUM }),
        `alert-ledger: the ${key} function failed (unhandled error or timeout). See its log group.`,
      );
      alarm(
        `${titles[key]}Throttles`,
        fn.metricThrottles({ period: FIVE_MINUTES, statistic: Stats.SUM }),
        key === 'webhook'
          ? 'alert-ledger: webhook deliveries were throttled (reserved concurrency reached); GitHub does not redeliver by itself.'
          : `alert-ledger: invocations of the ${key} function were throttled (account concurrency).`,
      );
    }

    // --- Failed runs ----------------------------------------------------------------------------
    alarm(
      'FailedRunsQueueNotEmpty',
      props.failureQueue.metricApproximateNumberOfMessagesVisible({
        period: FIVE_MINUTES,
        statistic: Stats.MAXIMUM,
      }),
      'alert-ledger: a scheduled run could not be started or failed after its retries; the message in the failed-runs queue says which.',
    );
    alarm(
      'SnapshotRunsFailed',
      props.snapshotRuns.metricFailed({ period: FIVE_MINUTES, statistic: Stats.SUM }),
      'alert-ledger: a snapshot run failed for at least one organisation (its cause names them); the others were taken.',
    );
    alarm(
      'SnapshotRunsTimedOut',
      props.snapshotRuns.metricTimedOut({ period: FIVE_MINUTES, statistic: Stats.SUM }),
      'alert-ledger: a snapshot run hit the state machine timeout.',
    );

    // --- From the structured logs ---------------------------------------------------------------
    const countOf = (
      id: string,
      logGroup: ILogGroup,
      metricName: string,
      pattern: ReturnType<typeof FilterPattern.all>,
    ): IMetric =>
      new MetricFilter(this, id, {
        logGroup,
        filterPattern: pattern,
        metricNamespace: this.namespace,
        metricName,
        metricValue: '1',
        // No value when nothing matched (a 0 would cost a datapoint every minute for nothing).
      }).metric({ period: FIVE_MINUTES, statistic: Stats.SUM });

    alarm(
      'IncompleteSnapshot',
      countOf(
        'IncompleteSnapshotFilter',
        props.logGroups.snapshot,
        CUSTOM_METRICS.incompleteSnapshots,
        FilterPattern.all(
          FilterPattern.stringValue('$.message', '=', LOG_MESSAGES.snapshotFinished),
          FilterPattern.booleanValue('$.complete', false),
        ),
      ),
      'alert-ledger: a snapshot finished incomplete (a skipped page, a failed stream, or abandoned after too many invocations): reports covering it say so. See "snapshot finished" in the snapshot log group.',
    );
    alarm(
      'WebhookSignatureFailures',
      countOf(
        'WebhookSignatureFilter',
        props.logGroups.webhook,
        CUSTOM_METRICS.webhookSignatureFailures,
        FilterPattern.all(FilterPattern.stringValue('$.message', '=', LOG_MESSAGES.webhookSignatureMismatch)),
      ),
      'alert-ledger: webhook deliveries with a wrong X-Hub-Signature-256 were refused (401). Either the GitHub webhook secret and the WebhookSecret differ (deliveries are being lost: fix, then redeliver from GitHub), or someone is probing the URL.',
    );
    alarm(
      'NotableAlertEvents',
      countOf(
        'NotableAlertEventFilter',
        props.logGroups.webhook,
        CUSTOM_METRICS.notableAlertEvents,
        FilterPattern.all(FilterPattern.stringValue('$.message', '=', LOG_MESSAGES.notableAlertEvent)),
      ),
      'alert-ledger (informational): a notable alert event arrived (push-protection bypass, critical alert created, alert reopened, secret publicly leaked). Its kind, org and alert are in the "notable alert event" lines of the webhook log group.',
    );
  }
}
