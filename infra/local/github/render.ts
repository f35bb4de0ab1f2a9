/**
 * The demo's alerts as GitHub's REST API returns them at a given instant: state, closing
 * fields and `updated_at` replayed from each alert's history, on top of GitHub's own example
 * objects (so every required field is there with the right type).
 *
 * @example
 *   const { dependabot } = renderAlertsAt(demo, new Date('2026-10-01T00:00:00Z'));
 */
import type { IndexedAlert } from './alert-index.ts';
import { type AlertStateAt, alertStateAt, secretValidity } from './alert-state.ts';
import type {
  DemoAdvisory,
  DemoAlert,
  DemoAlertEvent,
  DemoCodeQlRule,
  DemoCodeScanningAlert,
  DemoDependabotAlert,
  DemoOrg,
  DemoSecretScanningAlert,
} from './demo-types.ts';
import { withoutSecret } from './list-response.ts';
import type { JsonObject } from './openapi-deref.ts';
import { AccountTemplates, exampleItem, type UrlBases } from './render-templates.ts';

export interface RenderOptions {
  /** Root of `url` fields; the simulated server passes its own address. */
  apiBaseUrl?: string;
  webBaseUrl?: string;
}

export interface RenderedAlerts {
  dependabot: JsonObject[];
  secret_scanning: JsonObject[];
  code_scanning: JsonObject[];
}

/** The CodeQL version the demo's analyses claim to run. */
const CODEQL_VERSION = '2.19.3';
const CODEQL_TOOL: JsonObject = { name: 'CodeQL', guid: null, version: CODEQL_VERSION };

/** GitHub's language names for the demo repositories' CodeQL prefixes. */
const LANGUAGE_NAMES: Record<string, string> = {
  js: 'JavaScript',
  java: 'Java',
  py: 'Python',
  go: 'Go',
  rb: 'Ruby',
  cs: 'C#',
};

function advisoryJson(template: JsonObject, a: DemoAdvisory, vulnerability: JsonObject): JsonObject {
  const identifiers = [
    { type: 'GHSA', value: a.ghsaId },
    ...(a.cveId ? [{ type: 'CVE', value: a.cveId }] : []),
  ];
  const references = [
    ...(a.cveId ? [{ url: `https://nvd.nist.gov/vuln/detail/${a.cveId}` }] : []),
    { url: `https://github.com/advisories/${a.ghsaId}` },
  ];
  return {
    ...template,
    ghsa_id: a.ghsaId,
    cve_id: a.cveId,
    summary: a.summary,
    description: `${a.summary}. Upgrade ${a.packageName} to ${a.firstPatched ?? 'a version without it'}.`,
    vulnerabilities: [vulnerability],
    severity: a.severity,
    classification: 'general',
    cvss: { vector_string: a.cvssVector, score: a.cvssScore },
    cvss_severities: {
      cvss_v3: a.cvssVector ? { vector_string: a.cvssVector, score: a.cvssScore } : null,
      cvss_v4: null,
    },
    epss: { percentage: a.epssPercentage, percentile: a.epssPercentile },
    cwes: [{ cwe_id: a.cwe.id, name: a.cwe.name }],
    identifiers,
    references,
    published_at: a.publishedAt,
    updated_at: a.publishedAt,
    withdrawn_at: null,
  };
}

export class AlertRenderer {
  private readonly bases: UrlBases;
  private readonly accounts: AccountTemplates;
  private readonly templates = {
    dependabot: exampleItem('GET /orgs/{org}/dependabot/alerts'),
    secret: exampleItem('GET /orgs/{org}/secret-scanning/alerts'),
    code: exampleItem('GET /orgs/{org}/code-scanning/alerts'),
  };
  private readonly userIds: Map<string, number>;
  private readonly repos: Map<string, DemoOrg['repositories'][number]>;
  private readonly advisories = new Map<
    DemoAdvisory,
    { pkg: JsonObject; vulnerability: JsonObject; advisory: JsonObject }
  >();
  private readonly rules = new Map<DemoCodeQlRule, JsonObject>();
  private readonly json = new WeakMap<
    DemoAlert,
    { updatedAt: string; state: string; closing: DemoAlertEvent | null; text: (Buffer | undefined)[] }
  >();

