/**
 * A 40,000-character answer streamed by the real engine into the chat view of code-server (Chromium): the view's
 * work per delta stays within a stated budget and does not grow with the answer, and Stop ends the turn in the
 * view within 200 ms of the click. The tiny random model decodes fast; its answers run to the answer limit.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { FrameLocator } from 'playwright-core';
import { makeTinyCheckpoint } from './checkpointFixtures';
import { requireRealVsCode } from './codeServer';
import { openHearthView, openWorkbench, tempFolder, type Cleanups } from './workbench';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The answer's length at which Stop is clicked. */
const ANSWER_CHARS = 40_000;
/** The view's mean work per delta over the whole answer: handling the message and its share of the render frames. */
const MEAN_MS_PER_DELTA = 4;
/**
 * The ratio of the second half's work per delta to the first half's that the test allows, each half's the median
 * of its five tenths: a tenth costs more while a long paragraph is open, and with what else the machine runs.
 */
const MAX_GROWTH = 2;
/** From the click on Stop to the turn shown stopped, in the view. */
const STOP_MS = 200;

/**
 * Instruments the chat webview's frame: each delta's handling (a capture listener before the view's, one after
 * it), each animation frame the view renders in (its callback, with the layout it forces to keep the scroll
 * pinned), the click on Stop and the moment the turn shows stopped. An expression, not a function: functions
 * compiled by tsx call its __name helper, which the page does not have.
 */
const probeScript = `(() => {
  const probe = { deltas: [], frames: [], chars: 0, clickedAt: undefined, stoppedAt: undefined };
  globalThis.hearthProbe = probe;
  let start = 0;
  const isDelta = (data) => typeof data === 'object' && data !== null && data.type === 'turnDelta';
  window.addEventListener('message', (event) => { if (isDelta(event.data)) start = performance.now(); }, { capture: true });
  window.addEventListener('message', (event) => {
    if (!isDelta(event.data)) return;
    probe.chars += (event.data.answer ?? '').length + (event.data.reasoning ?? '').length;
    probe.deltas.push([start, performance.now() - start, probe.chars]);
  });
  const request = window.requestAnimationFrame.bind(window);
  window.requestAnimationFrame = (callback) => request((time) => {
    const begin = performance.now();
    callback(time);
    probe.frames.push([begin, performance.now() - begin]);
  });
  document.addEventListener('click', () => (probe.clickedAt ??= performance.now()), { capture: true });
  new MutationObserver(() => {
    const line = document.querySelector('article.turn .context-line');
    if (probe.stoppedAt === undefined && line && (line.textContent ?? '').endsWith('stopped'))
      probe.stoppedAt = performance.now();
  }).observe(document.body, { childList: true, subtree: true, characterData: true });
})()`;

interface Probe {
  /** [arrival, handling ms, answer characters so far] per delta. */
  deltas: [number, number, number][];
  /** [start, ms] per render frame. */
  frames: [number, number][];
  chars: number;
  clickedAt?: number;
  stoppedAt?: number;
}

function readProbe(chat: FrameLocator): Promise<Probe> {
  return chat.locator('body').evaluate<Probe, undefined>('globalThis.hearthProbe');
}

