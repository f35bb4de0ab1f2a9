/**
 * Advisories the demo's Dependabot alerts point at. Identifiers come from public GitHub
 * advisories so the demo reads like a real org; nothing relies on the metadata being exact.
 * Kept as a table: one advisory per line is easier to review than hundreds of lines of objects.
 */
import type { DemoAdvisory } from './demo-types.ts';

const CWE_NAMES: Readonly<Record<string, string>> = {
  'CWE-1321': "Improperly Controlled Modification of Object Prototype Attributes ('Prototype Pollution')",
  'CWE-352': 'Cross-Site Request Forgery (CSRF)',
  'CWE-400': 'Uncontrolled Resource Consumption',
  'CWE-476': 'NULL Pointer Dereference',
  'CWE-1333': 'Inefficient Regular Expression Complexity',
  'CWE-184': 'Incomplete List of Disallowed Inputs',
  'CWE-835': "Loop with Unreachable Exit Condition ('Infinite Loop')",
  'CWE-74':
    "Improper Neutralization of Special Elements in Output Used by a Downstream Component ('Injection')",
  'CWE-506': 'Embedded Malicious Code',
  'CWE-200': 'Exposure of Sensitive Information to an Unauthorized Actor',
  'CWE-79': "Improper Neutralization of Input During Web Page Generation ('Cross-site Scripting')",
  'CWE-20': 'Improper Input Validation',
  'CWE-203': 'Observable Discrepancy',
  'CWE-22': "Improper Limitation of a Pathname to a Restricted Directory ('Path Traversal')",
  'CWE-670': 'Always-Incorrect Control Flow Implementation',
  'CWE-502': 'Deserialization of Untrusted Data',
  'CWE-787': 'Out-of-bounds Write',
  'CWE-94': "Improper Control of Generation of Code ('Code Injection')",
  'CWE-379': 'Creation of Temporary File in Directory with Incorrect Permissions',
  'CWE-354': 'Improper Validation of Integrity Check Value',
  'CWE-770': 'Allocation of Resources Without Limits or Throttling',
  'CWE-494': 'Download of Code Without Integrity Check',
  'CWE-755': 'Improper Handling of Exceptional Conditions',
  'CWE-285': 'Improper Authorization',
  'CWE-276': 'Incorrect Default Permissions',
  'CWE-319': 'Cleartext Transmission of Sensitive Information',
};

/**
 * ecosystem | package | GHSA | CVE or - | severity | CVSS 3.1 score | vector or - | CWE | published |
 * vulnerable range | first patched or - | EPSS probability | EPSS percentile | summary
 */
