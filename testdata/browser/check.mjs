// check.mjs BASE PAGE... runs the site's browser checks in Debian's
// chromium: axe-core finds no WCAG 2.2 AA violation on each page, and
// search and the register's filter work. It prints one line per problem
// and exits 1 if there is any. Run by go test ./site (TestBrowser).
import { chromium } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';

const [base, ...pages] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
let problems = 0;
function fail(msg) { problems++; console.log(msg); }

const context = await browser.newContext();
const page = await context.newPage();
const errors = [];
page.on('console', (m) => { if (m.type() === 'error') { errors.push(m.text()); } });
page.on('pageerror', (e) => errors.push(String(e)));

for (const p of pages) {
  errors.length = 0;
  const resp = await page.goto(base + p);
  if (!resp || resp.status() !== 200) { fail(`${p}: HTTP ${resp && resp.status()}`); continue; }
  await page.waitForLoadState('networkidle');
  const result = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'])
    .analyze();
  for (const v of result.violations) {
    fail(`${p}: axe ${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join('; ')}`);
  }
  for (const e of errors) { fail(`${p}: console: ${e}`); }
  // Printing for meeting packs: navigation is hidden.
  await page.emulateMedia({ media: 'print' });
  if (await page.locator('.govuk-service-navigation').isVisible()) { fail(`${p}: navigation shows in print`); }
  await page.emulateMedia({ media: 'screen' });
}

// Search finds a case by a word of its narrative, and only that case.
{
  const audience = pages[0].split('/')[0];
  await page.goto(`${base}${audience}/search/`);
  await page.fill('#search-q', process.env.SEARCH_WORD || 'spoofed');
  await page.click('#search-form button');
  const want = process.env.SEARCH_HIT || 'INC-2026-0001';
  try {
    await page.waitForSelector(`#search-results a:text("${want}")`, { timeout: 5000 });
  } catch { fail(`search: no hit for ${want}`); }
  const hits = await page.locator('#search-results li').count();
  if (hits !== 1) { fail(`search: ${hits} hits, want 1`); }
  await page.click(`#search-results a:text("${want}")`);
  if (!page.url().endsWith(`/cases/${want}.html`)) { fail(`search: the hit leads to ${page.url()}`); }

  // The filter narrows the register by status, and sorting reverses it.
  await page.goto(`${base}${audience}/register/`);
  await page.waitForSelector('#filter-results tbody tr');
  const all = await page.locator('#filter-results tbody tr').count();
  await page.selectOption('#filter-status', 'closed');
  const closed = await page.locator('#filter-results tbody tr').count();
  if (!(closed >= 1 && closed < all)) { fail(`filter: ${closed} closed of ${all}`); }
  const statuses = await page.locator('#filter-results tbody tr td:nth-child(3)').allTextContents();
  if (statuses.some((s) => s !== 'closed')) { fail(`filter: statuses ${statuses}`); }
  await page.selectOption('#filter-status', '');
  await page.click('#filter-results th button[data-key="id"]');
  const first = await page.locator('#filter-results tbody tr td:first-child').first().textContent();
  const ids = await page.locator('#filter-results tbody tr td:first-child').allTextContents();
  if (first !== [...ids].sort().reverse()[0]) { fail(`sort: first row ${first} after sorting descending`); }
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
  for (const v of result.violations) { fail(`register filter: axe ${v.id}: ${v.help}`); }

  // A list of the register sorts in the browser: a click on a column's
  // header sorts the rows by it, ascending and then descending, and
  // aria-sort and the status message say so.
  errors.length = 0;
  const list = `${base}${audience}/register/all/1.html`;
  const table = 'table[data-module="app-sortable-table"]';
  await page.goto(list);
  await page.waitForSelector(`${table} th button`);
  const column = (n) => page.locator(`${table} tbody tr td:nth-child(${n})`).allTextContents();
  const ariaSort = () => page.locator(`${table} thead th`).evaluateAll((ths) => ths.map((th) => th.getAttribute('aria-sort')).join(' '));
  const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
  const caseIDs = await column(1);
  if (caseIDs.length < 3 || !same(caseIDs, [...caseIDs].sort())) { fail(`sortable: the list is not in case order at first: ${caseIDs}`); }
  const byTitle = [...(await column(2))].sort((a, b) => a.localeCompare(b, 'en-GB', { numeric: true }));
  await page.click(`${table} th button:has-text("Title")`);
  if (!same(await column(2), byTitle)) { fail(`sortable: titles after one click: ${await column(2)}`); }
  if (same(await column(1), caseIDs)) { fail('sortable: sorting by title left the rows where they were (the fixture should tell)'); }
  if (await ariaSort() !== 'none ascending none none none') { fail(`sortable: aria-sort ${await ariaSort()} after sorting by title`); }
  await page.click(`${table} th button:has-text("Title")`);
  if (!same(await column(2), [...byTitle].reverse())) { fail(`sortable: titles after two clicks: ${await column(2)}`); }
  if (await ariaSort() !== 'none descending none none none') { fail(`sortable: aria-sort ${await ariaSort()} after sorting by title twice`); }
  // Dates sort by their data-sort-value, not their words.
  await page.click(`${table} th button:has-text("Reported")`);
  const when = await page.locator(`${table} tbody tr td:nth-child(5)`).evaluateAll((tds) => tds.map((td) => td.getAttribute('data-sort-value')));
  if (when.some((w) => !w) || !same(when, [...when].sort())) { fail(`sortable: reported after sorting by it: ${when}`); }
  if (await ariaSort() !== 'none none none none ascending') { fail(`sortable: aria-sort ${await ariaSort()} after sorting by reported`); }
  const said = await page.locator(`${table} + [role="status"]`).textContent();
  if (said !== 'Sort by Reported (ascending)') { fail(`sortable: status says ${JSON.stringify(said)}`); }
  const sorted = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
  for (const v of sorted.violations) { fail(`sortable list: axe ${v.id}: ${v.help}`); }
  for (const e of errors) { fail(`sortable list: console: ${e}`); }

  // Without JavaScript the list is the page as built: every row, in
  // case order, and no buttons.
  const plain = await browser.newContext({ javaScriptEnabled: false });
  const still = await plain.newPage();
  await still.goto(list);
  const plainIDs = await still.locator(`${table} tbody tr td:nth-child(1)`).allTextContents();
  if (!same(plainIDs, caseIDs)) { fail(`sortable without JavaScript: rows ${plainIDs}`); }
  if (await still.locator(`${table} button`).count() !== 0) { fail('sortable without JavaScript: buttons in the table'); }
  await plain.close();
}

await browser.close();
console.log(problems ? `${problems} problems` : `ok: ${pages.length} pages`);
process.exit(problems ? 1 : 0);
