import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ORG, type DemoResult, runDemo } from '../../functions/cli/commands/demo.ts';
import { runVerifyCommand } from '../../functions/cli/commands/verify.ts';
import type { ReportJson } from '../../functions/core/report-model.ts';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

/** What `npm start` does, in a temporary data dir and output dir. */
describe('the demo, end to end on the stand-ins', () => {
  const root = mkdtempSync(join(tmpdir(), 'alert-ledger-e2e-'));
  let result: DemoResult;
  let report: ReportJson;

  beforeAll(async () => {
    result = await runDemo(
      { dataDir: join(root, 'data'), quiet: true },
      { out: join(root, 'out'), seed: 42 },
    );
    report = JSON.parse(readFileSync(join(result.outDir, 'report.json'), 'utf8')) as ReportJson;
  }, 180_000);

  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('writes the report of the last complete week before the embedded now', () => {
    expect(result.outDir).toBe(join(root, 'out', DEMO_ORG, '2026-W46'));
    expect(report.org).toBe(DEMO_ORG);
    expect(report.period).toEqual({
      id: '2026-W46',
      start: '2026-11-09T00:00:00Z',
      end: '2026-11-16T00:00:00Z',
    });
    expect(report.complete).toBe(true);
  });

  it('produces report.json that validates against the published schema, with figures that add up', () => {
    const schema = JSON.parse(readFileSync('docs/report.schema.json', 'utf8')) as object;
    const ajv = addFormats(new Ajv2020({ allErrors: true, strict: false }));
    const validate = ajv.compile(schema);
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
    for (const c of [
      report.summary.total,
      report.summary.dependabot,
      report.summary.secret_scanning,
      report.summary.code_scanning,
    ]) {
      expect(c.openAtEnd).toBe(c.openAtStart + c.opened + c.reopened - c.fixed - c.dismissed);
    }
    // 12 simulated weeks of changes: the last one has activity of every kind.
    expect(report.summary.total.openAtStart).toBeGreaterThan(50);
    expect(report.transitions.length).toBeGreaterThan(5);
    expect(report.trend).toHaveLength(12);
    expect(report.trend.at(-1)?.periodId).toBe('2026-W46');
    // Notable events agree with the sections they summarise.
    const kinds = (kind: string) => report.notableEvents.filter((n) => n.kind === kind).length;
    expect(kinds('reopened')).toBe(report.summary.total.reopened);
    expect(kinds('push_protection_bypass')).toBe(report.pushProtectionBypasses.length);
    const criticalOpened = report.transitions.filter((t) => t.from === null && t.severity === 'critical');
    expect(kinds('critical_created')).toBe(criticalOpened.length);
    expect(kinds('critical_created')).toBeGreaterThan(0);
    // The finer figures agree with the summary they refine.
    expect(report.slaCompliance.openPastSla).toBe(report.slaBreaches.length);
    expect(report.openAge.count).toBe(report.summary.total.openAtEnd);
    const byReason = report.finer.total.dismissedByReason.reduce((n, r) => n + r.count, 0);
    expect(byReason).toBe(report.summary.total.dismissed);
    const severities = Object.values(report.breakdowns.bySeverity).reduce((n, c) => n + c.openAtEnd, 0);
    expect(severities).toBe(report.summary.total.openAtEnd);
    expect(report.previousPeriod?.id).toBe('2026-W45');
    expect(report.trend.at(-2)?.openAtEnd).toBe(report.previousPeriod?.summary.total.openAtEnd);
  });

  it('renders a multi-page PDF that names the organisation and the period', () => {
    const info = execFileSync('pdfinfo', [result.paths.pdf ?? '']).toString();
    const pages = Number(/Pages:\s+(\d+)/.exec(info)?.[1]);
    expect(pages).toBeGreaterThan(1);
    const text = execFileSync('pdftotext', ['-layout', result.paths.pdf ?? '', '-']).toString();
    expect(text).toContain(DEMO_ORG);
    expect(text).toContain('2026-W46');
    expect(text).toContain(String(report.summary.total.openAtEnd));
  });

  it('writes a CSV with one row per transition', () => {
    const csv = readFileSync(result.paths.csv ?? '', 'utf8')
      .trim()
      .split('\n');
    expect(csv[0]).toMatch(/^alertType,repository,number,from,to,at/);
    expect(csv.length).toBe(report.transitions.length + 1);
  });

  it('emails the PDF: the SES stand-in received it attached, byte for byte', () => {
    const received = JSON.parse(readFileSync(join(result.emailDir, 'received.json'), 'utf8')) as {
      subject: string;
      destination: { to: string[] };
    };
    expect(received.subject).toContain('2026-W46');
    expect(received.destination.to.join(',')).toContain('security-team@example.com');
    const pdfs = readdirSync(result.emailDir).filter((f) => f.endsWith('.pdf'));
    expect(pdfs).toHaveLength(1);
    const attached = readFileSync(join(result.emailDir, pdfs[0] ?? ''));
    expect(attached.equals(readFileSync(result.paths.pdf ?? ''))).toBe(true);
    expect(readFileSync(join(result.emailDir, 'body.txt'), 'utf8')).toContain(DEMO_ORG);
  });

  it('verifies the issued files against the hash chain, and names a file changed afterwards', async () => {
    const globals = { dataDir: join(root, 'data', 'demo'), quiet: true };
    expect(await runVerifyCommand(globals, result.outDir, {})).toBe(true);
    const tampered = join(root, 'tampered');
    cpSync(result.outDir, tampered, { recursive: true });
    const json = JSON.parse(readFileSync(join(tampered, 'report.json'), 'utf8')) as ReportJson;
    json.summary.total.fixed += 1;
    writeFileSync(join(tampered, 'report.json'), JSON.stringify(json, null, 2));
    expect(await runVerifyCommand(globals, tampered, {})).toBe(false);
  }, 60_000);

  it('never stores or reports a secret value: not in DynamoDB Local, S3, or any output file', () => {
    // The simulated GitHub holds a value for every secret alert ("demo-secret-value-N") and
    // returns it unless asked with hide_secret=true, as GitHub does.
    const files = (dir: string): string[] =>
      readdirSync(dir).flatMap((name) => {
        const path = join(dir, name);
        return statSync(path).isDirectory() ? files(path) : [path];
      });
    const everything = [...files(join(root, 'data')), ...files(join(root, 'out'))];
    expect(everything.some((f) => f.endsWith('.db'))).toBe(true);
    const leaks = everything.filter((f) => readFileSync(f).includes('demo-secret-value'));
    expect(leaks).toEqual([]);
  });
});