  constructor(
    private readonly demo: DemoOrg,
    options: RenderOptions = {},
  ) {
    this.bases = {
      api: (options.apiBaseUrl ?? 'https://api.github.com').replace(/\/+$/, ''),
      web: (options.webBaseUrl ?? 'https://github.com').replace(/\/+$/, ''),
    };
    this.accounts = new AccountTemplates(this.bases);
    this.userIds = new Map(demo.users.map((u) => [u.login, u.id]));
    this.repos = new Map(demo.repositories.map((r) => [r.name, r]));
  }

  private user(login: string | null): JsonObject | null {
    if (login === null) return null;
    const id = this.userIds.get(login);
    if (id === undefined) throw new Error(`Unknown demo user ${login}`);
    return this.accounts.user(login, id);
  }

  private repository(name: string): JsonObject {
    const repo = this.repos.get(name);
    if (!repo) throw new Error(`Unknown demo repository ${name}`);
    return this.accounts.repository({ login: this.demo.org, id: this.demo.orgId }, repo);
  }

  private paths(name: string, kind: string, webKind: string, n: number): { url: string; html_url: string } {
    return {
      url: `${this.bases.api}/repos/${this.demo.org}/${name}/${kind}/alerts/${n}`,
      html_url: `${this.bases.web}/${this.demo.org}/${name}/security/${webKind}/${n}`,
    };
  }

  /** Null when the alert does not exist yet at `now`. */
  dependabot(alert: DemoDependabotAlert, now: Date): JsonObject | null {
    const s = alertStateAt(alert, now);
    return s ? this.dependabotIn(alert, s) : null;
  }

  codeScanning(alert: DemoCodeScanningAlert, now: Date): JsonObject | null {
    const s = alertStateAt(alert, now);
    return s ? this.codeScanningIn(alert, s) : null;
  }

  secretScanning(alert: DemoSecretScanningAlert, now: Date): JsonObject | null {
    const s = alertStateAt(alert, now);
    return s ? this.secretScanningIn(alert, s) : null;
  }

  /** One alert of a list, in the state the index computed for it. */
  render(entry: IndexedAlert): JsonObject {
    const { alert, state } = entry;
    switch (alert.alertType) {
      case 'dependabot':
        return this.dependabotIn(alert, state);
      case 'code_scanning':
        return this.codeScanningIn(alert, state);
      case 'secret_scanning':
        return this.secretScanningIn(alert, state);
    }
  }

  /**
   * One alert of an organisation or enterprise list as JSON (UTF-8), kept per alert until its
   * state moves (a new event). A second full listing of a large org then costs this server a
   * copy, not a render and a stringify per alert: the benchmark measures the collector against
   * page latency, and GitHub's own rendering costs the collector's machine nothing.
   * `hideSecret` drops the `secret` field, as `hide_secret=true` does; each form is kept apart.
   */
  renderJson(entry: IndexedAlert, hideSecret: boolean): Buffer {
    const { alert, state } = entry;
    const kept = this.json.get(alert);
    const current =
      kept &&
      kept.updatedAt === state.updatedAt &&
      kept.state === state.state &&
      kept.closing === state.closingEvent
        ? kept
        : {
            updatedAt: state.updatedAt,
            state: state.state,
            closing: state.closingEvent,
            text: [undefined, undefined] as (Buffer | undefined)[],
          };
    if (current !== kept) this.json.set(alert, current);
    const slot = hideSecret ? 1 : 0;
    let text = current.text[slot];
    if (text === undefined) {
      const rendered = this.render(entry);
      text = Buffer.from(JSON.stringify(hideSecret ? withoutSecret(rendered) : rendered));
      current.text[slot] = text;
    }
    return text;
  }

  /** GitHub's advisory JSON for an advisory: the same for every alert raised by it, so built once. */
  private advisory(a: DemoAdvisory): { pkg: JsonObject; vulnerability: JsonObject; advisory: JsonObject } {
    let cached = this.advisories.get(a);
    if (!cached) {
      const pkg = { ecosystem: a.ecosystem, name: a.packageName };
      const vulnerability = {
        package: pkg,
        severity: a.severity,
        vulnerable_version_range: a.vulnerableRange,
        first_patched_version: a.firstPatched ? { identifier: a.firstPatched } : null,
      };
      const advisoryTemplate = this.templates.dependabot.security_advisory;
      const template =
        typeof advisoryTemplate === 'object' && advisoryTemplate !== null && !Array.isArray(advisoryTemplate)
          ? advisoryTemplate
          : {};
      cached = { pkg, vulnerability, advisory: advisoryJson(template, a, vulnerability) };
      this.advisories.set(a, cached);
    }
    return cached;
  }

