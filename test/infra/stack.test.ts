import { type CfnElement, type Stack, Token } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AlertLedgerConfigInput, parseConfig } from '../../infra/config.ts';
import { AlertLedgerStack } from '../../infra/stack.ts';
import { CDK_JSON_CONTEXT, TempDirs } from './helpers.ts';

type Json = Record<string, unknown>;
interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Json;
  Sid?: string;
}

const temp = new TempDirs();
afterAll(() => temp.removeAll());

/** Synthesizes the stack from cdk.json's context (feature flags and example config), without bundling. */
function synth(overrides: Partial<AlertLedgerConfigInput> = {}): {
  stack: AlertLedgerStack;
  template: Template;
} {
  const app = temp.app(CDK_JSON_CONTEXT);
  const base = CDK_JSON_CONTEXT.alertLedger as AlertLedgerConfigInput;
  const config = parseConfig({ ...base, ...overrides }, 'test');
  const stack = new AlertLedgerStack(app, 'Test', { config });
  return { stack, template: Template.fromStack(stack) };
}

/** Logical id of the CloudFormation resource behind an L2 construct. */
const logicalId = (stack: Stack, construct: IConstruct): string =>
  stack.getLogicalId(construct.node.defaultChild as CfnElement);

const actionsOf = (s: Statement): string[] => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const resourcesOf = (s: Statement): unknown[] => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]);

let stack: AlertLedgerStack;
let template: Template;
let resources: Record<
  string,
  { Type: string; Properties: Json; DeletionPolicy?: string; UpdateReplacePolicy?: string }
>;

/** One stack with every non-default option, so the variants cost a single extra synth. */
let variant: { stack: AlertLedgerStack; template: Template };

beforeAll(() => {
  ({ stack, template } = synth());
  resources = template.toJSON().Resources;
  variant = synth({
    timeZone: 'Europe/Berlin',
    report: { from: 'ledger@example.com', to: ['a@example.com'], senderIdentity: 'example.com' },
    schedules: { enabled: false },
    webhook: { reservedConcurrency: 5 },
    table: { deletionProtection: false },
    slaPolicy: { critical: 7 },
    teams: { checkout: ['octo-demo/payments'] },
    githubApp: { appId: 123456, installationId: 7890123 },
    reportsBucket: { retentionDays: 2555, objectLock: { mode: 'COMPLIANCE', days: 2555 }, linkSigner: true },
  });
});

/** Properties of the resource with this logical id in the default template. */
function propsOf(id: string): Json {
  const resource = resources[id];
  if (resource === undefined) throw new Error(`no resource ${id}`);
  return resource.Properties;
}

/** Every statement of the inline policies attached to the role of `fn`. */
function statementsOf(fn: 'snapshot' | 'report' | 'webhook'): Statement[] {
  const role = stack.functions[fn].role;
  if (role === undefined) throw new Error(`${fn} has no role`);
  const roleId = logicalId(stack, role);
  const statements: Statement[] = [];
  for (const r of Object.values(resources)) {
    if (r.Type !== 'AWS::IAM::Policy') continue;
    const roles = r.Properties.Roles as unknown[];
    if (!roles.some((x) => JSON.stringify(x) === JSON.stringify({ Ref: roleId }))) continue;
    statements.push(
      ...((r.Properties.PolicyDocument as { Statement: Statement[] }).Statement as Statement[]),
    );
  }
  return statements;
}

describe('DynamoDB table', () => {
  it('has pk/sk string keys, on-demand billing, PITR, TTL, AWS-managed encryption, deletion protection', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
          { AttributeName: 'openOrg', AttributeType: 'S' },
        ],
        // The index the report reads the open backlog and the recently closed alerts from
        // (functions/store/table-schema.ts).
        GlobalSecondaryIndexes: [
          {
            IndexName: 'open-alerts',
            KeySchema: [
              { AttributeName: 'openOrg', KeyType: 'HASH' },
              { AttributeName: 'sk', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        SSESpecification: { SSEEnabled: true, KMSMasterKeyId: Match.absent() },
        DeletionProtectionEnabled: true,
      },
    });
  });

  it('turns deletion protection off when configured', () => {
    variant.template.hasResourceProperties('AWS::DynamoDB::Table', { DeletionProtectionEnabled: false });
  });
});

