// The playground in a real headless Chromium, against the release build.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { serve, launch, open, clock, clockAfter, panel, SHOTS } from './harness.mjs';

let server;
let browser;

before(async () => {
  server = await serve();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

async function step(page, times = 1) {
  for (let i = 0; i < times; i++) await page.getByRole('button', { name: 'Step', exact: true }).click();
}

/** Step until Raft and Zab each have an established leader. */
async function untilLeaders(page) {
  for (let i = 0; i < 300; i++) {
    const raft = await panel(page, 'Raft').getByRole('button', { name: /: Leader, / }).count();
    const zab = await panel(page, 'Zab').getByRole('button', { name: /: Leader, / }).count();
    if (raft === 1 && zab === 1) return;
    await step(page);
  }
  assert.fail('no leaders after 300 steps');
}

// Leaders, and Raft's leader in office: its no-op is known committed on
// every node, so a request that follows is replicated on its own.
async function untilSettled(page) {
  await untilLeaders(page);
  const raft = panel(page, 'Raft');
  const nodes = await raft.getByRole('button', { name: /^n\d: / }).count();
  for (let i = 0; i < 300; i++) {
    if (await raft.locator('.entry.no-op.committed').count() === nodes) return;
    await step(page);
  }
  assert.fail("Raft's no-op not committed everywhere after 300 steps");
}

test('loads three panels, paused, with no console errors', async () => {
  const page = await open(browser, server.url);
  const titles = await page.locator('section.panel h2').allInnerTexts();
  assert.deepEqual(titles, ['Raft', 'Basic Paxos', 'Zab']);
  assert.equal(await page.getByRole('button', { name: 'Play' }).getAttribute('aria-pressed'), 'false');
  assert.equal(await clock(page, 'Raft'), 't=0');
  assert.equal(await page.locator('svg.ring g.node').count(), 15, '3 panels x 5 nodes');
  await page.screenshot({ path: join(SHOTS, 'loaded.png'), fullPage: true });
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('at 1440x900 the first screen holds every ring, its figures and its logs', async () => {
  const page = await open(browser, server.url, { viewport: { width: 1440, height: 900 } });
  await untilLeaders(page);
  await panel(page, 'Raft').locator('table.logs').waitFor();
  for (const title of ['Raft', 'Basic Paxos', 'Zab']) {
    const p = panel(page, title);
    for (const [what, el] of [['figures', p.locator('.panel-cost')], ['ring', p.locator('svg.ring')], ['logs', p.locator('table.logs, .logs-empty').first()]]) {
      const box = await el.boundingBox();
      assert.ok(box.y + box.height <= 900, `${title}'s ${what} end at ${box.y + box.height}px`);
    }
  }
  await page.screenshot({ path: join(SHOTS, 'first-screen-1440x900.png') });
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('Step advances every panel on one clock; Step back undoes it', async () => {
  const page = await open(browser, server.url);
  await step(page, 3);
  const t = await clock(page, 'Raft');
  assert.notEqual(t, 't=0');
  assert.equal(await clock(page, 'Zab'), t);
  assert.equal(await clock(page, 'Basic Paxos'), t);
  // Every panel says how many steps were taken, which changes even when
  // several steps happen at one tick.
  assert.deepEqual(await page.locator('section.panel .step-no').allInnerTexts(), ['step 3', 'step 3', 'step 3']);
  await page.getByRole('button', { name: 'Step back' }).click();
  assert.notEqual(await clockAfter(page, 'Raft', t), t);
  assert.equal(await panel(page, 'Raft').locator('.step-no').innerText(), 'step 2');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('keyboard: arrows step, Space plays and pauses, ? opens help', async () => {
  const page = await open(browser, server.url);
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('ArrowRight');
  const t1 = await clockAfter(page, 'Raft', 't=0');
  await page.keyboard.press('ArrowRight');
  const t2 = await clockAfter(page, 'Raft', t1);
  await page.keyboard.press('ArrowLeft');
  assert.equal(await clockAfter(page, 'Raft', t2), t1);
  // Keys keep working after a button was clicked (focus stays on it).
  await page.getByRole('button', { name: 'Request', exact: true }).click();
  const before = await clock(page, 'Raft');
  await page.keyboard.press('ArrowRight');
  assert.notEqual(await clockAfter(page, 'Raft', before), before);
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('Space');
  assert.equal(await page.getByRole('button', { name: 'Pause' }).getAttribute('aria-pressed'), 'true');
  await page.waitForFunction(() => document.querySelector('section.panel .clock').innerText !== 't=0');
  const live = () => page.locator('ol.event-log').evaluateAll((ls) => ls.map((l) => l.getAttribute('aria-live')));
  assert.deepEqual(await live(), ['off', 'off', 'off'], 'logs are not read aloud while playing');
  await page.keyboard.press('Space');
  assert.equal(await page.getByRole('button', { name: 'Play' }).getAttribute('aria-pressed'), 'false');
  assert.deepEqual(await live(), ['polite', 'polite', 'polite']);
  await page.keyboard.press('?');
  const help = page.getByRole('dialog', { name: 'Keyboard and reading guide' });
  assert.ok(await help.isVisible());
  await page.screenshot({ path: join(SHOTS, 'help.png') });
  // A modal: focus moves in and Tab stays in; Escape closes it.
  const focusInDialog = () => page.evaluate(() => !!document.activeElement?.closest('dialog'));
  assert.ok(await focusInDialog(), 'focus moves into the dialog');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  assert.ok(await focusInDialog(), 'Tab stays in the dialog');
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => document.querySelectorAll('dialog').length === 0);
  await page.keyboard.press('?');
  await help.waitFor();
  await page.keyboard.press('?');
  await page.waitForFunction(() => document.querySelectorAll('dialog').length === 0);
  await page.keyboard.press('?');
  await help.waitFor();
  await page.getByRole('button', { name: 'Close' }).click();
  assert.equal(await page.getByRole('dialog').count(), 0);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('Deliver and Drop act on the chosen message of one panel', async () => {
  const page = await open(browser, server.url);
  const raft = panel(page, 'Raft');
  await raft.getByRole('button', { name: /Fire n1's election timer now/ }).click();
  const pending = raft.locator('.pending summary');
  assert.match(await pending.innerText(), /Pending: 4 messages/);
  await raft.getByRole('button', { name: /^Deliver message #/ }).first().click();
  assert.match(await raft.locator('.event-log').innerText(), /RequestVote/);
  const afterDeliver = await pending.innerText();
  await raft.getByRole('button', { name: /^Drop message #/ }).first().click();
  assert.notEqual(await pending.innerText(), afterDeliver);
  assert.match(await raft.locator('.event-log').innerText(), /dropped on purpose/);
  // The message inspector: click a message, then Duplicate it.
  await raft.locator('.pending button.link').first().click();
  const inspector = page.locator('.inspector');
  assert.match(await inspector.innerText(), /fields/);
  await inspector.getByRole('button', { name: 'Duplicate' }).click();
  assert.match(await raft.locator('.event-log').innerText(), /duplicates/);
  await page.screenshot({ path: join(SHOTS, 'message.png'), fullPage: true });
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('Crash, Restart and Isolate a node; Heal restores the links', async () => {
  const page = await open(browser, server.url);
  const raft = panel(page, 'Raft');
  await raft.getByRole('button', { name: /^n2: / }).click();
  const inspector = page.locator('.inspector');
  assert.match(await inspector.innerText(), /Raft: n2/);
  await inspector.getByRole('button', { name: 'Crash' }).click();
  for (const title of ['Raft', 'Basic Paxos', 'Zab']) {
    assert.match(await panel(page, title).getByRole('button', { name: /^n2: / }).getAttribute('aria-label'), /down/);
  }
  await inspector.getByRole('button', { name: 'Restart' }).click();
  assert.doesNotMatch(await raft.getByRole('button', { name: /^n2: / }).getAttribute('aria-label'), /down/);
  await inspector.getByRole('button', { name: 'Isolate' }).click();
  assert.equal(await raft.locator('line.edge.cut').count(), 4, 'n2 cut from the 4 others');
  await page.screenshot({ path: join(SHOTS, 'isolated.png'), fullPage: true });
  await page.getByRole('button', { name: 'Heal' }).click();
  assert.equal(await page.locator('line.edge.cut').count(), 0);
  // A one-way cut: only the half leading to the node that no longer hears.
  await page.getByLabel('Cut link from').selectOption('1');
  await page.getByLabel('Cut link to').selectOption('3');
  await page.getByRole('button', { name: 'Cut link' }).click();
  assert.equal(await raft.locator('line.edge.cut').count(), 1);
  const half = await raft.locator('line.edge.cut.one-way').boundingBox();
  const n1 = await raft.getByRole('button', { name: /^n1: / }).boundingBox();
  const n3 = await raft.getByRole('button', { name: /^n3: / }).boundingBox();
  const dist = (b, n) => Math.hypot(b.x + b.width / 2 - (n.x + n.width / 2), b.y + b.height / 2 - (n.y + n.height / 2));
  assert.ok(dist(half, n3) < dist(half, n1), 'the cut half is on n3\'s side');
  await page.getByRole('button', { name: 'Heal' }).click();
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('inspectors open beside what was clicked: focus moves in, Tab stays in, Escape gives it back; a bottom sheet on a phone', async () => {
  for (const [width, height] of [[1440, 900], [1280, 720], [390, 844]]) {
    const page = await open(browser, server.url, { viewport: { width, height } });
    const raft = panel(page, 'Raft');
    for (const name of ['n1', 'n2', 'n3', 'n4', 'n5']) {
      const node = raft.getByRole('button', { name: new RegExp(`^${name}: `) });
      await node.click();
      const popover = page.getByRole('dialog', { name: `Raft: ${name}` });
      await popover.waitFor();
      assert.ok(await popover.evaluate((el) => el.contains(document.activeElement)), `focus is in ${name}'s inspector`);
      const [p, n] = [await popover.boundingBox(), await node.boundingBox()];
      assert.ok(p.x >= 0 && p.x + p.width <= width + 1, `${name}'s inspector is on the screen at ${width}`);
      if (width < 600) {
        // A bottom sheet: the width of the screen, at its foot.
        assert.ok(Math.abs(p.y + p.height - height) < 2 && p.width > width - 4, 'a bottom sheet');
      } else {
        // Beside the node: no further from it than a node's width, and not on it.
        const gapX = Math.max(p.x - (n.x + n.width), n.x - (p.x + p.width), 0);
        const gapY = Math.max(p.y - (n.y + n.height), n.y - (p.y + p.height), 0);
        assert.ok(gapX < n.width && gapY < n.height, `${name}'s inspector is beside it (${gapX}, ${gapY})`);
        const overlapX = Math.min(p.x + p.width, n.x + n.width) - Math.max(p.x, n.x);
        const overlapY = Math.min(p.y + p.height, n.y + n.height) - Math.max(p.y, n.y);
        assert.ok(overlapX <= 1 || overlapY <= 1, `${name}'s inspector does not hide it`);
      }
      // Tab cycles through its controls and never leaves it.
      for (let i = 0; i < 9; i++) {
        await page.keyboard.press('Tab');
        assert.ok(await popover.evaluate((el) => el.contains(document.activeElement)), 'Tab stays in the inspector');
      }
      await page.keyboard.press('Shift+Tab');
      assert.ok(await popover.evaluate((el) => el.contains(document.activeElement)), 'Shift+Tab stays in the inspector');
      if (name === 'n2') {
        await page.screenshot({ path: join(SHOTS, `inspector-${width}x${height}.png`) });
      }
      await page.keyboard.press('Escape');
      await popover.waitFor({ state: 'detached' });
      assert.match(await page.evaluate(() => document.activeElement.getAttribute('aria-label') ?? ''), new RegExp(`^${name}: `), 'Escape gives focus back to the node');
    }
    // From the keyboard: Enter on a node opens it, Close gives focus back.
    await raft.getByRole('button', { name: /^n3: / }).focus();
    await page.keyboard.press('Enter');
    const popover = page.getByRole('dialog', { name: 'Raft: n3' });
    await popover.getByRole('button', { name: 'Close' }).click();
    await popover.waitFor({ state: 'detached' });
    assert.match(await page.evaluate(() => document.activeElement.getAttribute('aria-label') ?? ''), /^n3: /);
    // A message's inspector opens on the ring too, by its link.
    await raft.getByRole('button', { name: /Fire n1's election timer now/ }).click();
    await raft.locator('.pending button.link').first().click();
    const message = page.getByRole('dialog', { name: /^Raft: message #/ });
    await message.waitFor();
    const [m, ring] = [await message.boundingBox(), await raft.locator('svg.ring').boundingBox()];
    if (width >= 600) {
      assert.ok(m.y < ring.y + ring.height && m.y + m.height > ring.y, 'the message inspector is on the ring');
    }
    assert.deepEqual(page.errors, []);
    await page.close();
  }
});

test('the ring: drag across it to partition, click a link to cut it both ways, an arrowhead one way, or partition from the keyboard; messages lettered, spread and folded', async () => {
  // The ring tools at a desktop's size and a projector's.
  for (const [width, height] of [[1280, 720], [1440, 900]]) {
    const page = await open(browser, server.url, { viewport: { width, height } });
    const raft = panel(page, 'Raft');
    const ring = raft.locator('svg.ring');
    await ring.scrollIntoViewIfNeeded();
    const box = await ring.boundingBox();
    const at = (x, y) => [box.x + (x * box.width) / 300, box.y + (y * box.height) / 300];
    // A vertical line through the centre: n2, n3 on one side, n4, n5 on the other, n1 (on it) with one of them.
    await page.mouse.move(...at(150, 2));
    await page.mouse.down();
    await page.mouse.move(...at(150, 150), { steps: 4 });
    await page.mouse.move(...at(150, 298), { steps: 4 });
    await page.mouse.up();
    for (const title of ['Raft', 'Basic Paxos', 'Zab']) {
      assert.equal(await panel(page, title).locator('line.edge.cut').count(), 6, `${title}: 2 x 3 links cut`);
      assert.equal(await panel(page, title).locator('polygon.region').count(), 2, `${title}: two shaded sides`);
    }
    await page.screenshot({ path: join(SHOTS, `drawn-partition-${width}x${height}.png`) });
    await page.getByRole('button', { name: 'Heal' }).click();
    assert.equal(await page.locator('polygon.region').count(), 0);
    // A click on the n1-n3 link cuts it both ways, and is one undoable action.
    const link = raft.locator('g.link').filter({ has: page.locator('title', { hasText: 'Cut n1–n3 both ways' }) });
    await link.locator('line.link-hit').click({ force: true });
    assert.equal(await raft.locator('line.edge.cut').count(), 1);
    assert.equal(await raft.locator('line.edge.cut.one-way').count(), 0, 'both ways: no half-cut');
    assert.equal(await page.locator('polygon.region').count(), 0, 'one link cut is no partition');
    await page.getByRole('button', { name: 'Step back' }).click();
    assert.equal(await raft.locator('line.edge.cut').count(), 0);
    // An arrowhead cuts one way only: the half by the node that stops hearing.
    const n4n2 = raft.locator('g.link path.arrowhead').filter({ has: page.locator('title', { hasText: 'Cut n4→n2 only' }) });
    await n4n2.hover({ force: true });
    await n4n2.click({ force: true });
    assert.equal(await raft.locator('line.edge.cut.one-way').count(), 1);
    const half = await raft.locator('line.edge.cut.one-way').boundingBox();
    const centre = async (name) => { const b = await raft.getByRole('button', { name }).boundingBox(); return [b.x + b.width / 2, b.y + b.height / 2]; };
    const [c2, c4] = [await centre(/^n2: /), await centre(/^n4: /)];
    const d = ([x, y]) => Math.hypot(half.x + half.width / 2 - x, half.y + half.height / 2 - y);
    assert.ok(d(c2) < d(c4), "the cut half is on n2's side");
    await page.getByRole('button', { name: 'Heal' }).click();
    // From the keyboard, with the Network editor: n4 and n5 into group B.
    for (const n of ['n4', 'n5']) {
      await page.getByLabel(`Group of ${n}`).focus();
      await page.keyboard.press('ArrowDown');
    }
    await page.getByRole('button', { name: 'Apply partition' }).focus();
    await page.keyboard.press('Enter');
    for (const title of ['Raft', 'Basic Paxos', 'Zab']) {
      assert.equal(await panel(page, title).locator('line.edge.cut').count(), 6, `${title}: {n1,n2,n3} | {n4,n5} cuts 6 links`);
      assert.equal(await panel(page, title).locator('polygon.region').count(), 2, `${title}: two shaded sides`);
    }
    assert.deepEqual(page.errors, []);
    if (width === 1440) {
      await page.getByRole('button', { name: 'Heal' }).click();
      await messagesAndLog(page, raft);
    }
    await page.close();
  }
});

// The rest of the ring test: messages and the event log, once.
async function messagesAndLog(page, raft) {
  // Messages: a letter for the part each plays, named in words; the legend says what they mean.
  await step(page, 12);
  const dots = page.locator('g.msg[role=button]');
  assert.ok(await dots.count() > 0, 'messages in flight');
  assert.match(await dots.first().getAttribute('aria-label'), /^Message #\d+ \S+ \((asks|answers|carries entries|acknowledges|commits|refuses|syncs a node|heartbeat)\) from n\d to n\d$/);
  assert.match(await dots.first().locator('text.mark').textContent(), /^[?!EACNSH]$/);
  const legend = await page.locator('.msg-legend').innerText();
  for (const part of ['asks', 'answers', 'carries entries', 'acknowledges', 'commits', 'heartbeat']) assert.ok(legend.includes(part), part);
  // Hovering a message on the ring highlights its arrow in the space-time
  // diagram, and hovering an arrow highlights its message on the ring.
  const zab = panel(page, 'Zab');
  await page.evaluate(() => window.scrollTo(0, 0));
  await zab.locator('details.diagram summary').click();
  const dot = zab.locator('g.msg[role=button]').first();
  const id = (await dot.getAttribute('aria-label')).match(/^Message #(\d+)/)[1];
  const arrow = zab.locator('line.arrow').filter({ has: page.locator('title', { hasText: new RegExp(`^#${id} `) }) });
  await dot.hover();
  // (An arrow sent this tick is flat, so wait for it to be there, not seen.)
  await zab.locator('line.arrow.hovered').first().waitFor({ state: 'attached' });
  assert.match(await arrow.getAttribute('class'), /\bhovered\b/, 'its arrow is highlighted');
  await page.mouse.move(0, 0);
  await zab.locator('line.arrow.hovered').waitFor({ state: 'detached' });
  await zab.locator('line.arrow.inflight').last().hover({ force: true });
  const hoveredArrow = await zab.locator('line.arrow.hovered title').first().textContent();
  await zab.locator('g.msg.hovered').waitFor();
  assert.equal((await zab.locator('g.msg.hovered').getAttribute('aria-label')).match(/^Message #(\d+)/)[1],
    hoveredArrow.match(/^#(\d+)/)[1], 'the arrow under the pointer highlights its dot');
  await page.mouse.move(0, 0);
  await zab.locator('details.diagram summary').click();
  // Zab's start-up votes are spread along their links: no two dots on one spot.
  const spots = await panel(page, 'Zab').locator('g.msg[role=button]').evaluateAll((gs) => gs.map((g) => g.style.transform));
  assert.equal(new Set(spots).size, spots.length, 'every Zab message in its own place');
  // Heartbeats fold into one line once a leader holds office.
  await untilLeaders(page);
  await step(page, 40);
  const fold = raft.locator('.event-log li.routine').first();
  assert.match(await fold.locator('summary').innerText(), /\d+ heartbeats: messages and timers that keep the leader in place/);
  await fold.locator('summary').click();
  assert.match(await fold.innerText(), /AppendEntries/);
  assert.deepEqual(page.errors, []);
}

test('Request: decisions fill the "Messages per decision" table at textbook cost', async () => {
  const page = await open(browser, server.url);
  await untilSettled(page);
  await page.getByRole('button', { name: 'Request', exact: true }).click();
  await step(page, 40);
  const table = page.getByRole('table', { name: 'Messages per decision' });
  const rows = await table.locator('tbody tr').allInnerTexts();
  assert.equal(rows.length, 3);
  for (const [row, textbook] of [[rows[0], '8.00'], [rows[1], '16.00'], [rows[2], '12.00']]) {
    const cells = row.split('\t');
    assert.equal(cells[1], '1', `one decision: ${row}`);
    assert.equal(cells[2].trim(), textbook, `measured = textbook: ${row}`);
  }
  assert.ok(await page.locator('.chart rect.bar').count() >= 3);
  // The headline figures also sit at the top of each panel.
  for (const [title, textbook] of [['Raft', 8], ['Basic Paxos', 16], ['Zab', 12]]) {
    assert.equal(await panel(page, title).locator('.panel-cost').innerText(),
      `1 decision · ${textbook}.00 messages per decision · textbook ${textbook}`);
  }
  // "Only the why" hides deliveries and timers, and keeps the decision.
  const raftLog = panel(page, 'Raft').locator('.event-log');
  assert.ok(await raftLog.locator('li.msg').count() > 0);
  await panel(page, 'Raft').getByRole('checkbox', { name: /Only the why/ }).check();
  assert.equal(await raftLog.locator('li.msg').count(), 0);
  assert.ok(await raftLog.locator('li.decision').count() > 0, 'the decision stays');
  await page.screenshot({ path: join(SHOTS, 'decided.png'), fullPage: true });
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('Request before any leader waits for one, and every panel decides it', async () => {
  const page = await open(browser, server.url + '?protocols=raft,paxos,zab&nodes=5&seed=1');
  await page.getByRole('button', { name: 'Request', exact: true }).click();
  // Raft and Zab have no leader yet: the client holds v1 and says so.
  for (const title of ['Raft', 'Zab']) {
    await panel(page, title).locator('.waiting').waitFor();
    assert.match(await panel(page, title).locator('.waiting').innerText(), /^v1 waits for a leader/);
    assert.match(await panel(page, title).locator('.event-log').innerText(), /request v1 waits, no leader to take it/);
  }
  // Basic Paxos has no leader to wait for: some node proposes at once.
  assert.equal(await panel(page, 'Basic Paxos').locator('.waiting').count(), 0);
  for (let i = 0; i < 300; i++) {
    const costs = await page.locator('.panel-cost').allInnerTexts();
    if (costs.every((c) => c.startsWith('1 decision'))) break;
    await step(page);
  }
  for (const title of ['Raft', 'Basic Paxos', 'Zab']) {
    assert.match(await panel(page, title).locator('.panel-cost').innerText(), /^1 decision/, title);
    assert.equal(await panel(page, title).locator('.waiting').count(), 0, title);
  }
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('Protocols: Multi-Paxos joins the same session, costs 2(N-1) per decision, and panels can be hidden', async () => {
  const page = await open(browser, server.url);
  await step(page, 5);
  const before = await clock(page, 'Raft');
  await page.locator('summary', { hasText: 'Protocols' }).click();
  await page.getByRole('checkbox', { name: 'Show Multi-Paxos (replays the session)' }).check();
  await page.waitForSelector('section.panel h2:text-is("Multi-Paxos")');
  // Added after five steps, it has been through the same five.
  assert.equal(await clock(page, 'Multi-Paxos'), before);
  await page.waitForFunction(() => location.hash.includes('p=rpzm'));
  await untilSettled(page);
  for (let i = 0; i < 200 && await panel(page, 'Multi-Paxos').getByRole('button', { name: /: Leader, / }).count() === 0; i++) {
    await step(page);
  }
  await page.getByRole('button', { name: 'Request', exact: true }).click();
  await step(page, 40);
  assert.equal(await panel(page, 'Multi-Paxos').locator('.panel-cost').innerText(),
    '1 decision · 8.00 messages per decision · textbook 8');
  const rows = await page.getByRole('table', { name: 'Messages per decision' }).locator('tbody tr').allInnerTexts();
  assert.equal(rows.length, 4);
  assert.ok(rows[3].startsWith('Multi-Paxos'), rows[3]);
  // Hiding a panel keeps the others as they were.
  const zab = await clock(page, 'Zab');
  await page.getByRole('checkbox', { name: 'Show Basic Paxos (replays the session)' }).uncheck();
  await page.waitForFunction(() => ![...document.querySelectorAll('section.panel h2')].some((h) => h.textContent === 'Basic Paxos'));
  assert.equal(await clock(page, 'Zab'), zab);
  assert.equal(await page.locator('section.panel').count(), 3);
  await page.screenshot({ path: join(SHOTS, 'multipaxos.png'), fullPage: true });
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('Viewstamped Replication: view 0 runs from the start, a crashed primary gives way to the next view, a restarted replica recovers', async () => {
  const page = await open(browser, server.url + '?protocols=raft,vr');
  const vr = panel(page, 'Viewstamped Replication');
  // No election: n1 is view 0's primary before anything happens.
  assert.equal(await vr.getByRole('button', { name: /^n1: Primary, / }).count(), 1);
  await page.getByRole('button', { name: 'Request', exact: true }).click();
  for (let i = 0; i < 60 && !(await vr.locator('.panel-cost').innerText()).startsWith('1 decision'); i++) await step(page);
  assert.equal(await vr.locator('.panel-cost').innerText(), '1 decision · 8.00 messages per decision · textbook 8');
  // Crash the primary: a backup's view-change timer runs out, and n2, the
  // primary of view 1 (round-robin), takes over with the log.
  await vr.getByRole('button', { name: /^n1: / }).click();
  const inspector = page.locator('.inspector');
  await inspector.getByRole('button', { name: 'Crash' }).click();
  for (let i = 0; i < 400 && await vr.getByRole('button', { name: /^n2: Primary, / }).count() === 0; i++) await step(page);
  assert.equal(await vr.getByRole('button', { name: /^n2: Primary, / }).count(), 1, 'n2 leads view 1');
  assert.match(await vr.locator('.node-era').first().textContent(), /^(×|V\d+)$/);
  assert.ok(await vr.getByRole('img', { name: /^op 1, view 0, v1, committed/ }).count() >= 2, 'v1 kept by the view change');
  // VR keeps nothing on disk: n1 comes back recovering, then a backup.
  await vr.getByRole('button', { name: /^n1: / }).click();
  await inspector.getByRole('button', { name: 'Restart' }).click();
  assert.equal(await vr.getByRole('button', { name: /^n1: Recovering, / }).count(), 1);
  for (let i = 0; i < 100 && await vr.getByRole('button', { name: /^n1: Backup, / }).count() === 0; i++) await step(page);
  assert.equal(await vr.getByRole('button', { name: /^n1: Backup, / }).count(), 1, 'n1 recovered');
  assert.match(await vr.innerText(), /All invariants hold/);
  await page.screenshot({ path: join(SHOTS, 'vr.png'), fullPage: true });
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('logs: boxes line up by index, yellow until committed, hatched until known, named in words', async () => {
  const page = await open(browser, server.url);
  await untilSettled(page);
  const raft = panel(page, 'Raft');
  await page.getByRole('button', { name: 'Request', exact: true }).click();
  const fresh = raft.getByRole('img', { name: /^index 2, term \d+, v1, not committed/ });
  assert.equal(await fresh.count(), 1, "the leader's new entry, and only there");
  const look = await fresh.evaluate((e) => [getComputedStyle(e).borderTopStyle, getComputedStyle(e).backgroundColor]);
  assert.deepEqual(look, ['dashed', 'rgb(255, 241, 168)'], 'yellow, and dashed for who cannot tell colours apart');
  // Step until every node knows v1 is committed; on the way the cluster has
  // committed it before some follower hears so.
  let hatched = 0;
  for (let i = 0; i < 60; i++) {
    hatched += await raft.getByRole('img', { name: /^index 2, term \d+, v1, committed in the cluster, n\d does not know yet/ }).count();
    if (await raft.getByRole('img', { name: /^index 2, term \d+, v1, committed(, |$)/ }).count() === 5) break;
    await step(page);
  }
  const known = raft.getByRole('img', { name: /^index 2, term \d+, v1, committed(, |$)/ });
  assert.equal(await known.count(), 5, 'known committed on every node');
  assert.ok(hatched > 0, 'committed in the cluster before a follower knew');
  assert.equal(await known.first().evaluate((e) => getComputedStyle(e).borderTopStyle), 'solid');
  assert.equal(await raft.getByRole('img', { name: /commit index/ }).count(), 5, "each node's commit index is marked");
  // One column per index: every node's index-2 box sits under the header "2".
  const header = await raft.locator('table.logs thead th', { hasText: /^2$/ }).boundingBox();
  for (const box of await known.all()) {
    const b = await box.boundingBox();
    assert.ok(Math.abs(b.x + b.width / 2 - (header.x + header.width / 2)) < 2, 'lined up by index');
  }
  // The other protocols name their own places and labels.
  await panel(page, 'Basic Paxos').getByRole('img', { name: /^slot 1, ballot \(\d+,n\d\), v1, committed/ }).first().waitFor();
  await panel(page, 'Zab').getByRole('img', { name: /^index 1, zxid \(\d+,1\), v1, committed/ }).first().waitFor();
  await raft.locator('table.logs').screenshot({ path: join(SHOTS, 'logs.png') });
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a refused action shows an alert and keeps the state', async () => {
  const page = await open(browser, server.url);
  await panel(page, 'Raft').getByRole('button', { name: /^n1: / }).click();
  await page.locator('.inspector').getByRole('button', { name: 'Crash' }).click();
  await page.locator('.inspector').getByRole('button', { name: 'Isolate' }).click();
  await page.getByRole('button', { name: 'Step back' }).click();
  await page.getByRole('button', { name: 'Step back' }).click();
  await page.getByRole('button', { name: 'Step back' }).isDisabled();
  await page.keyboard.press('ArrowLeft');
  const alert = page.getByRole('alert').filter({ hasText: 'nothing to undo' });
  assert.ok(await alert.isVisible());
  await alert.getByRole('button', { name: 'Dismiss this message' }).click();
  assert.equal(await page.getByRole('alert').filter({ hasText: 'nothing to undo' }).count(), 0);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('works at 360 px wide: one panel at a time behind tabs, setup behind More, in dark mode with reduced motion', async () => {
  const page = await open(browser, server.url, { viewport: { width: 360, height: 800 } });
  await page.emulateMedia({ colorScheme: 'dark', reducedMotion: 'reduce' });
  await step(page, 4);
  const shown = async () => (await page.locator('section.panel:visible h2').allInnerTexts());
  assert.deepEqual(await shown(), ['Raft']);
  const box = await page.locator('section.panel:visible').boundingBox();
  assert.ok(box.width <= 360);
  // Tabs switch the panel shown, by mouse and by arrow keys (which then do
  // not step the simulation).
  const tabs = page.getByRole('tablist', { name: 'Protocol shown' });
  await tabs.getByRole('tab', { name: 'Zab' }).click();
  assert.deepEqual(await shown(), ['Zab']);
  assert.equal(await tabs.getByRole('tab', { name: 'Zab' }).getAttribute('aria-selected'), 'true');
  const before = await clock(page, 'Zab');
  await page.keyboard.press('ArrowLeft');
  assert.deepEqual(await shown(), ['Basic Paxos']);
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Paxos');
  assert.equal(await clock(page, 'Basic Paxos'), before, 'arrows on a tab do not step');
  // The setup controls fold behind More.
  assert.equal(await page.getByRole('button', { name: 'New seed' }).isVisible(), false);
  await page.getByRole('button', { name: 'More', exact: true }).click();
  assert.equal(await page.getByRole('button', { name: 'New seed' }).isVisible(), true);
  await page.getByRole('button', { name: 'Less', exact: true }).click();
  const scroll = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(scroll <= 362, `no horizontal scroll (${scroll}px)`);
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  assert.ok(height <= 3.4 * 800, `about three screens tall, not ${height}px`);
  assert.equal(await page.locator('details.legends').getAttribute('open'), null, 'the key starts folded on a phone');
  // The table reads as one card per protocol: nothing wider than the screen.
  const table = await page.locator('section.compare table').first().boundingBox();
  assert.ok(table.width <= 360, `table ${table.width}px wide`);
  const transition = await page.evaluate(() => {
    const g = document.querySelector('g.msg');
    return g ? getComputedStyle(g).transitionDuration : '0s';
  });
  assert.equal(transition, '0s');
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.equal(bg, 'rgb(21, 24, 27)');
  await page.screenshot({ path: join(SHOTS, 'narrow-dark.png'), fullPage: true });
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('presenter mode: larger type at 1280x720, the rings on the first screen, set by URL or checkbox', async () => {
  const page = await open(browser, server.url + '?presenter=1', { viewport: { width: 1280, height: 720 } });
  const size = () => page.evaluate(() => parseFloat(getComputedStyle(document.body).fontSize));
  assert.ok(await size() >= 18, 'larger type');
  // The setup controls fold behind More, so every ring starts on the first screen.
  for (const title of ['Raft', 'Basic Paxos', 'Zab']) {
    const ring = await panel(page, title).locator('svg.ring').boundingBox();
    assert.ok(ring.y + ring.height / 2 < 720, `${title}'s ring is on the first screen`);
  }
  await page.screenshot({ path: join(SHOTS, 'presenter.png') });
  await page.getByRole('button', { name: 'More', exact: true }).click();
  await page.getByRole('checkbox', { name: /^Presenter mode/ }).uncheck();
  assert.ok(await size() < 18, 'back to normal type');
  await page.getByRole('checkbox', { name: /^Presenter mode/ }).check();
  assert.ok(await size() >= 18);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('every control has an accessible name', async () => {
  const page = await open(browser, server.url);
  const unnamed = await page.evaluate(() => {
    const items = [...document.querySelectorAll('button, select, [role="button"], input')];
    return items.filter((el) => {
      const name = el.getAttribute('aria-label') || el.innerText?.trim() || el.closest('label')?.innerText?.trim();
      return !name;
    }).map((el) => el.outerHTML.slice(0, 80));
  });
  assert.deepEqual(unnamed, []);
  // Label in name (WCAG 2.5.3): a visible label is part of the accessible name.
  await page.goto(`${server.url}?scenario=figure8`);
  await page.waitForSelector('.narration');
  await page.locator('svg.ring g.node').first().click();
  const mismatched = await page.evaluate(() => [...document.querySelectorAll('button[aria-label]')]
    .filter((b) => b.innerText.trim() && !b.getAttribute('aria-label').toLowerCase().includes(b.innerText.trim().toLowerCase()))
    .map((b) => `${b.innerText.trim()} / ${b.getAttribute('aria-label')}`));
  assert.deepEqual(mismatched, []);
  await page.close();
});

/** What a learner sees, to compare two pages: clocks, nodes, logs, table. */
async function snapshot(page) {
  return page.evaluate(() => ({
    clocks: [...document.querySelectorAll('section.panel .clock')].map((e) => e.innerText),
    nodes: [...document.querySelectorAll('svg.ring g.node')].map((e) => e.getAttribute('aria-label')),
    logs: [...document.querySelectorAll('table.logs')].map((e) => e.innerText),
    messages: document.querySelectorAll('svg.ring g.msg').length,
    table: document.querySelector('section.compare table tbody').innerText,
  }));
}

test('the address holds the session: a link replays the exact state, a reload restores it', async () => {
  const page = await open(browser, server.url);
  await step(page, 20);
  await panel(page, 'Raft').getByRole('button', { name: /^n2: / }).click();
  await page.locator('.inspector').getByRole('button', { name: 'Crash' }).click();
  await page.getByRole('button', { name: 'Request', exact: true }).click();
  await step(page, 15);
  const before = await snapshot(page);
  // The address is updated a moment after the last change: wait until it settles.
  await page.waitForFunction(() => {
    const same = window.lastHash === location.hash;
    window.lastHash = location.hash;
    return same && location.hash.length > 1;
  }, null, { polling: 400 });
  const link = page.url();
  assert.match(link, /#v3;p=rpz;n=5;s=1;a=s20,cr?\d?/);
  assert.ok(link.length < 2000, `a lesson's link stays short (${link.length})`);
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.getByRole('button', { name: 'Copy link' }).click();
  assert.match(await page.getByRole('status').filter({ hasText: 'Link copied' }).innerText(), /replays this exact session/);
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), link, 'the clipboard holds the link');

  // A fresh browser context (no autosave) opening the link sees the same.
  const other = await open(browser, link);
  assert.deepEqual(await snapshot(other), before);
  assert.deepEqual(other.errors, []);
  await other.close();

  // The plain address in the same browser restores the autosaved session.
  await page.goto(server.url);
  await page.waitForSelector('section.panel');
  await page.waitForFunction((t) => document.querySelector('section.panel .clock').innerText === t, before.clocks[0]);
  assert.deepEqual(await snapshot(page), before);
  await page.screenshot({ path: join(SHOTS, 'restored.png'), fullPage: true });
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('leaving the page at once after a change still saves it', async () => {
  const page = await open(browser, server.url);
  await step(page, 4);
  const t = await clock(page, 'Raft');
  // No wait for the debounced save: leaving the page (pagehide) saves.
  await page.goto('about:blank');
  await page.goto(server.url);
  await page.waitForSelector('section.panel');
  await page.waitForFunction((t) => document.querySelector('section.panel .clock').innerText === t, t);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a malformed or future link shows an alert and the app keeps working', async () => {
  for (const [hash, says] of [
    ['#v1;p=rpz;n=5;s=1;a=s3,zz9', "action 2 ('zz9') is not understood"],
    ['#v1;p=rpz;n=5', 'missing its protocols, node count or seed'],
    ['#v7;p=rpz;n=5;s=1;a=', 'newer playground (format v7)'],
    ['#garbage%%%', 'not a playground link'],
    ['#v1;p=r;n=3;s=1;a=dr999', 'could not be replayed: action 1 of 1 was refused (no message #999 is in flight)'],
  ]) {
    const page = await open(browser, server.url + hash);
    const alert = page.getByRole('alert').filter({ hasText: says });
    await alert.waitFor();
    await step(page, 2);
    assert.notEqual(await page.locator('section.panel .clock').first().innerText(), 't=0', 'still steps');
    assert.deepEqual(page.errors, []);
    await page.close();
  }
});

test('URL options: embed=1&protocols=raft shows only Raft, compactly, in the chosen theme', async () => {
  // An embed is compact by default: minimal controls, the key folded, the
  // logs and pending messages beside the ring, all within a 760 px frame.
  const page = await open(browser, `${server.url}?embed=1&protocols=raft&nodes=3&seed=7&theme=dark`, { viewport: { width: 900, height: 760 } });
  assert.deepEqual(await page.locator('section.panel h2').allInnerTexts(), ['Raft']);
  assert.equal(await page.locator('svg.ring g.node').count(), 3);
  assert.equal(await page.getByRole('heading', { name: 'Consensus Playground' }).isVisible(), false);
  assert.equal(await page.getByRole('button', { name: 'Heal' }).count(), 0, 'minimal controls');
  assert.equal(await page.locator('details.legends').getAttribute('open'), null, 'the key is folded');
  const ring = await page.locator('svg.ring').boundingBox();
  const logs = await page.locator('table.logs, .logs-empty').first().boundingBox();
  const pending = await page.locator('.pending summary').boundingBox();
  assert.ok(logs.x > ring.x + ring.width - 1 && logs.y < ring.y + ring.height, 'the logs are beside the ring');
  assert.ok(pending.x > ring.x + ring.width - 1 && pending.y + pending.height < 760, 'so are the pending messages, in the frame');
  assert.ok(ring.y + ring.height < 760, 'the ring is in the frame');
  assert.equal(await page.locator('.invite').count(), 0, 'an embed shows what its author chose, no suggestions');
  assert.match(await page.locator('.seed').innerText(), /seed 7/);
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.equal(bg, 'rgb(21, 24, 27)', 'theme=dark wins over a light system');
  await step(page, 3);
  await page.screenshot({ path: join(SHOTS, 'embed-raft.png'), fullPage: true });
  assert.deepEqual(page.errors, []);
  await page.close();

  const bad = await open(browser, `${server.url}?protocols=pbft&colour=red`);
  await bad.getByRole('alert').filter({ hasText: 'Some URL options were not understood' }).waitFor();
  assert.equal(await bad.locator('section.panel').count(), 3);
  await bad.close();

  // Course-page editors percent-encode the commas.
  const encoded = await open(browser, `${server.url}?protocols=zab%2Craft&nodes=%35`);
  assert.deepEqual(await encoded.locator('section.panel h2').allInnerTexts(), ['Zab', 'Raft']);
  assert.equal(await encoded.locator('section.panel').first().locator('svg.ring g.node').count(), 5);
  assert.equal(await encoded.getByRole('alert').count(), 0);
  await encoded.close();
});

test('the Embed button gives an iframe snippet that opens this session', async () => {
  const page = await open(browser, server.url);
  await step(page, 5);
  await page.getByRole('button', { name: 'Embed' }).click();
  const snippet = await page.getByLabel('iframe snippet').inputValue();
  assert.match(snippet, /^<iframe src="http:\/\/127\.0\.0\.1:\d+\/\?embed=1&protocols=raft,paxos,zab&nodes=5&seed=1#v3;p=rpz;n=5;s=1;a=s5" title="Consensus Playground"/);
  const src = snippet.match(/src="([^"]+)"/)[1].replaceAll('&amp;', '&');
  // The common options go into the snippet as they are chosen.
  const dialog = page.getByRole('dialog', { name: 'Embed this playground' });
  await dialog.getByRole('checkbox', { name: /Every control/ }).check();
  await dialog.getByLabel('Colour scheme of the embed').selectOption('dark');
  await dialog.getByRole('checkbox', { name: /Start playing/ }).check();
  assert.match(await page.getByLabel('iframe snippet').inputValue(),
    /\?embed=1&protocols=raft,paxos,zab&nodes=5&seed=1&controls=full&theme=dark&autoplay=1#v3;/);
  // Copy puts the snippet on the clipboard and says so.
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await dialog.getByRole('button', { name: 'Copy', exact: true }).click();
  await page.getByText('Snippet copied').waitFor();
  assert.match(await page.evaluate(() => navigator.clipboard.readText()), /controls=full&theme=dark&autoplay=1/);
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => document.querySelectorAll('dialog').length === 0);
  const clock = await page.locator('section.panel .clock').first().innerText();
  const embedded = await open(browser, src);
  assert.equal(await embedded.locator('section.panel .clock').first().innerText(), clock);
  assert.deepEqual(embedded.errors, []);
  await embedded.close();
  await page.close();
});

test('Clients: a write and a local read in every panel, drawn as a history with its verdict', async () => {
  const page = await open(browser, server.url);
  await untilLeaders(page);
  const leader = await panel(page, 'Raft').getByRole('button', { name: /: Leader, / }).getAttribute('aria-label');
  const node = leader.match(/^n(\d)/)[1];
  const clients = page.getByRole('region', { name: 'Clients' });
  await clients.getByLabel('Operation').selectOption('write');
  await clients.getByLabel('Key', { exact: true }).selectOption('x');
  await clients.getByLabel('Value (an integer)').fill('5');
  await clients.getByLabel('Value (an integer)').dispatchEvent('change');
  await clients.getByLabel('Node the client sends to').selectOption(`n${node}`);
  await clients.getByRole('button', { name: 'Send' }).click();
  for (const name of ['Raft', 'Basic Paxos', 'Zab']) {
    await panel(page, name).locator('.history summary').filter({ hasText: 'Client history: 1 operations' }).waitFor();
  }
  // Where the node does not lead, the client is told whom to try.
  for (let i = 0; i < 40; i++) {
    if (await page.getByRole('button', { name: 'Retry there' }).isDisabled()) break;
    await step(page);
  }
  await panel(page, 'Raft').getByText('✓ Linearizable').waitFor();
  const bar = panel(page, 'Raft').getByRole('button', { name: /^C1 write x 5 at n\d: invoked at t=\d+, answered at t=\d+/ });
  // Clicking an operation shows it, and the messages serving it.
  await bar.click();
  const inspector = page.getByRole('complementary', { name: "Raft: C1's write x 5" });
  await inspector.waitFor();
  assert.match(await inspector.innerText(), /C1 #1, \d attempts?/);
  assert.match(await inspector.innerText(), /answered at t=\d+: ok/);
  await inspector.getByRole('button', { name: 'Close' }).click();
  await clients.getByLabel('Client', { exact: true }).selectOption('2');
  await clients.getByLabel('Operation').selectOption('read');
  await clients.getByLabel('How Raft serves the read').selectOption('local');
  await clients.getByLabel('How Basic Paxos serves the read').selectOption('local');
  await clients.getByLabel('How Zab serves the read').selectOption('local');
  await clients.getByRole('button', { name: 'Send' }).click();
  await panel(page, 'Raft').locator('.history summary').filter({ hasText: 'Client history: 2 operations' }).waitFor();
  const bars = await panel(page, 'Basic Paxos').locator('.op').allInnerTexts();
  assert.ok(bars.some((b) => /^read x/.test(b)), `bars: ${bars}`);
  // Each read path's cost beside what it should cost: a local read, none.
  const reads = page.getByRole('table', { name: 'Messages per read, by read path' });
  const row = reads.getByRole('row', { name: /Raft local/ });
  assert.deepEqual((await row.getByRole('cell').allInnerTexts()).slice(1), ['1', '0.00', '0']);
  // The link keeps the client operations.
  await page.waitForFunction(() => /v2\.\d\.r\.x\.ooo/.test(location.hash), null, { polling: 200 });
  const other = await open(browser, page.url());
  await panel(other, 'Raft').locator('.history summary').filter({ hasText: 'Client history: 2 operations' }).waitFor();
  assert.deepEqual(other.errors, []);
  await other.close();
  await page.screenshot({ path: join(SHOTS, 'clients.png'), fullPage: true });
  assert.deepEqual(page.errors, []);
  await page.close();
});