  private rule(rule: DemoCodeQlRule): JsonObject {
    let cached = this.rules.get(rule);
    if (!cached) {
      cached = {
        id: rule.id,
        severity: rule.severity,
        security_severity_level: rule.securitySeverityLevel,
        tags: rule.tags,
        description: rule.description,
        name: rule.name,
        full_description: `${rule.description}.`,
      };
      this.rules.set(rule, cached);
    }
    return cached;
  }

  private dependabotIn(alert: DemoDependabotAlert, s: AlertStateAt): JsonObject {
    // A shallow copy: nested objects are shared between alerts (rendered JSON is read-only), which
    // keeps a page of a 100,000-alert org cheap to render.
    const tpl = this.templates.dependabot;
    const { pkg, vulnerability, advisory } = this.advisory(alert.advisory);
    const dismissed = s.state === 'dismissed' ? s.closingEvent : null;
    return {
      ...tpl,
      number: alert.number,
      state: s.state,
      dependency: {
        package: pkg,
        manifest_path: alert.manifestPath,
        scope: alert.scope,
        relationship: alert.relationship,
      },
      security_advisory: advisory,
      security_vulnerability: vulnerability,
      ...this.paths(alert.repository, 'dependabot', 'dependabot', alert.number),
      created_at: alert.createdAt,
      updated_at: s.updatedAt,
      dismissed_at: dismissed?.at ?? null,
      dismissed_by: this.user(dismissed?.actor ?? null),
      dismissed_reason: dismissed?.reason ?? null,
      dismissed_comment: dismissed?.comment ?? null,
      fixed_at: s.state === 'fixed' ? (s.closingEvent?.at ?? null) : null,
      auto_dismissed_at: s.state === 'auto_dismissed' ? (s.closingEvent?.at ?? null) : null,
      assignees: [],
      repository: this.repository(alert.repository),
    };
  }

  private codeScanningIn(alert: DemoCodeScanningAlert, s: AlertStateAt): JsonObject {
    const tpl = this.templates.code;
    const dismissed = s.state === 'dismissed' ? s.closingEvent : null;
    const paths = this.paths(alert.repository, 'code-scanning', 'code-scanning', alert.number);
    const language = alert.rule.id.split('/')[0] ?? 'unknown';
    const isTest = /(^|\/)(test|tests|spec)(\/|$)|Tests\//.test(alert.path);
    return {
      ...tpl,
      number: alert.number,
      created_at: alert.createdAt,
      updated_at: s.updatedAt,
      ...paths,
      state: s.state,
      fixed_at: s.state === 'fixed' ? (s.closingEvent?.at ?? null) : null,
      dismissed_by: this.user(dismissed?.actor ?? null),
      dismissed_at: dismissed?.at ?? null,
      dismissed_reason: dismissed?.reason ?? null,
      dismissed_comment: dismissed?.comment ?? null,
      rule: this.rule(alert.rule),
      tool: CODEQL_TOOL,
      most_recent_instance: {
        ref: 'refs/heads/main',
        analysis_key: '.github/workflows/codeql.yml:analyze',
        environment: JSON.stringify({ language }),
        category: `/language:${language}`,
        state: s.state,
        commit_sha: alert.commitSha,
        message: { text: alert.message },
        location: {
          path: alert.path,
          start_line: alert.startLine,
          end_line: alert.endLine,
          start_column: alert.startColumn,
          end_column: alert.endColumn,
        },
        classifications: isTest ? ['test'] : [],
      },
      instances_url: `${paths.url}/instances`,
      repository: this.repository(alert.repository),
      assignees: [],
    };
  }

