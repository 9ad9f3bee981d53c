// Guided scenarios, session files and the example course page, in a real
// headless Chromium against the release build.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { serve, launch, open, panel, ROOT, SHOTS } from './harness.mjs';

let server;
let browser;

before(async () => {
  // The site under a sub-path, next to the example course page, as the
  // README tells course authors to deploy it.
  server = await serve({
    '/': join(ROOT, 'dist'),
    '/course/': join(ROOT, 'examples/course'),
    '/course/playground/': join(ROOT, 'dist'),
  });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

const narration = (page) => page.getByRole('region', { name: /./ }).filter({ has: page.locator('.narration-count') });
/** The narration's Next button, whatever it says (Next, The end...). */
const next = (page) => narration(page).locator('.actions button.primary');

test('each guided scenario runs to its end, forward and back', async () => {
  const page = await open(browser, server.url);
  const ids = await page.getByLabel('Guided scenario').locator('option').evaluateAll(
    (os) => os.map((o) => o.value).filter((v) => v !== ''));
  assert.ok(ids.length >= 30, `scenarios offered: ${ids}`);
  // A first visit suggests the first scenario; the suggestion goes once used.
  await page.getByRole('button', { name: 'Start with a guided scenario: Normal replication' }).click();
  assert.equal(await narration(page).locator('.narration-count').innerText(), 'Step 1 of 4');
  assert.equal(await page.locator('.invite').count(), 0);
  await page.close();
  for (const id of ids) {
    const page = await open(browser, `${server.url}?scenario=${id}`);
    const card = narration(page);
    const count = card.locator('.narration-count');
    const total = Number((await count.innerText()).match(/of (\d+)/)[1]);
    assert.equal(await count.innerText(), `Step 1 of ${total}`, id);
    for (let i = 2; i <= total; i++) {
      await next(page).click();
      await page.waitForFunction(([i, total]) => document.querySelector('.narration-count')?.innerText === `Step ${i} of ${total}`, [i, total]);
    }
    assert.equal(await card.getByRole('button', { name: 'The end of the scenario' }).innerText(), 'The end');
    assert.ok(await next(page).isDisabled(), id);
    assert.equal(await page.locator('.error[role=alert]').count(), 0, `${id}: no error`);
    const violated = await page.locator('section.panel.violated').count();
    // A mistake is caught; so is a local read's stale answer (a read path
    // that promises no more), which the history checker flags, and a lease
    // broken by clocks made to run fast.
    const caught = (id.startsWith('mistake-') && id !== 'mistake-raft-equal-timeouts')
      || ['stale-read', 'zookeeper-sync', 'lease-read'].includes(id);
    assert.equal(violated > 0, caught, `${id}: the checker's verdict is shown`);
    // The banner lists every invariant it counts.
    for (const banner of await page.locator('section.panel .invariants.broken').all()) {
      const heading = await banner.locator('strong').innerText();
      const kinds = Number(heading.match(/of (\d+) invariants?$/)?.[1]);
      assert.equal(await banner.locator('li').count(), kinds, `${id}: ${heading}`);
    }
    // A box held as committed against what the cluster committed is a
    // violation, and drawn only then.
    const contradicting = await page.locator('section.panel .entry.contradicts').count();
    if (!caught) assert.equal(contradicting, 0, `${id}: no contradicting entry without a violation`);
    if (id === 'mistake-raft-commit-old-term') {
      assert.ok(contradicting > 0, `${id}: the overwritten entry is drawn as contradicting`);
      const listed = await page.locator('section.panel .invariants.broken li b').allInnerTexts();
      for (const name of ['Leader Completeness', 'State Machine Safety', 'Committed durability']) {
        assert.ok(listed.includes(name), `${id}: the narration names ${name}; listed: ${listed}`);
      }
    }
    if (['figure8', 'mistake-paxos-forget-promise', 'stale-read', 'mistake-raft-stale-read', 'lease-read'].includes(id)) {
      await page.screenshot({ path: join(SHOTS, `scenario-${id}.png`), fullPage: true });
    }
    await card.getByRole('button', { name: 'Back to the previous step' }).click();
    await page.waitForFunction((t) => document.querySelector('.narration-count')?.innerText === `Step ${t - 1} of ${t}`, total);
    assert.deepEqual(page.errors, [], id);
    await page.close();
  }
});

test('a leader cut off in a minority is drawn as a stale leader once a newer one is elected', async () => {
  const page = await open(browser, `${server.url}?scenario=minority-partition`);
  const card = narration(page);
  const raft = panel(page, 'Raft');
  while (!(await card.innerText()).includes('The majority goes on')) {
    assert.ok(!(await next(page).isDisabled()), 'the scenario reaches "The majority goes on"');
    const before = await card.locator('.narration-count').innerText();
    await next(page).click();
    await page.waitForFunction((b) => document.querySelector('.narration-count')?.innerText !== b, before);
  }
  // Two nodes believe they lead; only the newer term's is drawn as the leader.
  assert.equal(await raft.locator('.ring .node.leader').count(), 1);
  assert.equal(await raft.locator('.ring .node.stale-leader').count(), 1);
  assert.match(await raft.locator('.ring .node.stale-leader').getAttribute('aria-label'), /^n\d: stale leader, term \d+\./);
  // After Heal the old leader hears the newer term and steps down.
  await next(page).click();
  await page.waitForFunction(() => document.querySelector('.narration-count')?.innerText.startsWith('Step') && document.body.innerText.includes('Heal: the stale leader steps down'));
  assert.equal(await raft.locator('.ring .node.stale-leader').count(), 0);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a guided scenario survives a link, and the learner can go off script and back', async () => {
  const page = await open(browser, `${server.url}?scenario=figure8`);
  const card = narration(page);
  await next(page).click();
  await next(page).click();
  await page.waitForFunction(() => /;l=figure8\.2;/.test(location.hash), null, { polling: 200 });
  const link = page.url().replace(/\?.*#/, '#');
  await page.getByRole('button', { name: 'Step', exact: true }).click();
  await card.locator('.detour').filter({ hasText: '1 action of your own' }).waitFor();
  await next(page).click();
  assert.equal(await card.locator('.narration-count').innerText(), 'Step 4 of 4');
  assert.equal(await card.locator('.detour').count(), 0);

  const other = await open(browser, link);
  assert.equal(await narration(other).locator('.narration-count').innerText(), 'Step 3 of 4');
  assert.match(await narration(other).innerText(), /Raft Figure 8/);
  assert.deepEqual(other.errors, []);
  await other.close();

  await card.getByRole('button', { name: /^Close the guided scenario/ }).click();
  assert.equal(await page.locator('.narration').count(), 0);
  assert.equal(await panel(page, 'Raft').count(), 1, 'the state is kept');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a mistake scenario says the mistake is on and can be switched off; Page Down and Page Up narrate', async () => {
  const page = await open(browser, `${server.url}?scenario=mistake-paxos-forget-promise`);
  await page.getByRole('note').filter({ hasText: 'paxos-forget-promise' }).waitFor();
  // A presenter's clicker sends Page Down and Page Up.
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('PageDown');
  await page.locator('section.panel.violated').waitFor();
  assert.equal(await narration(page).locator('.narration-count').innerText(), 'Step 2 of 2');
  await page.keyboard.press('PageUp');
  await page.waitForFunction(() => !document.querySelector('section.panel.violated'));
  await page.keyboard.press('n');
  await page.locator('section.panel.violated').waitFor();
  await page.getByRole('button', { name: 'Switch off' }).click();
  await page.waitForFunction(() => !document.querySelector('section.panel.violated'));
  assert.equal(await page.getByRole('note').count(), 0);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('Export saves the session as a file; Import opens it; bad files are refused', async () => {
  const page = await open(browser, server.url, { acceptDownloads: true });
  for (let i = 0; i < 12; i++) await page.getByRole('button', { name: 'Step', exact: true }).click();
  await page.getByRole('button', { name: 'Request', exact: true }).click();
  const clock = await page.locator('section.panel .clock').first().innerText();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export' }).click(),
  ]);
  assert.equal(download.suggestedFilename(), 'consensus-playground-seed-1.txt');
  const path = await download.path();

  const fresh = await open(browser, server.url);
  const input = fresh.locator('input[type=file]');
  await input.setInputFiles({ name: 'broken.txt', mimeType: 'text/plain', buffer: Buffer.from('v1;p=rpz;n=5;s=1;a=s3,zz') });
  await fresh.getByRole('alert').filter({ hasText: "'broken.txt' cannot be opened: the link's action 2 ('zz')" }).waitFor();
  await input.setInputFiles({ name: 'huge.txt', mimeType: 'text/plain', buffer: Buffer.alloc(200_000, 'h') });
  await fresh.getByRole('alert').filter({ hasText: "'huge.txt' is too large" }).waitFor();
  assert.equal(await fresh.locator('section.panel .clock').first().innerText(), 't=0', 'state kept');
  await input.setInputFiles(path);
  await fresh.waitForFunction((t) => document.querySelector('section.panel .clock').innerText === t, clock);
  assert.equal(await fresh.locator('section.panel').count(), 3);
  assert.deepEqual(fresh.errors, []);
  await fresh.close();
  await page.close();
});

test('the example course page embeds two playgrounds from a sub-path; an embed out of view pauses', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(`${server.url}course/`);
  const frames = page.locator('iframe');
  assert.equal(await frames.count(), 2);
  const first = page.frameLocator('iframe >> nth=0');
  await first.locator('section.panel').first().waitFor();
  assert.deepEqual(await first.locator('section.panel h2').allInnerTexts(), ['Raft', 'Basic Paxos', 'Zab']);
  assert.match(await first.locator('.narration').innerText(), /Normal replication/);
  await page.screenshot({ path: join(SHOTS, 'course-page.png') });

  await frames.nth(1).scrollIntoViewIfNeeded();
  const second = page.frameLocator('iframe >> nth=1');
  await second.locator('section.panel').first().waitFor();
  assert.deepEqual(await second.locator('section.panel h2').allInnerTexts(), ['Raft', 'Zab']);
  const time = () => second.locator('section.panel .clock').first().innerText();
  await second.locator('section.panel .clock').first().filter({ hasNotText: /^t=0$/ }).waitFor();
  await page.screenshot({ path: join(SHOTS, 'course-page-election.png') });

  // Scrolled away, it stops ticking; back in view, it goes on.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.waitForTimeout(400);
  const paused = await time();
  await page.waitForTimeout(1500);
  assert.equal(await time(), paused, 'no ticks while out of view');
  await frames.nth(1).scrollIntoViewIfNeeded();
  await second.locator('section.panel .clock').first().filter({ hasNotText: new RegExp(`^${paused}$`) }).waitFor();
  assert.deepEqual(errors, []);
  await page.close();
});
