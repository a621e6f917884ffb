// The browser-mode server with the test job (tests/testJob.ts) added: what `distillery serve --json` is, plus a
// channel and a job kind the product does not have. Only e2e tests start it (harness.ts `startServer({ testJob })`).
// Arguments: DATA_DIR TOKEN. Prints the same first line as `serve --json`; stops on SIGTERM or SIGINT.
import { createCore } from '../src/main/core/core';
import { rendererDir } from '../src/main/cli/serve';
import { startServer } from '../src/main/server/server';
import { TEST_JOB } from '../tests/testJob';

const [dataDir, token] = process.argv.slice(2);
const core = await createCore({ dataDir, mode: 'browser', seedDemo: true, extensions: [TEST_JOB] });
const server = await startServer({ core, staticDir: rendererDir(), port: 0, token });
process.stdout.write(JSON.stringify({ url: server.url, openUrl: server.openUrl, port: server.port }) + '\n');
await new Promise<void>((resolve) => {
  process.once('SIGINT', resolve);
  process.once('SIGTERM', resolve);
});
await server.close();
await core.dispose();
