// The soak through the extension: chat and completion requests with random cancellations and engine kills, in a
// real VS Code (code-server) with this checkout as the extension; prints how every request ended, the kills
// survived, the longest request and the engine's memory. Exits non-zero when an assertion of the soak failed.
//   npm run soak [-- --requests 500 --kills 5 --seed 18 --log hearth.log]   (--log: keep the Hearth output channel)
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { formatSoakReport } from '../test/suite/soakReport';
import { runSoakInCodeServer } from '../test/vscode/soakInCodeServer';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '500' },
    kills: { type: 'string', default: '5' },
    seed: { type: 'string', default: '18' },
    log: { type: 'string' },
  },
});
const options = { requests: Number(values.requests), kills: Number(values.kills), seed: Number(values.seed) };
for (const [name, value] of Object.entries(options)) {
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} takes a whole number, not "${String(value)}".`);
}

async function main(): Promise<void> {
  const run = await runSoakInCodeServer(options, options.requests * 4_000 + 300_000);
  if (values.log !== undefined) writeFileSync(values.log, run.hearthLog.join('\n'));
  if (run.report) console.log(formatSoakReport(run.report).join('\n'));
  // Completions fail quietly (no ghost text): the Hearth log says why.
  const failures = new Map<string, number>();
  for (const line of run.hearthLog) {
    const failure = /\[completion\] (.*)$/.exec(line)?.[1]?.replace(/\d+/g, 'N');
    if (failure !== undefined && / failed: |no completion model/.test(failure))
      failures.set(failure, (failures.get(failure) ?? 0) + 1);
  }
  for (const [failure, count] of failures) console.log(`completion log: ${count}× ${failure}`);
  if (run.code !== 0) {
    console.error(`The soak failed (exit code ${run.code}); the extension host's output:\n${run.output.join('\n')}`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
