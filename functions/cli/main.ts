import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { CoreError } from '../core/errors.ts';
import { parseInstant, parsePeriodId, parseRange } from '../core/periods.ts';
import { DeliverError } from '../deliver/errors.ts';
import { GitHubError } from '../github/errors.ts';
import { RenderError } from '../render/errors.ts';
import { ConfigError } from '../runtime/config.ts';
import { InputError, orgLogin } from '../runtime/inputs.ts';
import { StoreError } from '../store/errors.ts';
import { runDemo } from './commands/demo.ts';
import { runReportCommand } from './commands/report.ts';
import { runSnapshotCommand } from './commands/snapshot.ts';
import { runVerifyCommand } from './commands/verify.ts';
import { runWebhookServe } from './commands/webhook-serve.ts';

export interface GlobalOptions {
  now?: Date;
  dataDir: string;
  quiet: boolean;
}

const parseNow = (value: string): Date => {
  try {
    return parseInstant(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
};

const parseOrg = (value: string): string => {
  const parsed = orgLogin.safeParse(value);
  if (!parsed.success) throw new InvalidArgumentError(`"${value}" is not a GitHub organisation login.`);
  return value;
};

const parsePeriod = (value: string): string => {
  try {
    parsePeriodId(value);
    return value;
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
};

/** A usage error: one line on stderr, exit 2 (like commander's own). */
function usageError(message: string): never {
  const line = `error: ${message}`;
  process.stderr.write(`${line}\n`);
  throw new CommanderError(2, 'alert-ledger.usage', line);
}

/**
 * The period id of `report`: --period as given, or the custom range id `FROM..TO` of --from and
 * --to (both or neither; commander refuses either with --period). The dates are checked here, in
 * UTC, since whether a range is valid does not depend on the zone; the command computes its
 * boundaries in the configured zone.
 */
function reportPeriodId(opts: { period?: string; from?: string; to?: string }): string | undefined {
  if (opts.from === undefined && opts.to === undefined) return opts.period;
  if (opts.from === undefined || opts.to === undefined) {
    usageError(
      `${opts.from === undefined ? "option '--to <date>' needs '--from <date>'" : "option '--from <date>' needs '--to <date>'"}: ` +
        'give both, the first and the last day of the range (both included), like --from 2026-11-01 --to 2026-11-15',
    );
  }
  try {
    return parseRange(opts.from, opts.to).id;
  } catch (error) {
    return usageError((error as Error).message);
  }
}

const parsePort = (value: string): number => {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidArgumentError('a port is a whole number from 0 to 65535.');
  }
  return port;
};

/** Builds the `alert-ledger` command line (DESIGN.md: commands and global options). */
export function buildProgram(): Command {
  const program = new Command('alert-ledger')
    .description('Keeps the history of GitHub security alerts and issues audit reports.')
    .addOption(new Option('--now <iso>', 'the instant taken as now (backfills, tests)').argParser(parseNow))
    .option('--data-dir <dir>', 'local state of the stand-ins', '.alert-ledger')
    .option('-q, --quiet', 'print only the result', false)
    .showHelpAfterError('(run alert-ledger --help for usage)')
    .exitOverride();

  const globals = (): GlobalOptions => program.opts<GlobalOptions>();

  program
    .command('demo')
    .description('replay 12 weeks of a simulated organisation and issue the report of the last complete week')
    .option('--out <dir>', 'where to write the report and the email', 'out')
    .option('--seed <n>', 'seed of the simulated organisation', (v) => Number.parseInt(v, 10), 42)
    .action(async (opts: { out: string; seed: number }) => {
      await runDemo(globals(), opts);
    });

  program
    .command('snapshot')
    .description('snapshot the alerts and audit log of an organisation or enterprise (GITHUB_TOKEN required)')
    .option('--org <org>', 'GitHub organisation (with --enterprise: record only this one)', parseOrg)
    .option('--enterprise <slug>', 'list through the enterprise-level APIs (token auth only)')
    .option('--full', 'full reconciliation instead of an incremental snapshot', false)
    .action(async (opts: { org?: string; enterprise?: string; full: boolean }) => {
      if (!opts.org && !opts.enterprise) {
        const message = "error: required option '--org <org>' not specified (or give --enterprise <slug>)";
        process.stderr.write(`${message}\n`);
        throw new CommanderError(2, 'alert-ledger.usage', message);
      }
      await runSnapshotCommand(globals(), opts);
    });

  program
    .command('report')
    .description('issue the report of a period from what the local store holds')
    .requiredOption('--org <org>', 'GitHub organisation', parseOrg)
    .addOption(
      new Option('--period <id>', 'ISO week (2026-W46), month (2026-11) or quarter (2026-Q4)')
        .argParser(parsePeriod)
        .conflicts(['from', 'to']),
    )
    .option('--from <date>', 'first day of a custom range, YYYY-MM-DD (with --to)')
    .option('--to <date>', 'last day of a custom range, YYYY-MM-DD, included (with --from)')
    .option('--out <dir>', 'output folder (default out/<org>/<period>)')
    .action(async (opts: { org: string; period?: string; from?: string; to?: string; out?: string }) => {
      const period = reportPeriodId(opts);
      await runReportCommand(globals(), {
        org: opts.org,
        ...(period === undefined ? {} : { period }),
        ...(opts.out === undefined ? {} : { out: opts.out }),
      });
    });

  const webhook = program.command('webhook').description('the webhook receiver');
  webhook
    .command('serve')
    .description('serve the webhook handler on a local port (GITHUB_WEBHOOK_SECRET required)')
    .option('--port <n>', 'port to listen on', parsePort, 8787)
    .action(async (opts: { port: number }) => {
      await runWebhookServe(globals(), opts);
    });

  program
    .command('verify')
    .description('check report files against the recorded hash chain (exit 1 if anything changed)')
    .argument('<path>', 'a report folder (report.pdf, .html, .json, .csv) or one of its files')
    .option('--org <org>', 'organisation (default: read from report.json)', parseOrg)
    .option('--scope <scope>', 'report scope: org or team-<name> (default: found from the files)', parseScope)
    .action(async (path: string, opts: { org?: string; scope?: string }) => {
      if (!(await runVerifyCommand(globals(), path, opts))) process.exitCode = 1;
    });

  return program;
}

function parseScope(value: string): string {
  if (!/^(org|team-[a-z0-9._-]+)$/.test(value)) {
    throw new InvalidArgumentError('a scope is "org" or "team-<name>" (lower case, as in the S3 path).');
  }
  return value;
}

const KNOWN_ERRORS = [
  CoreError,
  ConfigError,
  InputError,
  GitHubError,
  StoreError,
  RenderError,
  DeliverError,
] as const;

/** Runs the CLI; returns the exit code (0 ok, 1 failed, 2 bad usage). */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  program.configureOutput({ writeErr: (s) => process.stderr.write(s) });
  try {
    process.exitCode = 0;
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are not failures; commander already printed its one-line message.
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' ? 0 : 2;
    }
    if (KNOWN_ERRORS.some((E) => error instanceof E)) {
      process.stderr.write(`error: ${(error as Error).message}\n`);
      return 1;
    }
    process.stderr.write(
      `error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return 1;
  }
}