describe('reports bucket, configured', () => {
  it('keeps reports write-once for the configured days and lets them expire after the retention', () => {
    variant.template.hasResourceProperties('AWS::S3::Bucket', {
      ObjectLockEnabled: true,
      ObjectLockConfiguration: {
        ObjectLockEnabled: 'Enabled',
        Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 2555 } },
      },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({
            Id: 'expire-reports',
            Prefix: 'reports/',
            ExpirationInDays: 2555,
            NoncurrentVersionExpiration: { NoncurrentDays: 2555 },
            Status: 'Enabled',
          }),
        ]),
      },
    });
  });

  it('has neither by default: reports are kept, not locked', () => {
    const buckets = Object.values(template.findResources('AWS::S3::Bucket')).map(
      (r) => r.Properties as Record<string, unknown>,
    );
    expect(buckets.some((b) => 'ObjectLockConfiguration' in b)).toBe(false);
    expect(JSON.stringify(buckets)).not.toContain('expire-reports');
  });
});

describe('reports bucket', () => {
  it('blocks public access, encrypts with S3 keys, is versioned and retained', () => {
    // The reports bucket and its access-log bucket.
    template.resourceCountIs('AWS::S3::Bucket', 2);
    expect(resources[logicalId(stack, stack.bucket)]).toMatchObject({
      Type: 'AWS::S3::Bucket',
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        VersioningConfiguration: { Status: 'Enabled' },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      },
    });
  });

  it('logs every request to the reports into the access-log bucket, kept a year', () => {
    const logsId = logicalId(stack, stack.accessLogsBucket);
    expect(propsOf(logicalId(stack, stack.bucket)).LoggingConfiguration).toEqual({
      DestinationBucketName: { Ref: logsId },
      LogFilePrefix: 'reports-bucket/',
    });
    expect(resources[logsId]).toMatchObject({
      DeletionPolicy: 'Retain',
      Properties: {
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        LifecycleConfiguration: { Rules: [{ ExpirationInDays: 365, Status: 'Enabled' }] },
      },
    });
    // Delivered by the S3 logging service under a bucket policy (no ACLs), only from the reports bucket.
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: logsId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Action: 's3:PutObject',
            Principal: { Service: 'logging.s3.amazonaws.com' },
            Condition: Match.objectLike({
              ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [logicalId(stack, stack.bucket), 'Arn'] } },
            }),
          }),
        ]),
      },
    });
  });

  it('denies every request that is not over TLS, on both buckets', () => {
    for (const bucket of [stack.bucket, stack.accessLogsBucket]) {
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: logicalId(stack, bucket) },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 's3:*',
              Principal: { AWS: '*' },
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    }
  });
});

