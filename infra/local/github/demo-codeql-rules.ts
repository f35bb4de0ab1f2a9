/**
 * CodeQL rules and source layouts for the demo's code scanning alerts, by CodeQL language
 * prefix (js, py, java, go, rb, cs). Rule ids are real CodeQL query ids.
 */
import type { DemoCodeQlRule } from './demo-types.ts';

const SEC = ['security', 'external/cwe/cwe-089'];
type R = DemoCodeQlRule;
const rule = (
  id: string,
  severity: R['severity'],
  securitySeverityLevel: R['securitySeverityLevel'],
  description: string,
  tags: string[] = ['security'],
): R => ({ id, name: id, severity, securitySeverityLevel, description, tags });

/**
 * CodeQL rules by language. Quality rules have no security severity, which exercises the
 * design's fallback on `rule.severity` (error high, warning medium, note low).
 */
export const CODEQL_RULES: Readonly<Record<string, readonly DemoCodeQlRule[]>> = {
  js: [
    rule('js/sql-injection', 'error', 'high', 'Database query built from user-controlled sources', SEC),
    rule('js/xss', 'error', 'medium', 'Client-side cross-site scripting', [
      'security',
      'external/cwe/cwe-079',
    ]),
    rule('js/path-injection', 'error', 'high', 'Uncontrolled data used in path expression'),
    rule('js/prototype-pollution-utility', 'warning', 'medium', 'Prototype-polluting function'),
    rule('js/polynomial-redos', 'warning', 'high', 'Polynomial regular expression used on uncontrolled data'),
    rule('js/missing-rate-limiting', 'warning', 'high', 'Missing rate limiting'),
    rule('js/clear-text-logging', 'error', 'high', 'Clear-text logging of sensitive information'),
    rule('js/code-injection', 'error', 'critical', 'Code injection', ['security', 'external/cwe/cwe-094']),
    rule('js/useless-assignment-to-local', 'warning', null, 'Useless assignment to local variable', [
      'maintainability',
    ]),
    rule('js/unused-local-variable', 'note', null, 'Unused variable, import, function or class', [
      'maintainability',
    ]),
  ],
  py: [
    rule('py/sql-injection', 'error', 'high', 'SQL query built from user-controlled sources', SEC),
    rule('py/command-line-injection', 'error', 'critical', 'Uncontrolled command line'),
    rule('py/flask-debug', 'error', 'high', 'Flask app is run in debug mode'),
    rule('py/url-redirection', 'error', 'medium', 'URL redirection from remote source'),
    rule(
      'py/weak-sensitive-data-hashing',
      'warning',
      'high',
      'Use of a broken or weak cryptographic hashing algorithm on sensitive data',
    ),
    rule('py/insecure-protocol', 'warning', 'low', 'Use of insecure SSL/TLS version'),
    rule('py/call-to-non-callable', 'error', null, 'Non-callable called', ['reliability']),
    rule('py/unused-import', 'note', null, 'Unused import', ['maintainability']),
  ],
  java: [
    rule('java/sql-injection', 'error', 'high', 'Query built from user-controlled sources', SEC),
    rule('java/ssrf', 'error', 'critical', 'Server-side request forgery'),
    rule('java/spring-disabled-csrf-protection', 'error', 'high', 'Disabled Spring CSRF protection'),
    rule('java/log-injection', 'error', 'medium', 'Log Injection'),
    rule('java/insecure-cookie', 'error', 'low', 'Failure to use secure cookies'),
    rule('java/dereferenced-value-may-be-null', 'warning', null, 'Dereferenced variable may be null', [
      'reliability',
    ]),
  ],
  go: [
    rule('go/sql-injection', 'error', 'high', 'Database query built from user-controlled sources', SEC),
    rule('go/path-injection', 'error', 'high', 'Uncontrolled data used in path expression'),
    rule('go/incomplete-hostname-regexp', 'warning', 'high', 'Incomplete regular expression for hostnames'),
    rule('go/clear-text-logging', 'error', 'high', 'Clear-text logging of sensitive information'),
    rule('go/log-injection', 'error', 'medium', 'Log entries created from user input'),
    rule(
      'go/unhandled-writable-file-close',
      'warning',
      null,
      'Writable file handle closed without error handling',
      ['reliability'],
    ),
  ],
  rb: [
    rule('rb/sql-injection', 'error', 'high', 'SQL query built from user-controlled sources', SEC),
    rule('rb/reflected-xss', 'error', 'medium', 'Reflected server-side cross-site scripting'),
    rule('rb/unsafe-deserialization', 'warning', 'critical', 'Deserialization of user-controlled data'),
    rule('rb/useless-assignment-to-local', 'warning', null, 'Useless assignment to local variable', [
      'maintainability',
    ]),
  ],
  cs: [
    rule('cs/sql-injection', 'error', 'high', 'SQL query built from user-controlled sources', SEC),
    rule('cs/web/xss', 'error', 'medium', 'Cross-site scripting'),
    rule('cs/log-forging', 'error', 'medium', 'Log entries created from user input'),
    rule('cs/web/missing-x-frame-options', 'error', 'low', 'Missing X-Frame-Options HTTP header'),
    rule('cs/catch-of-all-exceptions', 'note', null, 'Generic catch clause', ['reliability']),
  ],
};

export const SOURCE_DIRS: Readonly<Record<string, readonly string[]>> = {
  js: ['src/routes', 'src/services', 'src/components', 'lib', 'test'],
  py: ['app', 'app/api', 'jobs', 'tests'],
  java: [
    'src/main/java/com/octodemo/api',
    'src/main/java/com/octodemo/service',
    'src/test/java/com/octodemo',
  ],
  go: ['internal/handler', 'internal/store', 'cmd/server', 'internal/auth'],
  rb: ['app/controllers', 'app/models', 'lib/tasks', 'spec'],
  cs: ['src/Api/Controllers', 'src/Api/Services', 'tests/Api.Tests'],
};

export const SOURCE_EXTENSIONS: Readonly<Record<string, string>> = {
  js: 'ts',
  py: 'py',
  java: 'java',
  go: 'go',
  rb: 'rb',
  cs: 'cs',
};

export const SOURCE_FILES = ['handler', 'orders', 'users', 'session', 'export', 'search', 'client', 'config'];
