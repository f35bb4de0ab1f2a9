/**
 * The alert-ledger stack: table, reports bucket (with access logs), three Lambdas, secrets, SES
 * identity, the snapshot fan-out (Step Functions), schedules, and the operators' alarms.
 * Env-agnostic: `cdk synth` needs no credentials and no network. Every cdk-nag (AwsSolutions)
 * finding that is accepted rather than fixed is acknowledged next to the resource, with its reason.
 */
import { fileURLToPath } from 'node:url';
import {
  type CfnElement,
  CfnOutput,
  Duration,
  Fn,
  RemovalPolicy,
  SecretValue,
  Stack,
  type StackProps,
  TimeZone,
  Validations,
} from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { AccessKey, PolicyStatement, Role, ServicePrincipal, User } from 'aws-cdk-lib/aws-iam';
import { Architecture, type FunctionUrl, FunctionUrlAuthType } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type IBucket,
  ObjectLockRetention,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import {
  ContextAttribute,
  Schedule,
  ScheduleExpression,
  ScheduleTargetInput,
} from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke, StepFunctionsStartExecution } from 'aws-cdk-lib/aws-scheduler-targets';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { EmailIdentity, Identity } from 'aws-cdk-lib/aws-ses';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { OPEN_ALERTS_INDEX, OPEN_ALERTS_KEY } from '../functions/store/table-schema.ts';
import type { AlertLedgerConfig } from './config.ts';
import { LedgerFunction } from './constructs/ledger-function.ts';
import { OperatorAlarms } from './constructs/operator-alarms.ts';
import { SnapshotFanOut } from './constructs/snapshot-fan-out.ts';

/** Project root: holds package.json, package-lock.json, functions/ and templates/. */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** S3 key prefix the report function may write and read. */
export const REPORTS_PREFIX = 'reports/';

/** Where the report bundle's templates are on Lambda (copied next to index.mjs). */
export const LAMBDA_TEMPLATES_DIR = '/var/task/templates';

/** S3 key prefix of the reports bucket's server access logs in the access-log bucket. */
export const ACCESS_LOGS_PREFIX = 'reports-bucket/';

/** Days the reports bucket's access logs are kept. */
export const ACCESS_LOG_RETENTION_DAYS = 365;

/**
 * DynamoDB actions the functions use (functions/store/dynamo-store.ts at run time: Get, BatchGet,
 * Query, Put, Update, Delete, BatchWrite, and TransactWrite, which is authorised per item as
 * Put/Update/Delete). No Scan, no DescribeTable, no streams: those are for local table set-up only.
 */
export const TABLE_ACTIONS = [
  'dynamodb:BatchGetItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:DeleteItem',
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:Query',
  'dynamodb:UpdateItem',
] as const;

/** Value of the GitHub token secret until someone puts a token in: reads as empty once trimmed. */
export const BLANK_SECRET = ' ';

/** Webhook events alert-ledger understands; shown in the subscription instructions. */
export const WEBHOOK_EVENTS = [
  'Code scanning alerts',
  'Dependabot alerts',
  'Secret scanning alerts',
  'Secret scanning alert locations',
] as const;

export interface AlertLedgerStackProps extends StackProps {
  readonly config: AlertLedgerConfig;
  /** Project root; defaults to the folder above infra/. */
  readonly projectRoot?: string;
}

export interface LedgerFunctions {
  readonly snapshot: NodejsFunction;
  readonly report: NodejsFunction;
  readonly webhook: NodejsFunction;
}

export class AlertLedgerStack extends Stack {
  readonly table: Table;
  readonly bucket: Bucket;
  readonly functions: LedgerFunctions;
  readonly webhookUrl: FunctionUrl;
  readonly githubTokenSecret: Secret;
  readonly webhookSecret: Secret;
  readonly senderIdentity: EmailIdentity;
  readonly failureQueue: Queue;
  readonly accessLogsBucket: Bucket;
  readonly snapshotRuns: SnapshotFanOut;
  readonly alarms: OperatorAlarms;
  readonly schedulerRole: Role;
  readonly schedules: {
    readonly snapshotIncremental: Schedule;
    readonly snapshotFull: Schedule;
    readonly report: Schedule;
  };