describe('functions', () => {
  it('are three Node.js 22 ESM functions with JSON logs, X-Ray and a one-month log group', () => {
    template.resourceCountIs('AWS::Lambda::Function', 3);
    for (const fn of Object.values(stack.functions)) {
      const props = propsOf(logicalId(stack, fn));
      expect(props).toMatchObject({
        Runtime: 'nodejs22.x',
        Handler: 'index.handler',
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: expect.any(String) } },
      });
      const logGroupId = (props.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
      expect(resources[logGroupId]).toMatchObject({
        Type: 'AWS::Logs::LogGroup',
        Properties: { RetentionInDays: 30 },
      });
    }
  });

  it('get the configuration through the environment', () => {
    const tableRef = { Ref: logicalId(stack, stack.table) };
    const bucketRef = { Ref: logicalId(stack, stack.bucket) };
    for (const fn of Object.values(stack.functions)) {
      const env = (propsOf(logicalId(stack, fn)).Environment as { Variables: Json }).Variables;
      expect(env).toMatchObject({
        TABLE_NAME: tableRef,
        BUCKET_NAME: bucketRef,
        ORGS: 'octo-demo',
        GITHUB_API_URL: 'https://api.github.com',
        GITHUB_TOKEN_SECRET_ARN: { Ref: logicalId(stack, stack.githubTokenSecret) },
        WEBHOOK_SECRET_ARN: { Ref: logicalId(stack, stack.webhookSecret) },
        REPORT_FROM: 'alert-ledger@example.com',
        REPORT_TO: 'security-audit@example.com',
        TIME_ZONE: 'UTC',
        NODE_OPTIONS: '--enable-source-maps',
      });
    }
  });

  it('authenticate as a GitHub App when configured, with its private key in the same secret', () => {
    for (const f of Object.values(variant.template.findResources('AWS::Lambda::Function'))) {
      const env = (f.Properties as { Environment: { Variables: Json } }).Environment.Variables;
      expect(env).toMatchObject({
        GITHUB_APP_ID: '123456',
        GITHUB_APP_INSTALLATION_ID: '7890123',
        GITHUB_APP_PRIVATE_KEY_SECRET_ARN: { Ref: logicalId(variant.stack, variant.stack.githubTokenSecret) },
      });
      // A token secret would win over the App (functions/runtime/clients.ts): it must not be set.
      expect(env.GITHUB_TOKEN_SECRET_ARN).toBeUndefined();
    }
  });

  it('sign emailed links with a read-only user when linkSigner is set, and have no IAM user otherwise', () => {
    template.resourceCountIs('AWS::IAM::User', 0);
    template.resourceCountIs('AWS::IAM::AccessKey', 0);
    variant.template.resourceCountIs('AWS::IAM::User', 1);
    variant.template.resourceCountIs('AWS::IAM::AccessKey', 1);
    // The user may read report objects and do nothing else.
    const policies = Object.values(variant.template.findResources('AWS::IAM::Policy')).filter((p) =>
      JSON.stringify(p.Properties.Users ?? []).includes('ReportLinkSigner'),
    );
    expect(policies).toHaveLength(1);
    const [policy] = policies;
    if (!policy) throw new Error('no policy for the signer');
    const statements = (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement;
    expect(statements.map((st) => [st.Sid, st.Action, st.Effect])).toEqual([
      ['ReadReports', 's3:GetObject', 'Allow'],
    ]);
    expect(JSON.stringify(statements[0]?.Resource)).toContain('/reports/*');
    // Its key lives in a secret only the report function reads, named by its environment.
    const secrets = variant.template.findResources('AWS::SecretsManager::Secret');
    const signer = Object.entries(secrets).find(([id]) => id.startsWith('ReportLinkSignerSecret'));
    expect(signer).toBeDefined();
    const reportEnv = (
      propsOf(logicalId(stack, stack.functions.report)) as { Environment: { Variables: Json } }
    ).Environment.Variables;
    expect(reportEnv.REPORT_LINK_SIGNER_SECRET_ARN).toBeUndefined();
    const variantReport =
      variant.template.toJSON().Resources[logicalId(variant.stack, variant.stack.functions.report)];
    expect(variantReport.Properties.Environment.Variables.REPORT_LINK_SIGNER_SECRET_ARN).toEqual({
      Ref: signer?.[0],
    });
    for (const fn of ['snapshot', 'webhook'] as const) {
      const other =
        variant.template.toJSON().Resources[logicalId(variant.stack, variant.stack.functions[fn])];
      expect(other.Properties.Environment.Variables.REPORT_LINK_SIGNER_SECRET_ARN, fn).toBeUndefined();
    }
  });

  it('size each function for its job', () => {
    const props = (fn: 'snapshot' | 'report' | 'webhook') => propsOf(logicalId(stack, stack.functions[fn]));
    expect(props('snapshot')).toMatchObject({ Timeout: 900, MemorySize: 1024, Architectures: ['arm64'] });
    expect(props('webhook')).toMatchObject({
      Timeout: 10,
      MemorySize: 512,
      Architectures: ['arm64'],
      ReservedConcurrentExecutions: 10,
    });
    const report = props('report');
    // The PDF benchmark's 10,000-transition report peaks at 2.7 GB.
    expect(report).toMatchObject({ Timeout: 900, MemorySize: 4096, Architectures: ['x86_64'] });
    expect((report.Environment as { Variables: Json }).Variables.ALERT_LEDGER_TEMPLATES_DIR).toBe(
      '/var/task/templates',
    );
  });

  it('reserve webhook concurrency as configured, or none', () => {
    const webhookProps = (s: AlertLedgerStack, t: Template) =>
      t.toJSON().Resources[logicalId(s, s.functions.webhook)].Properties as Json;
    expect(webhookProps(variant.stack, variant.template).ReservedConcurrentExecutions).toBe(5);
    const none = synth({ webhook: { reservedConcurrency: null } });
    expect(webhookProps(none.stack, none.template).ReservedConcurrentExecutions).toBeUndefined();
  });

  it('expose the webhook through a Function URL without IAM auth', () => {
    template.resourceCountIs('AWS::Lambda::Url', 1);
    template.hasResourceProperties('AWS::Lambda::Url', {
      AuthType: 'NONE',
      TargetFunctionArn: { 'Fn::GetAtt': [logicalId(stack, stack.functions.webhook), 'Arn'] },
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunctionUrl',
      FunctionUrlAuthType: 'NONE',
      Principal: '*',
      FunctionName: { 'Fn::GetAtt': [logicalId(stack, stack.functions.webhook), 'Arn'] },
    });
  });
});

