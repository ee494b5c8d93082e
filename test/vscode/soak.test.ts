/**
 * The soak, small enough for CI: 60 chat and completion requests with random cancellations and one engine kill,
 * through the extension in code-server. `npm run soak` runs the full one (500 requests, 5 kills).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { requireRealVsCode } from './codeServer';
import { runSoakInCodeServer } from './soakInCodeServer';
import { formatSoakReport } from '../suite/soakReport';

describe('soak through the extension in code-server (VS Code 1.100.3)', () => {
  it(
    '60 requests, random cancellations, 1 engine kill: none stuck, none lost, all accounted for',
    { timeout: 600_000 },
    async (t) => {
      if (!requireRealVsCode(t)) return;
      const run = await runSoakInCodeServer({ requests: 60, kills: 1, seed: 18 }, 540_000);
      if (run.report) t.diagnostic(formatSoakReport(run.report).join('\n'));
      assert.equal(run.code, 0, `the soak suite failed:\n${run.output.join('\n')}`);
      assert.ok(run.report, 'the soak wrote no report');
      assert.equal(run.report.ran, 60);
      assert.equal(run.report.kills.length, 1);
      assert.equal(run.report.chat.stuck + run.report.completion.stuck, 0);
      assert.equal(run.report.conversations.lostTurns, 0);
      assert.deepEqual(run.report.unexplainedFailures, []);
    },
  );
});