  constructor(scope: Construct, id: string, props: AlertLedgerStackProps) {
    super(scope, id, props);
    const { config } = props;
    const projectRoot = props.projectRoot ?? PROJECT_ROOT;

    // --- Storage -------------------------------------------------------------------------------
    this.table = new Table(this, 'Table', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      timeToLiveAttribute: 'expiresAt',
      deletionProtection: config.table.deletionProtection,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // `openOrg` is the org on open and leaked alerts (a report reads the open backlog, not every
    // alert), and the org and the day of the last change on closed ones (a report reads those that
    // closed in its window by day, not one by one). See functions/store/table-schema.ts.
    this.table.addGlobalSecondaryIndex({
      indexName: OPEN_ALERTS_INDEX,
      partitionKey: { name: OPEN_ALERTS_KEY, type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      projectionType: ProjectionType.ALL,
    });

    // Server access logs of the reports bucket: who read or wrote which report, for the auditors.
    this.accessLogsBucket = new Bucket(this, 'AccessLogsBucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      // S3 log delivery writes only to SSE-S3 buckets.
      encryption: BucketEncryption.S3_MANAGED,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(ACCESS_LOG_RETENTION_DAYS) }],
    });
    Validations.of(this.accessLogsBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'This is the access-log bucket of the reports bucket; logging it into another bucket would only move the finding one bucket further.',
    });

    const { reportsBucket } = config;
    this.bucket = new Bucket(this, 'ReportsBucket', {
      // (The cast: Bucket declares isWebsite as possibly undefined, which exactOptionalPropertyTypes rejects.)
      serverAccessLogsBucket: this.accessLogsBucket as IBucket,
      serverAccessLogsPrefix: ACCESS_LOGS_PREFIX,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      encryption: BucketEncryption.S3_MANAGED,
      versioned: true,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
        ...(reportsBucket.retentionDays === null
          ? []
          : [
              {
                id: 'expire-reports',
                prefix: 'reports/',
                expiration: Duration.days(reportsBucket.retentionDays),
                noncurrentVersionExpiration: Duration.days(reportsBucket.retentionDays),
              },
            ]),
      ],
      ...(reportsBucket.objectLock
        ? {
            objectLockEnabled: true,
            objectLockDefaultRetention:
              reportsBucket.objectLock.mode === 'COMPLIANCE'
                ? ObjectLockRetention.compliance(Duration.days(reportsBucket.objectLock.days))
                : ObjectLockRetention.governance(Duration.days(reportsBucket.objectLock.days)),
          }
        : {}),
    });

    // --- Secrets and sender identity -----------------------------------------------------------
    // Created blank (one space; Secrets Manager refuses an empty string) so that, until a real
    // token is put in, the snapshot fails with "secret ... is empty: set it with put-secret-value"
    // instead of a GitHub 401 for a random placeholder. Not a secret: nothing sensitive in the template.
    this.githubTokenSecret = new Secret(this, 'GitHubTokenSecret', {
      description:
        config.githubApp === undefined
          ? 'alert-ledger: GitHub token of the snapshot function. Put the token in with aws secretsmanager put-secret-value.'
          : 'alert-ledger: GitHub App private key (PEM) of the snapshot function. Put it in with aws secretsmanager put-secret-value.',
      secretStringValue: SecretValue.unsafePlainText(BLANK_SECRET),
    });
    this.webhookSecret = new Secret(this, 'WebhookSecret', {
      description:
        'alert-ledger: GitHub webhook secret (HMAC-SHA256 key). Paste this value into the GitHub webhook.',
      generateSecretString: { passwordLength: 40, excludePunctuation: true },
    });
    Validations.of(this.githubTokenSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'A GitHub token (or App private key) is issued by GitHub, not by AWS: no rotation Lambda can create one. Rotate it in GitHub and put it in with put-secret-value (README, Deployment).',
    });
    Validations.of(this.webhookSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The same value must be set on the GitHub webhook, which AWS cannot change. Rotation is manual and lossless: the handler accepts {"current","previous"} during the switch (README, Deployment).',
    });

    const identityName = config.report.senderIdentity ?? config.report.from;
    this.senderIdentity = new EmailIdentity(this, 'SenderIdentity', {
      identity: identityName.includes('@') ? Identity.email(identityName) : Identity.domain(identityName),
    });

    // --- Functions -----------------------------------------------------------------------------
    const environment: Record<string, string> = {
      TABLE_NAME: this.table.tableName,
      BUCKET_NAME: this.bucket.bucketName,
      ORGS: config.orgs.join(','),
      GITHUB_API_URL: config.githubApiUrl,
      // The credentials secret holds a token, or with githubApp the App's private key.
      ...(config.githubApp === undefined
        ? { GITHUB_TOKEN_SECRET_ARN: this.githubTokenSecret.secretArn }
        : {
            GITHUB_APP_ID: String(config.githubApp.appId),
            ...(config.githubApp.installationId === undefined
              ? {}
              : { GITHUB_APP_INSTALLATION_ID: String(config.githubApp.installationId) }),
            GITHUB_APP_PRIVATE_KEY_SECRET_ARN: this.githubTokenSecret.secretArn,
          }),
      WEBHOOK_SECRET_ARN: this.webhookSecret.secretArn,
      REPORT_FROM: config.report.from,
      REPORT_TO: config.report.to.join(','),
      TIME_ZONE: config.timeZone,
      POWERTOOLS_SERVICE_NAME: 'alert-ledger',
      ...(config.enterprise === undefined ? {} : { GITHUB_ENTERPRISE: config.enterprise }),
      ...(config.slaPolicy === undefined ? {} : { SLA_POLICY: JSON.stringify(config.slaPolicy) }),
      ...(config.teams === undefined ? {} : { TEAMS: JSON.stringify(config.teams) }),
    };
    const logRetention = config.logRetentionDays as RetentionDays;

    const snapshotFn = new LedgerFunction(this, 'Snapshot', {
      projectRoot,
      entry: 'functions/snapshot/handler.ts',
      description: 'alert-ledger: snapshot GitHub security alerts into DynamoDB',
      memorySize: 1024,
      timeout: Duration.minutes(15),
      environment,
      logRetention,
    });
    const snapshot = snapshotFn.function;

    const report = new LedgerFunction(this, 'Report', {
      projectRoot,
      entry: 'functions/report/handler.ts',
      description: 'alert-ledger: render the period report (PDF, JSON, CSV) to S3 and email it',
      // @sparticuz/chromium ships an x86_64 Chromium only.
      architecture: Architecture.X86_64,
      // Measured (test/bench/results/pdf.json): a 10,000-transition PDF peaks at 1.0 GB (Chromium
      // and Node) and takes 8 s here; 4 GB buys the CPU that comes with it and headroom for larger
      // periods. Each team scope renders its own PDF in the same invocation, so the timeout is
      // Lambda's maximum.
      memorySize: 4096,
      timeout: Duration.minutes(15),
      environment: { ...environment, ALERT_LEDGER_TEMPLATES_DIR: LAMBDA_TEMPLATES_DIR },
      logRetention,
      // Loads its brotli-compressed Chromium from its own folder: install it, do not bundle it.
      nodeModules: ['@sparticuz/chromium'],
      copyIntoBundle: ['templates'],
    }).function;

    const webhookFn = new LedgerFunction(this, 'Webhook', {
      projectRoot,
      entry: 'functions/webhook/handler.ts',
      description: 'alert-ledger: receive GitHub security alert webhooks (signature checked)',
      memorySize: 512,
      // GitHub waits 10 s for a 2xx.
      timeout: Duration.seconds(10),
      environment,
      logRetention,
      reservedConcurrentExecutions: config.webhook.reservedConcurrency ?? undefined,
    });
    const webhook = webhookFn.function;

    this.functions = { snapshot, report, webhook };

    // --- Grants (least privilege) --------------------------------------------------------------
    // The table's items, for every function; the open-alerts index, for the report only (the
    // one reader of the open backlog). Named actions and the index by name: no wildcard.
    for (const fn of [snapshot, report, webhook]) {
      fn.addToRolePolicy(
        new PolicyStatement({
          sid: 'TableItems',
          actions: [...TABLE_ACTIONS],
          resources: [
            this.table.tableArn,
            ...(fn === report ? [`${this.table.tableArn}/index/${OPEN_ALERTS_INDEX}`] : []),
          ],
        }),
      );
    }
    this.githubTokenSecret.grantRead(snapshot);
    this.webhookSecret.grantRead(webhook);
    report.addToRolePolicy(
      new PolicyStatement({
        sid: 'ReportObjects',
        // PutObject issues reports; GetObject lets the function check an issued report and presign
        // download links in the email.
        actions: ['s3:PutObject', 's3:GetObject'],
        resources: [this.bucket.arnForObjects(`${REPORTS_PREFIX}*`)],
      }),
    );
    report.addToRolePolicy(
      new PolicyStatement({
        sid: 'ReportListing',
        // Without ListBucket a missing object reads as 403 instead of 404.
        actions: ['s3:ListBucket'],
        resources: [this.bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${REPORTS_PREFIX}*`] } },
      }),
    );
    this.senderIdentity.grantSendEmail(report);
    if (reportsBucket.linkSigner) this.addLinkSigner(report);
    Validations.of(report.role as Role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${this.getLogicalId(this.bucket.node.defaultChild as CfnElement)}.Arn>/${REPORTS_PREFIX}*]`,
      reason: `Reports are objects under ${REPORTS_PREFIX} of this one bucket, one key per org, period and file; the prefix is the narrowest fixed scope.`,
    });

    this.webhookUrl = webhook.addFunctionUrl({ authType: FunctionUrlAuthType.NONE });
    // (AwsSolutions has no rule on Function URL auth; recorded here for the reviewer: auth NONE
    // because GitHub cannot sign AWS SigV4. Each delivery is authenticated by its
    // X-Hub-Signature-256 HMAC, checked before anything is parsed or stored, and reserved
    // concurrency bounds what a flood can cost.)

    // --- Schedules -----------------------------------------------------------------------------
    // One queue for runs that failed: invocations Scheduler could not make, and (since Scheduler
    // invokes Lambda asynchronously) handler errors after Lambda's own retries.
    this.failureQueue = new Queue(this, 'FailedRunsQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.failureQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is the dead-letter destination itself (Scheduler DeadLetterConfig, Lambda OnFailure); a DLQ of the DLQ would only move the problem. A message in it raises the FailedRunsQueueNotEmpty alarm.',
    });
    snapshot.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: Duration.hours(1),
      onFailure: new SqsDestination(this.failureQueue),
    });
    report.configureAsyncInvoke({
      // One retry: it carries the same invocationId, so it reuses what the first attempt issued
      // (and emails nothing twice); a report that fails twice needs a look, not more attempts.
      retryAttempts: 1,
      maxEventAge: Duration.hours(6),
      onFailure: new SqsDestination(this.failureQueue),
    });

    // --- Snapshot fan-out: one run per organisation ----------------------------------------------
    this.snapshotRuns = new SnapshotFanOut(this, 'SnapshotRuns', {
      snapshotFunction: snapshot,
      orgs: config.orgs,
      enterprise: config.enterprise,
      maxConcurrency: config.snapshotRuns.maxConcurrency,
      maxInvocations: config.snapshotRuns.maxInvocations,
      logRetention,
    });

    // One role for the schedules: start the snapshot state machine, invoke the report function,
    // send what fails to the failure queue. Only this account's Scheduler may assume it.
    this.schedulerRole = new Role(this, 'SchedulerRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
      description: 'alert-ledger: EventBridge Scheduler starts the snapshot runs and the report',
    });
    Validations.of(this.schedulerRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${this.getLogicalId(report.node.defaultChild as CfnElement)}.Arn>:*]`,
      reason:
        'The Scheduler Lambda target grants lambda:InvokeFunction on the report function and its versions/aliases (ARN:*); it is still that one function.',
    });

    const timeZone = TimeZone.of(config.timeZone);
    const expression = (text: string): ScheduleExpression =>
      text.startsWith('cron(')
        ? ScheduleExpression.expression(text, timeZone)
        : ScheduleExpression.expression(text);
    const targetProps = (input: Record<string, string>) => ({
      input: ScheduleTargetInput.fromObject(input),
      role: this.schedulerRole,
      deadLetterQueue: this.failureQueue,
      retryAttempts: config.schedules.retryAttempts,
      maxEventAge: Duration.minutes(config.schedules.maxEventAgeMinutes),
    });
    const snapshotRun = (mode: 'incremental' | 'full'): StepFunctionsStartExecution =>
      new StepFunctionsStartExecution(this.snapshotRuns.stateMachine, targetProps({ mode }));

    this.schedules = {
      snapshotIncremental: new Schedule(this, 'SnapshotIncrementalSchedule', {
        description: 'alert-ledger: incremental snapshot of every configured org (one run each)',
        schedule: expression(config.schedules.snapshotIncremental),
        target: snapshotRun('incremental'),
        enabled: config.schedules.enabled,
      }),
      snapshotFull: new Schedule(this, 'SnapshotFullSchedule', {
        description: 'alert-ledger: full reconciliation snapshot (finds alerts no longer reported)',
        schedule: expression(config.schedules.snapshotFull),
        target: snapshotRun('full'),
        enabled: config.schedules.enabled,
      }),
      report: new Schedule(this, 'ReportSchedule', {
        description: 'alert-ledger: weekly report of the last complete week',
        schedule: expression(config.schedules.report),
        // The scheduled time names one scheduled run on every attempt (Scheduler's execution id is
        // new for each attempt): the handler reuses the reports that run already issued and sends
        // no email twice. `now` pinned to it keeps a late retry on the same period.
        target: new LambdaInvoke(
          report,
          targetProps({ invocationId: ContextAttribute.scheduledTime, now: ContextAttribute.scheduledTime }),
        ),
        enabled: config.schedules.enabled,
      }),
    };

    // --- Operators' alarms ----------------------------------------------------------------------
    this.alarms = new OperatorAlarms(this, 'Alarms', {
      functions: this.functions,
      logGroups: { snapshot: snapshotFn.logGroup, webhook: webhookFn.logGroup },
      failureQueue: this.failureQueue,
      snapshotRuns: this.snapshotRuns.stateMachine,
      email: config.alarmEmail,
    });

    // --- Outputs -------------------------------------------------------------------------------
    new CfnOutput(this, 'WebhookUrl', {
      description: 'Payload URL for the GitHub organisation webhooks',
      value: this.webhookUrl.url,
    });
    new CfnOutput(this, 'ReportsBucketName', { value: this.bucket.bucketName });
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    new CfnOutput(this, 'GitHubTokenSecretArn', {
      description:
        'Put the GitHub token (or, with githubApp, the App private key) here: aws secretsmanager put-secret-value --secret-id ARN --secret-string ...',
      value: this.githubTokenSecret.secretArn,
    });
    new CfnOutput(this, 'WebhookSecretArn', { value: this.webhookSecret.secretArn });
    new CfnOutput(this, 'ReportFunctionName', {
      description:
        'Issue a report now: aws lambda invoke --function-name NAME --payload \'{"period":"2026-W46"}\'',
      value: report.functionName,
    });
    new CfnOutput(this, 'SnapshotFunctionName', { value: snapshot.functionName });
    new CfnOutput(this, 'WebhookFunctionName', { value: webhook.functionName });
    new CfnOutput(this, 'AlarmTopicArn', {
      description:
        'SNS topic of the operator alarms; subscribe with aws sns subscribe --topic-arn ARN --protocol email --notification-endpoint ADDRESS',
      value: this.alarms.topic.topicArn,
    });
    new CfnOutput(this, 'SnapshotStateMachineArn', {
      description:
        'Snapshot fan-out; run one now with aws stepfunctions start-execution --state-machine-arn ARN --input \'{"mode":"full"}\'',
      value: this.snapshotRuns.stateMachine.stateMachineArn,
    });
    new CfnOutput(this, 'SenderIdentityName', {
      description:
        'SES identity reports are sent as; verify it (and leave the SES sandbox) before the first report',
      value: this.senderIdentity.emailIdentityName,
    });
    new CfnOutput(this, 'HowToSubscribeGitHub', {
      description: 'How to subscribe each GitHub organisation to the webhook',
      value: Fn.join('', [
        `For each org (${config.orgs.join(', ')}): Settings > Webhooks > Add webhook. `,
        'Payload URL: ',
        this.webhookUrl.url,
        ' | Content type: application/json | Secret: the output of `aws secretsmanager get-secret-value --secret-id ',
        this.webhookSecret.secretArn,
        ' --query SecretString --output text` | SSL verification: enabled',
        ` | Let me select individual events: ${WEBHOOK_EVENTS.join(', ')} | Active: yes.`,
      ]),
    });
  }

  /**
   * An IAM user that can only read reports, and its access key in Secrets Manager: the report
   * function signs the emailed PDF links with it, so that they work up to 7 days (links signed
   * with the function's temporary credentials stop working with them, within hours).
   */
  private addLinkSigner(report: NodejsFunction): void {
    const user = new User(this, 'ReportLinkSigner');
    user.addToPolicy(
      new PolicyStatement({
        sid: 'ReadReports',
        actions: ['s3:GetObject'],
        resources: [this.bucket.arnForObjects(`${REPORTS_PREFIX}*`)],
      }),
    );
    const key = new AccessKey(this, 'ReportLinkSignerKey', { user });
    const secret = new Secret(this, 'ReportLinkSignerSecret', {
      description: 'alert-ledger: access key of ReportLinkSigner, which signs the emailed report links',
      secretObjectValue: {
        accessKeyId: SecretValue.unsafePlainText(key.accessKeyId),
        secretAccessKey: key.secretAccessKey,
      },
    });
    secret.grantRead(report);
    report.addEnvironment('REPORT_LINK_SIGNER_SECRET_ARN', secret.secretArn);
    Validations.of(user).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${this.getLogicalId(this.bucket.node.defaultChild as CfnElement)}.Arn>/${REPORTS_PREFIX}*]`,
      reason: `The signer may read report objects under ${REPORTS_PREFIX} of this one bucket and nothing else; the prefix is the narrowest fixed scope for links to any report.`,
    });
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'An IAM access key cannot be rotated by a Secrets Manager rotation without a rotation Lambda of its own; rotate it by replacing ReportLinkSignerKey (cdk deploy), as the README says.',
    });
  }
}
