/**
 * Finds, loads and compiles the Handlebars templates once per templates folder.
 *
 * Templates are files, not strings in code, so the lead can ship them next to a Lambda bundle.
 * The folder is, in order: the `templatesDir` argument, ALERT_LEDGER_TEMPLATES_DIR, `templates/`
 * at the repository root (relative to this module), `templates/` next to the running module
 * (a bundle), `$LAMBDA_TASK_ROOT/templates`. The first that holds report.hbs wins.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { type AlertState, SEVERITIES } from '../core/model.ts';
import { TemplateRenderError, TemplatesNotFoundError } from './errors.ts';
import {
  DASH,
  formatDate,
  formatDateTime,
  formatDays,
  formatNumber,
  formatPct,
  formatReason,
  formatTime,
  STATE_LABELS,
} from './format.ts';

export const TEMPLATES_DIR_ENV = 'ALERT_LEDGER_TEMPLATES_DIR';

type Template = Handlebars.TemplateDelegate<unknown>;

export interface CompiledTemplates {
  dir: string;
  report: Template;
  emailHtml: Template;
  emailText: Template;
  /** report.css, inlined into the report's <style>. */
  css: Handlebars.SafeString;
}

const cache = new Map<string, CompiledTemplates>();

function moduleRelativeCandidates(): string[] {
  try {
    // In a CommonJS bundle import.meta.url is empty and URL() throws: fall through to the others.
    return [
      fileURLToPath(new URL('../../templates/', import.meta.url)),
      fileURLToPath(new URL('./templates/', import.meta.url)),
    ];
  } catch {
    return [];
  }
}

export function resolveTemplatesDir(explicit?: string): string {
  const candidates = [
    explicit,
    process.env[TEMPLATES_DIR_ENV],
    ...moduleRelativeCandidates(),
    process.env.LAMBDA_TASK_ROOT ? join(process.env.LAMBDA_TASK_ROOT, 'templates') : undefined,
  ].filter((c): c is string => typeof c === 'string' && c !== '');
  if (explicit !== undefined && !existsSync(join(explicit, 'report.hbs'))) {
    throw new TemplatesNotFoundError(`No report.hbs in the templates folder ${resolve(explicit)}.`);
  }
  for (const dir of candidates) {
    if (existsSync(join(dir, 'report.hbs'))) return resolve(dir);
  }
  throw new TemplatesNotFoundError(
    `Report templates not found (looked for report.hbs in: ${candidates.join(', ')}). Pass templatesDir, set ${TEMPLATES_DIR_ENV}, or ship the templates/ folder next to the bundle.`,
  );
}

/** Loads and compiles the templates of `dir` (resolved as above), once per process. */
export function loadTemplates(templatesDir?: string): CompiledTemplates {
  const dir = resolveTemplatesDir(templatesDir);
  const cached = cache.get(dir);
  if (cached) return cached;

  // An isolated environment: helpers and partials of this folder never leak into others.
  const hb = Handlebars.create();
  registerHelpers(hb);
  const read = (name: string): string => {
    const path = join(dir, name);
    if (!existsSync(path)) throw new TemplatesNotFoundError(`Template ${path} is missing.`);
    return readFileSync(path, 'utf8');
  };
  const partialsDir = join(dir, 'partials');
  if (existsSync(partialsDir)) {
    for (const file of readdirSync(partialsDir).sort()) {
      if (file.endsWith('.hbs')) hb.registerPartial(basename(file, '.hbs'), read(join('partials', file)));
    }
  }
  // strict: a misspelt field in a template is an error, not a silently empty cell.
  const compile = (name: string, noEscape = false): Template => {
    const template = hb.compile(read(name), { strict: true, noEscape });
    return (context, options) => {
      try {
        return template(context, options);
      } catch (err) {
        throw new TemplateRenderError(`Template ${name} failed: ${(err as Error).message}`, { cause: err });
      }
    };
  };
  const compiled: CompiledTemplates = {
    dir,
    report: compile('report.hbs'),
    emailHtml: compile('email.hbs'),
    // Plain text: HTML escaping would put &amp; into the mail.
    emailText: compile('email.txt.hbs', true),
    css: new hb.SafeString(read('report.css')),
  };
  cache.set(dir, compiled);
  return compiled;
}

/**
 * Every helper gets Handlebars' options object as its last argument; these drop it.
 * Names are prefixed (fmtNumber, not number): a bare `{{number}}` calls a helper of that name
 * before it reads the field, and alerts have a `number` field.
 */
function registerHelpers(hb: typeof Handlebars): void {
  hb.registerHelper('fmtDate', (iso: unknown) => formatDate(typeof iso === 'string' ? iso : null));
  hb.registerHelper('fmtDateTime', (iso: unknown) => formatDateTime(typeof iso === 'string' ? iso : null));
  hb.registerHelper('fmtTime', (iso: unknown) => formatTime(typeof iso === 'string' ? iso : null));
  hb.registerHelper('isNumber', (n: unknown) => typeof n === 'number' && Number.isFinite(n));
  hb.registerHelper('fmtNumber', (n: unknown) => formatNumber(typeof n === 'number' ? n : null));
  hb.registerHelper('fmtPct', (n: unknown) => formatPct(typeof n === 'number' ? n : null));
  hb.registerHelper('fmtDays', (n: unknown) => formatDays(typeof n === 'number' ? n : null));
  hb.registerHelper('fmtReason', (r: unknown) => formatReason(typeof r === 'string' ? r : null));
  hb.registerHelper('orDash', (v: unknown) => (v === null || v === undefined || v === '' ? DASH : v));
  hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hb.registerHelper(
    'gt',
    (a: unknown, b: unknown) => typeof a === 'number' && typeof b === 'number' && a > b,
  );
  hb.registerHelper('stateLabel', (s: unknown) =>
    typeof s === 'string' && s in STATE_LABELS ? STATE_LABELS[s as AlertState] : 'New',
  );
  hb.registerHelper('severityClass', (s: unknown) => {
    const severity = SEVERITIES.find((known) => known === s) ?? 'low';
    return `sev sev-${severity}`;
  });
  hb.registerHelper('plural', (n: unknown, one: unknown, many: unknown) =>
    n === 1 ? String(one) : typeof many === 'string' ? many : `${String(one)}s`,
  );
}

/**
 * Markup that goes into a template unescaped: only the trend charts' SVG, written by vega (which
 * escapes every text and attribute value) around our own escaped accessible name (charts.ts).
 * Never for anything that came from GitHub: that is double-stashed and escaped.
 */
export function trustedMarkup(markup: string): Handlebars.SafeString {
  return new Handlebars.SafeString(markup);
}