describe('IAM', () => {
  const tableArn = () => ({ 'Fn::GetAtt': [logicalId(stack, stack.table), 'Arn'] });
  const bucketArn = () => ({ 'Fn::GetAtt': [logicalId(stack, stack.bucket), 'Arn'] });

  it('never grants a wildcard action', () => {
    for (const fn of ['snapshot', 'report', 'webhook'] as const) {
      const actions = statementsOf(fn).flatMap(actionsOf);
      expect(actions.length).toBeGreaterThan(0);
      for (const action of actions) expect(action, `${fn}: ${action}`).not.toMatch(/(^\*$|:\*$)/);
    }
  });

  it('allows "*" resources only for X-Ray, which has no resource-level permissions', () => {
    for (const fn of ['snapshot', 'report', 'webhook'] as const) {
      for (const s of statementsOf(fn)) {
        if (resourcesOf(s).includes('*')) {
          expect(actionsOf(s).sort()).toEqual(['xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
        }
      }
    }
  });

  it('scopes DynamoDB access to the table, and the open-alerts index to the report function', () => {
    for (const fn of ['snapshot', 'report', 'webhook'] as const) {
      const dynamo = statementsOf(fn).filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));
      expect(dynamo).toHaveLength(1);
      // The table; the report also queries the open-alerts index, by name. No index/* wildcard.
      expect(resourcesOf(dynamo[0] as Statement)).toEqual(
        fn === 'report'
          ? [tableArn(), { 'Fn::Join': ['', [tableArn(), '/index/open-alerts']] }]
          : [tableArn()],
      );
      // The data-plane calls the store makes, and nothing else (no Scan, DescribeTable, streams).
      expect(actionsOf(dynamo[0] as Statement).sort()).toEqual([
        'dynamodb:BatchGetItem',
        'dynamodb:BatchWriteItem',
        'dynamodb:DeleteItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        'dynamodb:UpdateItem',
      ]);
    }
  });

  it('creates the token secret blank and the webhook secret generated', () => {
    const token = propsOf(logicalId(stack, stack.githubTokenSecret));
    expect(token.SecretString).toBe(' ');
    expect(token.GenerateSecretString).toBeUndefined();
    expect(propsOf(logicalId(stack, stack.webhookSecret))).toMatchObject({
      GenerateSecretString: { PasswordLength: 40, ExcludePunctuation: true },
    });
  });

  it('gives each function only the secret it needs', () => {
    const secretRefs = (fn: 'snapshot' | 'report' | 'webhook') =>
      statementsOf(fn)
        .filter((s) => actionsOf(s).some((a) => a.startsWith('secretsmanager:')))
        .flatMap(resourcesOf);
    expect(secretRefs('snapshot')).toEqual([{ Ref: logicalId(stack, stack.githubTokenSecret) }]);
    expect(secretRefs('webhook')).toEqual([{ Ref: logicalId(stack, stack.webhookSecret) }]);
    expect(secretRefs('report')).toEqual([]);
    for (const fn of ['snapshot', 'webhook'] as const) {
      const actions = statementsOf(fn)
        .flatMap(actionsOf)
        .filter((a) => a.startsWith('secretsmanager:'));
      expect(actions.sort()).toEqual(['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue']);
    }
  });

  it('lets only the report function touch S3, and only under reports/', () => {
    for (const fn of ['snapshot', 'webhook'] as const) {
      expect(
        statementsOf(fn)
          .flatMap(actionsOf)
          .filter((a) => a.startsWith('s3:') || a.startsWith('ses:')),
      ).toEqual([]);
    }
    const s3 = statementsOf('report').filter((s) => actionsOf(s).some((a) => a.startsWith('s3:')));
    expect(s3).toHaveLength(2);
    const objects = s3.find((s) => s.Sid === 'ReportObjects');
    expect(objects && actionsOf(objects).sort()).toEqual(['s3:GetObject', 's3:PutObject']);
    expect(objects && resourcesOf(objects)).toEqual([{ 'Fn::Join': ['', [bucketArn(), '/reports/*']] }]);
    const listing = s3.find((s) => s.Sid === 'ReportListing');
    expect(listing && actionsOf(listing)).toEqual(['s3:ListBucket']);
    expect(listing && resourcesOf(listing)).toEqual([bucketArn()]);
    expect(listing?.Condition).toEqual({ StringLike: { 's3:prefix': ['reports/*'] } });
  });

  it('lets the report function send mail only as the sender identity', () => {
    const ses = statementsOf('report').filter((s) => actionsOf(s).some((a) => a.startsWith('ses:')));
    expect(ses).toHaveLength(1);
    const statement = ses[0] as Statement;
    expect(actionsOf(statement).sort()).toEqual(['ses:SendEmail', 'ses:SendRawEmail']);
    expect(resourcesOf(statement)).toEqual([
      {
        'Fn::Join': [
          '',
          [
            'arn:',
            { Ref: 'AWS::Partition' },
            ':ses:',
            { Ref: 'AWS::Region' },
            ':',
            { Ref: 'AWS::AccountId' },
            ':identity/',
            { Ref: logicalId(stack, stack.senderIdentity) },
          ],
        ],
      },
    ]);
    template.hasResourceProperties('AWS::SES::EmailIdentity', { EmailIdentity: 'alert-ledger@example.com' });
  });

  it('creates a domain identity when senderIdentity is a domain', () => {
    variant.template.hasResourceProperties('AWS::SES::EmailIdentity', { EmailIdentity: 'example.com' });
  });

  it('attaches no managed policy: each function writes only to its own log group', () => {
    for (const name of ['snapshot', 'report', 'webhook'] as const) {
      const fn = stack.functions[name];
      if (fn.role === undefined) throw new Error('function without role');
      const role = propsOf(logicalId(stack, fn.role));
      expect(role.ManagedPolicyArns).toBeUndefined();
      expect(role.AssumeRolePolicyDocument).toMatchObject({
        Statement: [{ Action: 'sts:AssumeRole', Principal: { Service: 'lambda.amazonaws.com' } }],
      });
      const logGroupRef = (propsOf(logicalId(stack, fn)).LoggingConfig as { LogGroup: { Ref: string } })
        .LogGroup.Ref;
      const logs = statementsOf(name).filter((s) => actionsOf(s).some((a) => a.startsWith('logs:')));
      expect(logs).toHaveLength(1);
      expect(actionsOf(logs[0] as Statement).sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
      expect(resourcesOf(logs[0] as Statement)).toEqual([{ 'Fn::GetAtt': [logGroupRef, 'Arn'] }]);
    }
    // No role of the stack uses an AWS-managed policy.
    for (const r of Object.values(resources)) {
      if (r.Type === 'AWS::IAM::Role') expect(r.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });
});

describe('schedules', () => {
  const schedules = () =>
    Object.values(resources)
      .filter((r) => r.Type === 'AWS::Scheduler::Schedule')
      .map(
        (r) =>
          r.Properties as {
            ScheduleExpression: string;
            ScheduleExpressionTimezone?: string;
            State: string;
            Target: Json;
          },
      );

  it('start the snapshot runs hourly (incremental) and on Sunday 23:00 (full), the report on Monday 07:00', () => {
    const dlqArn = { 'Fn::GetAtt': [logicalId(stack, stack.failureQueue), 'Arn'] };
    const roleArn = { 'Fn::GetAtt': [logicalId(stack, stack.schedulerRole), 'Arn'] };
    const byExpression = new Map(schedules().map((s) => [s.ScheduleExpression, s]));
    expect([...byExpression.keys()].sort()).toEqual([
      'cron(0 23 ? * SUN *)',
      'cron(0 7 ? * MON *)',
      'rate(1 hour)',
    ]);
    // The snapshot schedules start the fan-out state machine, never the function directly.
    const stateMachineArn = { Ref: logicalId(stack, stack.snapshotRuns.stateMachine) };
    const reportArn = { 'Fn::GetAtt': [logicalId(stack, stack.functions.report), 'Arn'] };
    const expected: [string, Json, string, string][] = [
      // The L2 always sets a zone (Etc/UTC by default); rate() ignores it.
      ['rate(1 hour)', stateMachineArn, '{"mode":"incremental"}', 'Etc/UTC'],
      ['cron(0 23 ? * SUN *)', stateMachineArn, '{"mode":"full"}', 'UTC'],
      // Retry-safe: the same id on every retry of one run (functions/runtime/inputs.ts invocationId).
      [
        'cron(0 7 ? * MON *)',
        reportArn,
        '{"invocationId":"<aws.scheduler.scheduled-time>","now":"<aws.scheduler.scheduled-time>"}',
        'UTC',
      ],
    ];
    for (const [expression, arn, input, zone] of expected) {
      const s = byExpression.get(expression);
      expect(s?.State).toBe('ENABLED');
      expect(s?.ScheduleExpressionTimezone).toBe(zone);
      expect(s?.Target).toMatchObject({
        Arn: arn,
        Input: input,
        RoleArn: roleArn,
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
        DeadLetterConfig: { Arn: dlqArn },
      });
    }
  });

  it('run with one role that may only start the state machine, invoke the report and use the failure queue', () => {
    const role = propsOf(logicalId(stack, stack.schedulerRole));
    expect(role.AssumeRolePolicyDocument).toMatchObject({
      Statement: [
        {
          Action: 'sts:AssumeRole',
          Principal: { Service: 'scheduler.amazonaws.com' },
          Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
        },
      ],
    });
    const statements = Object.values(resources)
      .filter(
        (r) =>
          r.Type === 'AWS::IAM::Policy' &&
          JSON.stringify(r.Properties.Roles) ===
            JSON.stringify([{ Ref: logicalId(stack, stack.schedulerRole) }]),
      )
      .flatMap((r) => (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
    const reportArn = { 'Fn::GetAtt': [logicalId(stack, stack.functions.report), 'Arn'] };
    expect(statements.map((s) => ({ actions: actionsOf(s).sort(), resources: resourcesOf(s) }))).toEqual(
      expect.arrayContaining([
        {
          actions: ['states:StartExecution'],
          resources: [{ Ref: logicalId(stack, stack.snapshotRuns.stateMachine) }],
        },
        {
          actions: ['sqs:SendMessage'],
          resources: [{ 'Fn::GetAtt': [logicalId(stack, stack.failureQueue), 'Arn'] }],
        },
        {
          actions: ['lambda:InvokeFunction'],
          resources: [reportArn, { 'Fn::Join': ['', [reportArn, ':*']] }],
        },
      ]),
    );
    expect(statements).toHaveLength(3);
  });

  it('follow the configured time zone and can be created disabled', () => {
    const t = variant.template;
    const props = Object.values(t.findResources('AWS::Scheduler::Schedule')).map(
      (r) =>
        r.Properties as { ScheduleExpression: string; ScheduleExpressionTimezone?: string; State: string },
    );
    expect(props.map((p) => p.State)).toEqual(['DISABLED', 'DISABLED', 'DISABLED']);
    for (const p of props) {
      expect(p.ScheduleExpressionTimezone).toBe(
        p.ScheduleExpression.startsWith('cron(') ? 'Europe/Berlin' : 'Etc/UTC',
      );
    }
    const functions = t.findResources('AWS::Lambda::Function');
    for (const f of Object.values(functions)) {
      const variables = (f.Properties as { Environment: { Variables: Record<string, Json> } }).Environment
        .Variables;
      expect(variables.TIME_ZONE).toBe('Europe/Berlin');
      expect([variables.SLA_POLICY, variables.TEAMS]).toEqual([
        '{"critical":7}',
        '{"checkout":["octo-demo/payments"]}',
      ]);
    }
  });

  it('send failed asynchronous runs of snapshot (manual ones) and report to the failure queue', () => {
    const dlqArn = { 'Fn::GetAtt': [logicalId(stack, stack.failureQueue), 'Arn'] };
    template.resourceCountIs('AWS::Lambda::EventInvokeConfig', 2);
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: logicalId(stack, stack.functions.snapshot) },
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: dlqArn } },
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: logicalId(stack, stack.functions.report) },
      MaximumRetryAttempts: 1,
      DestinationConfig: { OnFailure: { Destination: dlqArn } },
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 1209600,
    });
  });
});

