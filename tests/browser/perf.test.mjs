// Measured in the browser: the time from a Step to the page being updated at
// 3 panels x 7 nodes with at least 150 messages in flight, and the time to
// open each guided scenario and to go to each of its next steps, and the time
// from opening the page to its first interactive frame.
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
  // Counted from the rings' names: where many share a link, dots fold into a badge.
  const inFlight = await page.evaluate(() => [...document.querySelectorAll('svg.ring')].reduce((n, s) => n + Number(s.getAttribute('aria-label').match(/(\d+) messages in flight/)[1]), 0));
  assert.ok(inFlight >= 150, `only ${inFlight} messages in flight`);
  assert.equal(await page.locator('svg.ring g.node').count(), 21);

  // Two timings per Step, 25 steps each, keeping 150+ messages in flight
  // (new requests between the measured steps):
  // - update: the click's handler, the reducer and Yew's render, up to the
  //   next macrotask;
  // - frame: until its frame is on screen. The click is sent from the start of
  //   a frame (an animation frame callback), so the page's script, style,
  //   layout and paint for it all happen in that frame; a macrotask queued
  //   there runs once the frame is done.
  const { samples, frames } = await page.evaluate(async () => {
    const button = (text) => [...document.querySelectorAll('button')].find((b) => b.innerText === text);
    const step = button('Step');
    const request = button('Request');
    const macrotask = () => new Promise((resolve) => {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => resolve();
      ch.port2.postMessage(null);
    });
    const update = async () => {
      const t0 = performance.now();
      step.click();
      await macrotask();
      return performance.now() - t0;
    };
    const frame = () => new Promise((resolve) => {
      requestAnimationFrame(async () => resolve(await update()));
    });
    const inFlight = () => [...document.querySelectorAll('svg.ring')].reduce((n, s) => n + Number(s.getAttribute('aria-label').match(/(\d+) messages in flight/)[1]), 0);
    const measure = async (time) => {
      const out = [];
      for (let i = 0; i < 25; i++) {
        while (inFlight() < 150) {
          request.click();
          await macrotask();
        }
        const messages = inFlight();
        out.push({ ms: await time(), messages });
      }
      return out;
    };
    return { samples: await measure(update), frames: await measure(frame) };
  });
  const quantiles = (xs) => {
    const sorted = xs.map((s) => s.ms).sort((a, b) => a - b);
    return [sorted[Math.floor(sorted.length / 2)], sorted[Math.floor(sorted.length * 0.9)]];
  };
  const [median, p90] = quantiles(samples);
  const [frameMedian, frameP90] = quantiles(frames);
  const result = {
    panels: 3,
    nodes: 7,
    messages_in_flight_min: Math.min(...samples.concat(frames).map((s) => s.messages)),
    step_update_ms_median: Number(median.toFixed(2)),
    step_update_ms_p90: Number(p90.toFixed(2)),
    step_frame_ms_median: Number(frameMedian.toFixed(2)),
    step_frame_ms_p90: Number(frameP90.toFixed(2)),
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

test('measure opening guided scenarios and going to their next steps', async (t) => {
  const server = await serve();
  const browser = await launch();
  // A failed claim must not leave the server and browser running (the
  // test process would never end).
  t.after(async () => {
    await browser.close();
    await server.close();
  });
  const first = await open(browser, server.url);
  const ids = await first.getByLabel('Guided scenario').locator('option').evaluateAll(
    (os) => os.map((o) => o.value).filter((v) => v !== ''));
  await first.close();
  const opens = [];
  const nexts = [];
  for (const id of ids) {
    const page = await open(browser, server.url);
    // Opening: the menu's change, working out the script, replaying to
    // step 1 and rendering it, up to the next macrotask.
    const [openMs, steps] = await page.evaluate(async (id) => {
      const macrotask = () => new Promise((resolve) => {
        const ch = new MessageChannel();
        ch.port1.onmessage = () => resolve();
        ch.port2.postMessage(null);
      });
      const select = document.querySelector('select[aria-label="Guided scenario"]');
      const t0 = performance.now();
      select.value = id;
      select.dispatchEvent(new Event('change', { bubbles: true }));
      // Up to the first macrotask after the narration shows (one, unless
      // the machine is busy).
      let count = null;
      for (let i = 0; i < 100 && !count; i++) {
        await macrotask();
        count = document.querySelector('.narration-count');
      }
      const ms = performance.now() - t0;
      if (!count) throw new Error(`scenario ${id} opened no narration`);
      return [ms, Number(count.innerText.match(/of (\d+)/)[1])];
    }, id);
    opens.push(openMs);
    for (let i = 2; i <= steps; i++) {
      nexts.push(await page.evaluate(async (i) => {
        const macrotask = () => new Promise((resolve) => {
          const ch = new MessageChannel();
          ch.port1.onmessage = () => resolve();
          ch.port2.postMessage(null);
        });
        const t0 = performance.now();
        document.querySelector('button[aria-label="Next narration step"]').click();
        await macrotask();
        const ms = performance.now() - t0;
        if (!document.querySelector('.narration-count').innerText.startsWith(`Step ${i} `)) throw new Error('not rendered');
        return ms;
      }, i));
    }
    assert.deepEqual(page.errors, [], id);
    await page.close();
  }
  const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return Number(s[Math.floor(s.length / 2)].toFixed(2)); };
  const max = (xs) => Number(Math.max(...xs).toFixed(2));
  const result = {
    scenarios: ids.length,
    open_ms_median: median(opens),
    open_ms_max: max(opens),
    next_steps_measured: nexts.length,
    next_ms_median: median(nexts),
    next_ms_max: max(nexts),
  };
  console.log(JSON.stringify(result));
  assert.equal(result.scenarios, 30);
  await writeFile(join(ROOT, 'target', 'browser-perf-scenarios.json'), JSON.stringify(result, null, 2));
});

