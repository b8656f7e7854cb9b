// The console in Debian's headless Chromium: log in, filter the queue,
// confirm a page with the keyboard, see its snapshot (taken on confirm),
// open and send a takedown request, read the event log, and save
// screenshots of the queue, a page and the report.
// Usage: node console.mjs BASE_URL USER PASSWORD SHOT_DIR
// Prints "PASS what" or "FAIL what: why" a line; exits 1 when any failed.
import { chromium } from 'playwright-core';

const [base, user, password, shots] = process.argv.slice(2);
let failed = 0;
const pass = (what) => console.log(`PASS ${what}`);
const fail = (what, why) => { failed++; console.log(`FAIL ${what}: ${String(why).split('\n')[0]}`); };
async function step(what, fn) {
  try { await fn(); pass(what); } catch (e) { fail(what, e.message || e); }
}
function expect(cond, msg) { if (!cond) throw new Error(msg); }
// Polls fn until it answers true (a form's POST and its redirect take their time).
async function until(fn, msg) {
  for (let i = 0; i < 100; i++) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(msg);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
const cspErrors = [];
page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) cspErrors.push(m.text()); });
page.setDefaultTimeout(15000);
let pageId = null, takedownId = null;

await step('log in through the form', async () => {
  await page.goto(`${base}/login`);
  await page.fill('input[name=user]', user);
  await page.fill('input[name=password]', password);
  await Promise.all([page.waitForURL(/\/queue/), page.click('button[type=submit]')]);
  expect(await page.locator('.who').innerText().then((t) => t.includes(user)), 'no user name in the header');
});

await step('filter the queue by category', async () => {
  await page.selectOption('#filters select[name=category]', 'drug_ad');
  await Promise.all([page.waitForURL(/category=drug_ad/), page.click('#filters button[type=submit]')]);
  const n = await page.locator('#queue tr.row').count();
  expect(n >= 2, `only ${n} rows`);
});

await step('screenshot of the queue', async () => {
  await page.screenshot({ path: `${shots}/queue.png`, fullPage: true });
});

await step('confirm a page with the keyboard (j, then c)', async () => {
  await page.keyboard.press('j');
  const sel = page.locator('#queue tr.row.sel');
  expect(await sel.count() === 1, 'no selected row');
  pageId = await sel.getAttribute('data-id');
  // 'c' submits the row's form: the queue is loaded again after the POST, and a
  // navigation started before that load would be cut short by it
  await Promise.all([page.waitForEvent('load', { timeout: 60000 }), page.keyboard.press('c')]);
  let status = '';
  await until(async () => {
    const d = await (await page.request.get(`${base}/api/pages/${pageId}`)).json();
    status = d.page.status;
    return status === 'confirmed';
  }, 'the page was not confirmed');
  await page.waitForLoadState('load');
});

await step('the snapshot taken on confirm is shown on the page', async () => {
  // the console renders it in the background: wait for it, then load the page
  for (let i = 0; i < 120; i++) {
    const d = await (await page.request.get(`${base}/api/pages/${pageId}`)).json();
    if (d.snapshots.some((s) => s.png_file)) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  await page.goto(`${base}/pages/${pageId}`);
  const img = page.locator('#snapshot img.snapshot');
  expect(await img.count() === 1, 'no snapshot image');
  await img.scrollIntoViewIfNeeded();
  const w = await img.evaluate((el) => el.complete && el.naturalWidth);
  expect(w === 1280, `the image did not load (naturalWidth ${w})`);
});

await step('open a takedown request from the confirmed page', async () => {
  await page.goto(`${base}/pages/${pageId}`);
  await page.screenshot({ path: `${shots}/page.png`, fullPage: true });
  await page.selectOption('#open-takedown select[name=kind]', 'hosting_provider');
  await page.selectOption('#open-takedown select[name=channel]', 'email');
  await page.fill('#open-takedown input[name=recipient]', 'Example Hosting');
  await Promise.all([page.waitForURL(/\/takedowns\/\d+$/), page.click('#open-takedown button[type=submit]')]);
  takedownId = page.url().match(/(\d+)$/)[1];
});

await step('send it', async () => {
  await page.fill('#tdact input[name=reference]', 'HP-BROWSER-1');
  await page.click('#tdact button.td-send');
  await until(async () => {
    const d = await (await page.request.get(`${base}/api/takedowns?status=sent`)).json();
    return d.some((t) => String(t.id) === takedownId && t.reference === 'HP-BROWSER-1');
  }, 'the request was not sent');
  await page.waitForLoadState('load');
});

await step('the event log shows both decisions', async () => {
  await page.goto(`${base}/events`);
  const text = await page.locator('#events').innerText();
  expect(text.includes(user), 'no actor');
  expect(text.includes('confirmed') && text.includes('sent'), 'no confirm or send event');
});

await step('screenshot of the report', async () => {
  await page.goto(`${base}/report`);
  expect(await page.locator('svg.chart').count() >= 1, 'no chart');
  await page.screenshot({ path: `${shots}/report.png`, fullPage: true });
});

await step('no Content-Security-Policy violation', async () => {
  expect(cspErrors.length === 0, cspErrors.join(' | '));
});

await browser.close();
console.log(`page ${pageId} takedown ${takedownId}`);
process.exit(failed ? 1 : 0);
