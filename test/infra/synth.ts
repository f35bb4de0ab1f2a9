/**
 * Synthesizes the stack for the infra tests: cdk.json's context (feature flags and the example
 * configuration) with overrides, bundling skipped. Each call writes into a temp dir of `temp`.
 */
import { tmpdir } from 'node:os';
import type { CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { type AlertLedgerConfigInput, parseConfig } from '../../infra/config.ts';
import { AlertLedgerStack, PROJECT_ROOT } from '../../infra/stack.ts';
import { CDK_JSON_CONTEXT, type TempDirs } from './helpers.ts';

export type Json = Record<string, unknown>;

export interface Synthesized {
  stack: AlertLedgerStack;
  template: Template;
  resources: Record<string, { Type: string; Properties: Json; DeletionPolicy?: string }>;
}

/** The example configuration of cdk.json. */
export const BASE_CONFIG = CDK_JSON_CONTEXT.alertLedger as AlertLedgerConfigInput;

export function synthStack(
  temp: TempDirs,
  config: AlertLedgerConfigInput = BASE_CONFIG,
  id = 'Test',
): Synthesized {
  const app = temp.app(CDK_JSON_CONTEXT);
  const stack = new AlertLedgerStack(app, id, { config: parseConfig(config, 'test') });
  const template = Template.fromStack(stack);
  return { stack, template, resources: template.toJSON().Resources };
}

/** Logical id of the CloudFormation resource behind an L2 construct. */
export const logicalId = (stack: Stack, construct: IConstruct): string =>
  stack.getLogicalId(construct.node.defaultChild as CfnElement);

/** How cfnText writes a reference: `${LogicalId}` or `${LogicalId.Attr}`. */
export const ref = (name: string): string => `\${${name}}`;

/**
 * Turns a CloudFormation string expression (a literal or Fn::Join of literals, Ref and GetAtt)
 * into text, writing `${Ref}` and `${Id.Attr}` for the references.
 */
export function cfnText(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as { 'Fn::Join'?: [string, unknown[]]; Ref?: string; 'Fn::GetAtt'?: [string, string] };
  if (v['Fn::Join']) return v['Fn::Join'][1].map(cfnText).join(v['Fn::Join'][0]);
  if (v.Ref) return ref(v.Ref);
  if (v['Fn::GetAtt']) return ref(v['Fn::GetAtt'].join('.'));
  throw new Error(`cannot render ${JSON.stringify(value)}`);
}

/** A SHA-256 in hex: CDK's asset hashes (S3 keys of the Lambda code, asset metadata). */
export const ASSET_HASH = /\b[0-9a-f]{64}\b/g;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The template as stable JSON text. */
export function normaliseTemplate(template: Record<string, unknown>): string {
  const copy = structuredClone(template) as {
    Resources?: Record<string, { Type: string }>;
    Conditions?: Record<string, unknown>;
  };
  // CDKMetadata carries the CDK version and the construct list (only with version reporting on).
  for (const [id, r] of Object.entries(copy.Resources ?? {})) {
    if (r.Type === 'AWS::CDK::Metadata') delete copy.Resources?.[id];
  }
  if (copy.Conditions) {
    delete copy.Conditions.CDKMetadataAvailable;
    if (Object.keys(copy.Conditions).length === 0) delete copy.Conditions;
  }
  const paths = [PROJECT_ROOT.replace(/\/+$/, ''), tmpdir()].map(
    (p) => new RegExp(`${escapeRegExp(p)}[^"]*`, 'g'),
  );
  let text = JSON.stringify(copy, null, 2).replace(ASSET_HASH, '<asset-hash>');
  for (const p of paths) text = text.replace(p, '<path>');
  return `${text}\n`;
}