test('measure page load to interactive, plain and with the CPU slowed 4x', async (t) => {
  const server = await serve();
  const browser = await launch();
  t.after(async () => {
    await browser.close();
    await server.close();
  });
  // Interactive: the first frame painted with the panels on it (the app
  // is mounted, so Step works from then on), timed from the navigation's
  // start. Each load is a first visit: a new context, with an empty cache
  // and no autosave.
  const load = async (slowdown) => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.addInitScript(() => {
      window.__interactive = new Promise((resolve) => {
        const seen = () => {
          if (document.querySelector('section.panel .clock')) {
            requestAnimationFrame(() => setTimeout(() => resolve(performance.now())));
            return true;
          }
          return false;
        };
        const watch = new MutationObserver(() => { if (seen()) watch.disconnect(); });
        watch.observe(document, { childList: true, subtree: true });
      });
    });
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: slowdown });
    await page.goto(server.url);
    const ms = await page.evaluate(() => window.__interactive);
    const panels = await page.locator('section.panel').count();
    await context.close();
    assert.deepEqual(errors, []);
    assert.equal(panels, 3, 'the three panels are there');
    return ms;
  };
  const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return Number(s[Math.floor(s.length / 2)].toFixed(1)); };
  const plain = [];
  const slowed = [];
  // Interleaved, so both see the same machine.
  for (let i = 0; i < 7; i++) {
    plain.push(await load(1));
    slowed.push(await load(4));
  }
  const result = {
    loads: plain.length,
    interactive_ms_median: median(plain),
    interactive_ms_max: Number(Math.max(...plain).toFixed(1)),
    interactive_cpu4x_ms_median: median(slowed),
    interactive_cpu4x_ms_max: Number(Math.max(...slowed).toFixed(1)),
  };
  console.log(JSON.stringify(result));
  await writeFile(join(ROOT, 'target', 'browser-perf-load.json'), JSON.stringify(result, null, 2));
});