const TABLE = `
npm | lodash | GHSA-p6mc-m468-83gw | CVE-2020-8203 | high | 7.4 | AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:H | CWE-1321 | 2020-07-15T19:15:48Z | >= 3.7.0, < 4.17.19 | 4.17.19 | 0.01962 | 0.8864 | Prototype Pollution in lodash
npm | minimist | GHSA-xvch-5gv4-984h | CVE-2021-44906 | critical | 9.8 | AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H | CWE-1321 | 2022-03-18T00:01:09Z | < 0.2.4 | 0.2.4 | 0.00811 | 0.8102 | Prototype Pollution in minimist
npm | axios | GHSA-wf5p-g6vw-rhxx | CVE-2023-45857 | medium | 6.5 | AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:N/A:N | CWE-352 | 2023-11-08T21:30:37Z | >= 0.8.1, < 0.28.0 | 0.28.0 | 0.00093 | 0.4071 | Axios Cross-Site Request Forgery Vulnerability
npm | braces | GHSA-grv7-fg5c-xmjg | CVE-2024-4068 | high | 7.5 | AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H | CWE-400 | 2024-05-14T15:30:27Z | < 3.0.3 | 3.0.3 | 0.00064 | 0.2845 | Uncontrolled resource consumption in braces
npm | ws | GHSA-3h5v-q93c-6h6q | CVE-2024-37890 | high | 7.5 | AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H | CWE-476 | 2024-06-17T19:09:12Z | >= 8.0.0, < 8.17.1 | 8.17.1 | 0.00254 | 0.6513 | ws affected by a DoS when handling a request with many HTTP headers
npm | path-to-regexp | GHSA-9wv6-86v2-598j | CVE-2024-45296 | high | 7.5 | AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H | CWE-1333 | 2024-09-09T20:19:15Z | < 0.1.10 | 0.1.10 | 0.00152 | 0.5264 | path-to-regexp outputs backtracking regular expressions
npm | cross-spawn | GHSA-3xgq-45jj-v275 | CVE-2024-21538 | high | 7.5 | AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H | CWE-1333 | 2024-11-16T06:30:35Z | >= 7.0.0, < 7.0.5 | 7.0.5 | 0.00113 | 0.4612 | Regular Expression Denial of Service (ReDoS) in cross-spawn
npm | semver | GHSA-c2qf-rxjj-qqgw | CVE-2022-25883 | medium | 5.3 | AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L | CWE-1333 | 2023-06-21T06:30:28Z | >= 7.0.0, < 7.5.2 | 7.5.2 | 0.00371 | 0.7259 | semver vulnerable to Regular Expression Denial of Service
npm | @babel/traverse | GHSA-67hx-6x53-jw92 | CVE-2023-45133 | critical | 9.3 | AV:L/AC:L/PR:N/UI:R/S:C/C:H/I:H/A:H | CWE-184 | 2023-10-16T13:55:36Z | < 7.23.2 | 7.23.2 | 0.02481 | 0.9034 | Babel vulnerable to arbitrary code execution when compiling specifically crafted malicious code
npm | nanoid | GHSA-mwcw-c2x4-8c55 | CVE-2024-55565 | medium | 4.3 | AV:N/AC:L/PR:N/UI:R/S:U/C:L/I:N/A:N | CWE-835 | 2024-12-09T02:31:03Z | < 3.3.8 | 3.3.8 | 0.00045 | 0.1702 | Predictable results in nanoid generation when given non-integer values
npm | cookie | GHSA-pxg6-pf52-xh8x | CVE-2024-47764 | low | 0 | - | CWE-74 | 2024-10-04T20:31:00Z | < 0.7.0 | 0.7.0 | 0.00048 | 0.1934 | cookie accepts cookie name, path, and domain with out of bounds characters
npm | flatmap-stream | GHSA-mh6f-8j2x-4483 | - | critical | 9.8 | AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H | CWE-506 | 2018-11-26T23:58:21Z | = 0.1.1 | - | 0.00264 | 0.6601 | Critical severity vulnerability that affects event-stream and flatmap-stream
pip | django | GHSA-rf4j-j272-fj86 | CVE-2018-6188 | high | 7.5 | AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N | CWE-200 | 2018-10-03T21:13:54Z | >= 2.0.0, < 2.0.2 | 2.0.2 | 0.00326 | 0.7039 | Django allows remote attackers to obtain potentially sensitive information by leveraging data exposure from the confirm_login_allowed() method
pip | requests | GHSA-j8r2-6x86-q33q | CVE-2023-32681 | medium | 6.1 | AV:N/AC:H/PR:N/UI:R/S:C/C:H/I:N/A:N | CWE-200 | 2023-05-22T20:36:32Z | >= 2.3.0, < 2.31.0 | 2.31.0 | 0.00288 | 0.6792 | Unintended leak of Proxy-Authorization header in requests
pip | urllib3 | GHSA-v845-jxx5-vc9f | CVE-2023-43804 | high | 8.1 | AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H | CWE-200 | 2023-10-02T23:34:50Z | < 1.26.17 | 1.26.17 | 0.00199 | 0.5901 | \`Cookie\` HTTP header isn't stripped on cross-origin redirects
pip | jinja2 | GHSA-h5c8-rqwp-cp95 | CVE-2024-22195 | medium | 5.4 | AV:N/AC:L/PR:L/UI:R/S:U/C:L/I:L/A:N | CWE-79 | 2024-01-11T15:20:48Z | < 3.1.3 | 3.1.3 | 0.00084 | 0.3746 | Jinja vulnerable to HTML attribute injection when passing user input as keys to xmlattr filter
pip | pyyaml | GHSA-8q59-q68h-6hv4 | CVE-2020-14343 | critical | 9.8 | AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H | CWE-20 | 2021-03-25T21:26:02Z | < 5.4 | 5.4 | 0.01437 | 0.8593 | Improper Input Validation in PyYAML
pip | cryptography | GHSA-3ww4-gg4f-jr7f | CVE-2023-50782 | high | 7.5 | AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N | CWE-203 | 2024-02-05T21:30:32Z | < 42.0.0 | 42.0.0 | 0.00205 | 0.5968 | Python Cryptography package vulnerable to Bleichenbacher timing oracle attack
pip | aiohttp | GHSA-5h86-8mv2-jq9f | CVE-2024-23334 | high | 7.5 | AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N | CWE-22 | 2024-01-29T22:28:33Z | >= 1.0.5, < 3.9.2 | 3.9.2 | 0.41012 | 0.9725 | aiohttp is vulnerable to directory traversal
pip | requests | GHSA-9wx4-h78v-vm56 | CVE-2024-35195 | medium | 5.6 | AV:L/AC:H/PR:H/UI:R/S:U/C:H/I:H/A:N | CWE-670 | 2024-05-20T20:15:00Z | < 2.32.0 | 2.32.0 | 0.00044 | 0.1551 | Requests \`Session\` object does not verify requests after making first request with verify=False
maven | org.apache.logging.log4j:log4j-core | GHSA-jfh8-c2jp-5v3q | CVE-2021-44228 | critical | 10 | AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H | CWE-502 | 2021-12-10T00:40:56Z | >= 2.13.0, < 2.15.0 | 2.15.0 | 0.94358 | 0.99992 | Remote code injection in Log4j
maven | com.fasterxml.jackson.core:jackson-databind | GHSA-57j2-w4cx-62h2 | CVE-2020-36518 | high | 7.5 | AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H | CWE-787 | 2022-03-12T00:00:36Z | < 2.12.6.1 | 2.12.6.1 | 0.00466 | 0.7564 | Deeply nested json in jackson-databind
maven | org.springframework:spring-web | GHSA-4wrc-f8pq-fpqp | CVE-2016-1000027 | critical | 9.8 | AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H | CWE-502 | 2022-01-06T22:24:41Z | < 6.0.0 | 6.0.0 | 0.01352 | 0.8537 | Pivotal Spring Framework contains unsafe Java deserialization methods
maven | org.yaml:snakeyaml | GHSA-mjmj-j48q-9wg2 | CVE-2022-1471 | high | 8.3 | AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:L | CWE-502 | 2022-12-12T21:19:47Z | < 2.0 | 2.0 | 0.73052 | 0.9866 | SnakeYaml Constructor Deserialization Remote Code Execution
maven | org.apache.commons:commons-text | GHSA-599f-7c49-w659 | CVE-2022-42889 | critical | 9.8 | AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H | CWE-94 | 2022-10-13T19:00:17Z | >= 1.5, < 1.10.0 | 1.10.0 | 0.9421 | 0.99946 | Arbitrary code execution in Apache Commons Text
maven | io.netty:netty-codec-http2 | GHSA-xpw8-rcwv-8f8p | CVE-2023-44487 | high | 7.5 | AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H | CWE-400 | 2023-10-10T21:28:24Z | < 4.1.100.Final | 4.1.100.Final | 0.81738 | 0.99302 | io.netty:netty-codec-http2 vulnerable to HTTP/2 Rapid Reset Attack
maven | com.google.guava:guava | GHSA-7g45-4rm6-3mm3 | CVE-2023-2976 | medium | 5.5 | AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N | CWE-379 | 2023-06-14T18:30:38Z | >= 1.0, < 32.0.0 | 32.0.0-jre | 0.00044 | 0.1393 | Guava vulnerable to insecure use of temporary directory
go | golang.org/x/net | GHSA-qppj-fm5r-hxr3 | CVE-2023-44487 | medium | 5.3 | AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L | CWE-400 | 2023-10-10T21:28:24Z | < 0.17.0 | 0.17.0 | 0.81738 | 0.99302 | HTTP/2 Stream Cancellation Attack
go | golang.org/x/crypto | GHSA-45x7-px36-x8w8 | CVE-2023-48795 | medium | 5.9 | AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:N | CWE-354 | 2023-12-18T16:47:49Z | < 0.17.0 | 0.17.0 | 0.5486 | 0.97874 | Prefix Truncation Attack against ChaCha20-Poly1305 and Encrypt-then-MAC aka Terrapin
go | google.golang.org/grpc | GHSA-m425-mq94-257g | CVE-2023-44487 | high | 7.5 | AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H | CWE-770 | 2023-10-25T21:17:37Z | >= 1.58.0, < 1.58.3 | 1.58.3 | 0.81738 | 0.99302 | gRPC-Go HTTP/2 Rapid Reset vulnerability
go | github.com/gin-gonic/gin | GHSA-2c4m-59x9-fr2g | CVE-2023-29401 | medium | 4.3 | AV:N/AC:L/PR:N/UI:R/S:U/C:N/I:L/A:N | CWE-494 | 2023-06-08T21:30:47Z | < 1.9.1 | 1.9.1 | 0.00071 | 0.3103 | Gin Web Framework does not properly sanitize filename parameter of Context.FileAttachment function
go | github.com/golang-jwt/jwt/v4 | GHSA-29wx-vh33-7x7r | CVE-2024-51744 | low | 3.1 | AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N | CWE-755 | 2024-11-04T21:01:54Z | < 4.5.1 | 4.5.1 | 0.00043 | 0.1095 | Bad documentation of error handling in ParseWithClaims can lead to potentially dangerous situations
go | golang.org/x/crypto | GHSA-v778-237x-gjrc | CVE-2024-45337 | critical | 9.1 | AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N | CWE-285 | 2024-12-11T18:55:58Z | < 0.31.0 | 0.31.0 | 0.04613 | 0.9261 | Misuse of ServerConfig.PublicKeyCallback may cause authorization bypass in golang.org/x/crypto
rubygems | nokogiri | GHSA-crjr-9rc5-ghw8 | CVE-2022-24836 | high | 7.5 | AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H | CWE-1333 | 2022-04-11T21:31:37Z | < 1.13.4 | 1.13.4 | 0.00358 | 0.7189 | Inefficient Regular Expression Complexity in Nokogiri
rubygems | rack | GHSA-54rr-7fvw-6x8f | CVE-2024-26146 | medium | 5.3 | AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L | CWE-400 | 2024-02-29T00:21:01Z | < 2.0.9.4 | 2.0.9.4 | 0.00081 | 0.3588 | Possible Denial of Service Vulnerability in Rack Header Parsing
rubygems | actionpack | GHSA-8xww-x3g3-6jcv | CVE-2023-22795 | high | 7.5 | AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H | CWE-1333 | 2023-01-18T18:19:02Z | >= 6.1.0, < 6.1.7.1 | 6.1.7.1 | 0.00514 | 0.7701 | Action Dispatch vulnerable to ReDoS
rubygems | activesupport | GHSA-vr8q-g5c7-m54m | CVE-2023-38037 | medium | 5.5 | AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N | CWE-276 | 2023-08-23T19:34:06Z | >= 6.0.0, < 6.1.7.5 | 6.1.7.5 | 0.00043 | 0.1088 | ActiveSupport::EncryptedFile writes contents that are readable by other local users
nuget | System.Text.Encodings.Web | GHSA-ghhp-997w-qr28 | CVE-2021-26701 | critical | 9.8 | AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H | CWE-94 | 2021-02-25T16:38:10Z | >= 4.0.0, < 4.5.1 | 4.5.1 | 0.02171 | 0.8946 | .NET Core Remote Code Execution Vulnerability
nuget | Newtonsoft.Json | GHSA-5crp-9r3c-p9vr | CVE-2024-21907 | high | 7.5 | AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H | CWE-755 | 2022-06-22T20:11:06Z | < 13.0.1 | 13.0.1 | 0.00148 | 0.5227 | Improper Handling of Exceptional Conditions in Newtonsoft.Json
nuget | System.Text.Json | GHSA-447r-wph3-92pm | CVE-2024-43485 | high | 7.5 | AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H | CWE-400 | 2024-10-08T18:30:56Z | >= 6.0.0, < 6.0.10 | 6.0.10 | 0.00138 | 0.5021 | .NET Denial of Service Vulnerability
nuget | System.Data.SqlClient | GHSA-98g6-xh36-x2p7 | CVE-2024-0056 | high | 8.7 | AV:N/AC:H/PR:N/UI:N/S:C/C:H/I:H/A:N | CWE-319 | 2024-01-09T22:17:02Z | < 4.8.6 | 4.8.6 | 0.00171 | 0.5523 | .NET Information Disclosure Vulnerability
`;