describe('outputs', () => {
  it('give the webhook URL, bucket, table and how to subscribe GitHub', () => {
    const urlAttr = { 'Fn::GetAtt': [logicalId(stack, stack.webhookUrl), 'FunctionUrl'] };
    template.hasOutput('WebhookUrl', { Value: urlAttr });
    template.hasOutput('ReportsBucketName', { Value: { Ref: logicalId(stack, stack.bucket) } });
    template.hasOutput('TableName', { Value: { Ref: logicalId(stack, stack.table) } });
    template.hasOutput('GitHubTokenSecretArn', { Value: { Ref: logicalId(stack, stack.githubTokenSecret) } });
    template.hasOutput('AlarmTopicArn', { Value: { Ref: logicalId(stack, stack.alarms.topic) } });
    template.hasOutput('ReportFunctionName', { Value: { Ref: logicalId(stack, stack.functions.report) } });
    template.hasOutput('WebhookFunctionName', { Value: { Ref: logicalId(stack, stack.functions.webhook) } });
    template.hasOutput('SnapshotFunctionName', {
      Value: { Ref: logicalId(stack, stack.functions.snapshot) },
    });
    template.hasOutput('SnapshotStateMachineArn', {
      Value: { Ref: logicalId(stack, stack.snapshotRuns.stateMachine) },
    });
    const howTo = template.findOutputs('HowToSubscribeGitHub').HowToSubscribeGitHub as {
      Value: { 'Fn::Join': [string, unknown[]] };
    };
    const parts = howTo.Value['Fn::Join'][1];
    expect(parts).toContainEqual(urlAttr);
    expect(parts).toContainEqual({ Ref: logicalId(stack, stack.webhookSecret) });
    const text = parts.filter((p): p is string => typeof p === 'string').join('');
    expect(text).toContain('For each org (octo-demo)');
    expect(text).toContain('Content type: application/json');
    expect(text).toContain('Dependabot alerts, Secret scanning alerts');
  });

  it('is env-agnostic, so synth needs no credentials', () => {
    expect(stack.environment).toBe('aws://unknown-account/unknown-region');
    expect(Token.isUnresolved(stack.account)).toBe(true);
    expect(Token.isUnresolved(stack.region)).toBe(true);
  });
});