/** The view's work per delta in each tenth of the answer: the deltas' handling plus the frames in their span. */
function workPerDeltaByTenth({ deltas, frames }: Probe): number[] {
  const total = deltas.at(-1)![2];
  const tenths = Array.from({ length: 10 }, (_, tenth) =>
    deltas.filter(([, , chars]) => Math.min(9, Math.floor((10 * (chars - 1)) / total)) === tenth),
  );
  return tenths.map((group, tenth) => {
    const from = group[0][0];
    const to = tenth === 9 ? Infinity : tenths[tenth + 1][0][0];
    const handling = group.reduce((sum, [, ms]) => sum + ms, 0);
    const rendering = frames.filter(([at]) => at >= from && at < to).reduce((sum, [, ms]) => sum + ms, 0);
    return (handling + rendering) / group.length;
  });
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

describe('a long answer in the chat view of code-server (VS Code 1.100.3)', () => {
  const cleanups: Cleanups = [];
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it(
    `streams ${ANSWER_CHARS} characters within ${MEAN_MS_PER_DELTA} ms of view work per delta, and stops within ${STOP_MS} ms`,
    { timeout: 420_000 },
    async (t) => {
      if (!requireRealVsCode(t)) return;
      const root = tempFolder('hearth-long-answer-', cleanups);
      const settings = {
        'hearth.model.path': makeTinyCheckpoint(join(root, 'tiny-qwen3')),
        'hearth.cacheDir': join(root, 'cache'),
        // Random tokens average about five characters: 12,000 tokens run well past the 40,000 characters.
        'hearth.chat.maxTokens': 12_000,
        'hearth.completion.enabled': false,
      };
      const { page } = await openWorkbench({ settings }, cleanups);
      const chat = await openHearthView(page);
      await chat.locator('.model', { hasText: 'tiny-qwen3' }).waitFor({ timeout: 90_000 });
      await chat.locator('button.segment[data-mode="off"]').click(); // the answer, not reasoning, streams

      await chat.locator('body').evaluate(probeScript);
      await chat.locator('textarea.prompt').fill('Walk me through this codebase in detail.');
      await chat.locator('textarea.prompt').press('Enter');
      const turn = chat.locator('article.turn').first();
      const answered = () => chat.locator('body').evaluate<number, undefined>('globalThis.hearthProbe.chars');
      for (let chars = await answered(); chars < ANSWER_CHARS; chars = await answered()) {
        const streaming = (await turn.getAttribute('class'))?.includes('streaming') ?? false;
        assert.ok(streaming, `the answer ended at ${chars} characters, before ${ANSWER_CHARS}`);
        await sleep(250);
      }
      await chat.locator('button.send.stop').click();
      const shownAtStop = (await turn.locator('.answer').textContent()) ?? '';
      await turn.locator('.context-line', { hasText: /context tokens .* · stopped$/ }).waitFor({ timeout: 60_000 });
      const probe = await readProbe(chat);

      const { clickedAt, stoppedAt } = probe;
      assert.ok(clickedAt !== undefined && stoppedAt !== undefined, `not shown stopped (${clickedAt}, ${stoppedAt})`);
      const stopMs = stoppedAt - clickedAt;
      // The work until the click: what came after it is not shown.
      const handled = probe.deltas.filter(([at]) => at < clickedAt);
      const frames = probe.frames.filter(([at]) => at < clickedAt);
      const perDelta = workPerDeltaByTenth({ ...probe, deltas: handled, frames });
      const mean =
        (handled.reduce((sum, [, ms]) => sum + ms, 0) + frames.reduce((sum, [, ms]) => sum + ms, 0)) / handled.length;
      const span = (handled.at(-1)![0] - handled[0][0]) / 1000;
      t.diagnostic(
        `${handled.length} deltas, ${handled.at(-1)![2]} characters in ${span.toFixed(1)} s; view work per delta ${mean.toFixed(2)} ms` +
          ` (by tenth: ${perDelta.map((ms) => ms.toFixed(2)).join(', ')}); ${frames.length} frames;` +
          ` stopped ${stopMs.toFixed(1)} ms after the click`,
      );
      assert.ok(mean <= MEAN_MS_PER_DELTA, `the view worked ${mean.toFixed(2)} ms per delta`);
      const [firstHalf, secondHalf] = [median(perDelta.slice(0, 5)), median(perDelta.slice(5))];
      assert.ok(
        secondHalf <= MAX_GROWTH * firstHalf,
        `the second half cost ${secondHalf.toFixed(2)} ms per delta, more than ${MAX_GROWTH}× the first's ${firstHalf.toFixed(2)} ms`,
      );
      assert.ok(stopMs <= STOP_MS, `shown stopped ${stopMs.toFixed(1)} ms after the click`);
      // What came after the click changed nothing that was shown.
      assert.ok(shownAtStop.length > 0);
      assert.equal((await turn.locator('.answer').textContent()) ?? '', shownAtStop);
    },
  );
});