const SEVERITIES: readonly string[] = ['critical', 'high', 'medium', 'low'];

function parseRow(row: string): DemoAdvisory {
  const cells = row.split(' | ').map((c) => c.trim());
  const [
    ecosystem,
    packageName,
    ghsaId,
    cve,
    severity,
    score,
    vector,
    cweId,
    published,
    range,
    patched,
    pct,
    pctl,
    summary,
  ] = cells;
  const cweName = CWE_NAMES[cweId ?? ''];
  const complete =
    cells.length === 14 && ecosystem && packageName && ghsaId && cweId && published && range && summary;
  if (!complete || !cweName || !SEVERITIES.includes(severity ?? ''))
    throw new Error(`Malformed advisory row: ${row}`);
  return {
    ghsaId,
    cveId: cve === '-' ? null : (cve ?? null),
    ecosystem,
    packageName,
    severity: severity as DemoAdvisory['severity'],
    summary,
    vulnerableRange: range,
    firstPatched: patched === '-' ? null : (patched ?? null),
    cvssScore: Number(score),
    cvssVector: vector === '-' ? null : `CVSS:3.1/${vector}`,
    cwe: { id: cweId, name: cweName },
    publishedAt: published,
    epssPercentage: Number(pct),
    epssPercentile: Number(pctl),
  };
}

function byEcosystem(advisories: DemoAdvisory[]): Record<string, DemoAdvisory[]> {
  const out: Record<string, DemoAdvisory[]> = {};
  for (const a of advisories) out[a.ecosystem] = [...(out[a.ecosystem] ?? []), a];
  return out;
}

/** Advisories by Dependabot ecosystem name. */
export const ADVISORIES: Readonly<Record<string, readonly DemoAdvisory[]>> = byEcosystem(
  TABLE.trim().split('\n').map(parseRow),
);
