/**
 * The alert-ledger stack, first version: table, reports bucket, three Lambdas, secrets, SES
 * identity, schedules. Env-agnostic: `cdk synth` needs no credentials and no network.
 */
import { fileURLToPath } from 'node:url';
import {
  CfnOutput,
  Duration,
  Fn,
  RemovalPolicy,
  SecretValue,
  Stack,
  type StackProps,
  TimeZone,
} from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Architecture, type FunctionUrl, FunctionUrlAuthType } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { EmailIdentity, Identity } from 'aws-cdk-lib/aws-ses';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { OPEN_ALERTS_INDEX, OPEN_ALERTS_KEY } from '../functions/store/table-schema.ts';
import type { AlertLedgerConfig } from './config.ts';
import { LedgerFunction } from './constructs/ledger-function.ts';

/** Project root: holds package.json, package-lock.json, functions/ and templates/. */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** S3 key prefix the report function may write and read. */
export const REPORTS_PREFIX = 'reports/';

/** Where the report bundle's templates are on Lambda (copied next to index.mjs). */
export const LAMBDA_TEMPLATES_DIR = '/var/task/templates';

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
    // Sparse: only open alerts carry `openOrg`, so a report reads the open backlog, not every alert.
    this.table.addGlobalSecondaryIndex({
      indexName: OPEN_ALERTS_INDEX,
      partitionKey: { name: OPEN_ALERTS_KEY, type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      projectionType: ProjectionType.ALL,
    });

    this.bucket = new Bucket(this, 'ReportsBucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      encryption: BucketEncryption.S3_MANAGED,
      versioned: true,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
      ],
    });

    // --- Secrets and sender identity -----------------------------------------------------------
    // Created blank (one space; Secrets Manager refuses an empty string) so that, until a real
    // token is put in, the snapshot fails with "secret ... is empty: set it with put-secret-value"
    // instead of a GitHub 401 for a random placeholder. Not a secret: nothing sensitive in the template.
    this.githubTokenSecret = new Secret(this, 'GitHubTokenSecret', {
      description:
        'alert-ledger: GitHub token of the snapshot function. Put the token in with aws secretsmanager put-secret-value.',
      secretStringValue: SecretValue.unsafePlainText(BLANK_SECRET),
    });
    this.webhookSecret = new Secret(this, 'WebhookSecret', {
      description:
        'alert-ledger: GitHub webhook secret (HMAC-SHA256 key). Paste this value into the GitHub webhook.',
      generateSecretString: { passwordLength: 40, excludePunctuation: true },
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
      GITHUB_TOKEN_SECRET_ARN: this.githubTokenSecret.secretArn,
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

    const snapshot = new LedgerFunction(this, 'Snapshot', {
      projectRoot,
      entry: 'functions/snapshot/handler.ts',
      description: 'alert-ledger: snapshot GitHub security alerts into DynamoDB',
      memorySize: 1024,
      timeout: Duration.minutes(15),
      environment,
      logRetention,
    }).function;

    const report = new LedgerFunction(this, 'Report', {
      projectRoot,
      entry: 'functions/report/handler.ts',
      description: 'alert-ledger: render the period report (PDF, JSON, CSV) to S3 and email it',
      // @sparticuz/chromium ships an x86_64 Chromium only.
      architecture: Architecture.X86_64,
      memorySize: 2048,
      timeout: Duration.minutes(5),
      environment: { ...environment, ALERT_LEDGER_TEMPLATES_DIR: LAMBDA_TEMPLATES_DIR },
      logRetention,
      // Loads its brotli-compressed Chromium from its own folder: install it, do not bundle it.
      nodeModules: ['@sparticuz/chromium'],
      copyIntoBundle: ['templates'],
    }).function;

    const webhook = new LedgerFunction(this, 'Webhook', {
      projectRoot,
      entry: 'functions/webhook/handler.ts',
      description: 'alert-ledger: receive GitHub security alert webhooks (signature checked)',
      memorySize: 512,
      // GitHub waits 10 s for a 2xx.
      timeout: Duration.seconds(10),
      environment,
      logRetention,
      reservedConcurrentExecutions: config.webhook.reservedConcurrency ?? undefined,
    }).function;

    this.functions = { snapshot, report, webhook };

    // --- Grants (least privilege) --------------------------------------------------------------
    for (const fn of [snapshot, report, webhook]) this.table.grantReadWriteData(fn);
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

    this.webhookUrl = webhook.addFunctionUrl({ authType: FunctionUrlAuthType.NONE });

    // --- Schedules -----------------------------------------------------------------------------
    // One queue for runs that failed: invocations Scheduler could not make, and (since Scheduler
    // invokes Lambda asynchronously) handler errors after Lambda's own retries.
    this.failureQueue = new Queue(this, 'FailedRunsQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    snapshot.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: Duration.hours(1),
      onFailure: new SqsDestination(this.failureQueue),
    });
    report.configureAsyncInvoke({
      // One retry only: a retry after the email went out would send it twice.
      retryAttempts: 1,
      maxEventAge: Duration.hours(6),
      onFailure: new SqsDestination(this.failureQueue),
    });

    const timeZone = TimeZone.of(config.timeZone);
    const expression = (text: string): ScheduleExpression =>
      text.startsWith('cron(')
        ? ScheduleExpression.expression(text, timeZone)
        : ScheduleExpression.expression(text);
    const target = (fn: NodejsFunction, input: Record<string, string>): LambdaInvoke =>
      new LambdaInvoke(fn, {
        input: ScheduleTargetInput.fromObject(input),
        deadLetterQueue: this.failureQueue,
        retryAttempts: config.schedules.retryAttempts,
        maxEventAge: Duration.minutes(config.schedules.maxEventAgeMinutes),
      });

    this.schedules = {
      snapshotIncremental: new Schedule(this, 'SnapshotIncrementalSchedule', {
        description: 'alert-ledger: incremental snapshot of every configured org',
        schedule: expression(config.schedules.snapshotIncremental),
        target: target(snapshot, { mode: 'incremental' }),
        enabled: config.schedules.enabled,
      }),
      snapshotFull: new Schedule(this, 'SnapshotFullSchedule', {
        description: 'alert-ledger: full reconciliation snapshot (finds alerts no longer reported)',
        schedule: expression(config.schedules.snapshotFull),
        target: target(snapshot, { mode: 'full' }),
        enabled: config.schedules.enabled,
      }),
      report: new Schedule(this, 'ReportSchedule', {
        description: 'alert-ledger: weekly report of the last complete week',
        schedule: expression(config.schedules.report),
        target: target(report, {}),
        enabled: config.schedules.enabled,
      }),
    };

    // --- Outputs -------------------------------------------------------------------------------
    new CfnOutput(this, 'WebhookUrl', {
      description: 'Payload URL for the GitHub organisation webhooks',
      value: this.webhookUrl.url,
    });
    new CfnOutput(this, 'ReportsBucketName', { value: this.bucket.bucketName });
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    new CfnOutput(this, 'GitHubTokenSecretArn', {
      description:
        'Put the GitHub token here: aws secretsmanager put-secret-value --secret-id ARN --secret-string TOKEN',
      value: this.githubTokenSecret.secretArn,
    });
    new CfnOutput(this, 'WebhookSecretArn', { value: this.webhookSecret.secretArn });
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
}
