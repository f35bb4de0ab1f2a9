// The AWS SDK warns on every start under Node 20 that releases after early 2027 need Node 22.
// The deployed Lambdas run Node 22; on a laptop the warning only buries the CLI's own output.
// The SDK's own switch, set before any client is made (one set by the user is kept).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { main } = await import('./main.ts');
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`error: ${String(error)}\n`);
    process.exitCode = 1;
  },
);