  private secretScanningIn(alert: DemoSecretScanningAlert, s: AlertStateAt): JsonObject {
    const tpl = this.templates.secret;
    const resolved = s.state === 'resolved' ? s.closingEvent : null;
    const paths = this.paths(alert.repository, 'secret-scanning', 'secret-scanning', alert.number);
    const repoApi = `${this.bases.api}/repos/${this.demo.org}/${alert.repository}`;
    const validity = secretValidity(alert, s);
    return {
      ...tpl,
      number: alert.number,
      created_at: alert.createdAt,
      updated_at: s.updatedAt,
      ...paths,
      locations_url: `${paths.url}/locations`,
      state: s.state,
      resolution: resolved?.reason ?? null,
      resolved_at: resolved?.at ?? null,
      resolved_by: this.user(resolved?.actor ?? null),
      resolution_comment: resolved?.comment ?? null,
      secret_type: alert.secretType.type,
      secret_type_display_name: alert.secretType.displayName,
      provider: alert.secretType.provider,
      provider_slug: alert.secretType.providerSlug,
      secret: alert.secret,
      repository: this.repository(alert.repository),
      push_protection_bypassed: alert.bypass !== null,
      push_protection_bypassed_by: this.user(alert.bypass?.actor ?? null),
      push_protection_bypassed_at: alert.bypass?.at ?? null,
      push_protection_bypass_request_reviewer: null,
      push_protection_bypass_request_reviewer_comment: null,
      push_protection_bypass_request_comment: null,
      push_protection_bypass_request_html_url: null,
      validity,
      publicly_leaked: alert.publiclyLeaked,
      multi_repo: false,
      is_base64_encoded: false,
      first_location_detected: {
        path: alert.path,
        start_line: alert.line,
        end_line: alert.line,
        start_column: 1,
        end_column: 41,
        blob_sha: alert.blobSha,
        blob_url: `${repoApi}/git/blobs/${alert.blobSha}`,
        commit_sha: alert.commitSha,
        commit_url: `${repoApi}/git/commits/${alert.commitSha}`,
      },
      has_more_locations: false,
      assigned_to: null,
    };
  }

  /**
   * A repository as `GET /orgs/{org}/repos` lists it (minimal-repository): the simple-repository
   * alerts embed, plus clone URLs, language, visibility and times.
   */
  minimalRepository(
    repo: DemoOrg['repositories'][number],
    times: { createdAt: string; pushedAt: string },
  ): JsonObject {
    const simple = this.repository(repo.name);
    const fullName = `${this.demo.org}/${repo.name}`;
    const host = new URL(this.bases.web).host;
    return {
      ...simple,
      git_url: `git://${host}/${fullName}.git`,
      ssh_url: `git@${host}:${fullName}.git`,
      clone_url: `${this.bases.web}/${fullName}.git`,
      mirror_url: null,
      svn_url: `${this.bases.web}/${fullName}`,
      homepage: null,
      language: LANGUAGE_NAMES[repo.language] ?? null,
      forks_count: 0,
      stargazers_count: 0,
      watchers_count: 0,
      size: 0,
      default_branch: 'main',
      open_issues_count: 0,
      is_template: false,
      topics: [],
      has_issues: true,
      has_projects: false,
      has_wiki: false,
      has_pages: false,
      has_downloads: true,
      has_discussions: false,
      archived: false,
      disabled: false,
      visibility: repo.private ? 'private' : 'public',
      pushed_at: times.pushedAt,
      created_at: times.createdAt,
      updated_at: times.pushedAt,
      permissions: { admin: false, maintain: false, push: false, triage: false, pull: true },
      forks: 0,
      open_issues: 0,
      watchers: 0,
    };
  }

  /** Every alert that exists at `now`, as GitHub would list it (newest state, all states). */
  renderAt(now: Date): RenderedAlerts {
    const keep = <T>(items: (T | null)[]): T[] => items.filter((x): x is T => x !== null);
    return {
      dependabot: keep(this.demo.alerts.dependabot.map((a) => this.dependabot(a, now))),
      secret_scanning: keep(this.demo.alerts.secret_scanning.map((a) => this.secretScanning(a, now))),
      code_scanning: keep(this.demo.alerts.code_scanning.map((a) => this.codeScanning(a, now))),
    };
  }
}

/**
 * The GitHub JSON of every alert of the demo at `now`. Nested objects (users, repositories,
 * advisories, rules, template parts) are shared between alerts: treat the result as read-only.
 */
export function renderAlertsAt(demo: DemoOrg, now: Date, options: RenderOptions = {}): RenderedAlerts {
  return new AlertRenderer(demo, options).renderAt(now);
}
