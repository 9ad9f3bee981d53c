// Per-frame work at 3 panels x 7 nodes with at least 150 messages in flight:
// the time from a Step to the page being updated, measured in the browser.
// Timings are reported (README "Performance"), never asserted: this machine
// is noisy. What is asserted is the workload itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { serve, launch, open, panel, ROOT, SHOTS } from './harness.mjs';

test('measure the update work per step at 3 x 7 nodes with 150+ messages in flight', async () => {
  const server = await serve();
  const browser = await launch();
  const page = await open(browser, server.url);
  await page.getByLabel('Number of nodes (starts over)').selectOption('7');
  const stepButton = page.getByRole('button', { name: 'Step', exact: true });
  for (let i = 0; i < 400; i++) {
    const raft = await panel(page, 'Raft').getByRole('button', { name: /: Leader, / }).count();
    const zab = await panel(page, 'Zab').getByRole('button', { name: /: Leader, / }).count();
    if (raft === 1 && zab === 1) break;
    await stepButton.click();
  }
  const request = page.getByRole('button', { name: 'Request', exact: true });
  for (let i = 0; i < 25; i++) await request.click();
  const inFlight = await page.locator('svg.ring g.msg').count();
  assert.ok(inFlight >= 150, `only ${inFlight} messages in flight`);
  assert.equal(await page.locator('svg.ring g.node').count(), 21);

  // Time each Step until the page has rendered it: the click's handler, the
  // reducer, and Yew's render, up to the next macrotask.
  const samples = await page.evaluate(async () => {
    const step = [...document.querySelectorAll('button')].find((b) => b.innerText === 'Step');
    const macrotask = () => new Promise((resolve) => {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => resolve();
      ch.port2.postMessage(null);
    });
    const request = [...document.querySelectorAll('button')].find((b) => b.innerText === 'Request');
    const out = [];
    for (let i = 0; i < 25; i++) {
      // Keep the load up: new requests between the measured steps.
      while (document.querySelectorAll('svg.ring g.msg').length < 150) {
        request.click();
        await macrotask();
      }
      const messages = document.querySelectorAll('svg.ring g.msg').length;
      const t0 = performance.now();
      step.click();
      await macrotask();
      out.push({ ms: performance.now() - t0, messages });
    }
    return out;
  });
  const ms = samples.map((s) => s.ms).sort((a, b) => a - b);
  const median = ms[Math.floor(ms.length / 2)];
  const p90 = ms[Math.floor(ms.length * 0.9)];
  const result = {
    panels: 3,
    nodes: 7,
    messages_in_flight_min: Math.min(...samples.map((s) => s.messages)),
    step_update_ms_median: Number(median.toFixed(2)),
    step_update_ms_p90: Number(p90.toFixed(2)),
    dom_elements: await page.evaluate(() => document.getElementsByTagName('*').length),
  };
  console.log(JSON.stringify(result));
  assert.ok(result.messages_in_flight_min >= 150, 'every measured step had 150+ messages in flight');
  await writeFile(join(ROOT, 'target', 'browser-perf.json'), JSON.stringify(result, null, 2));
  await page.screenshot({ path: join(SHOTS, 'busy-7-nodes.png'), fullPage: true });
  assert.deepEqual(page.errors, []);
  await browser.close();
  await server.close();
});
