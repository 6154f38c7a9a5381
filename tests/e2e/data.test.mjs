// Data management in a real browser (docs/ui.md, "Data"): a custom field
// defined on the Data page; a 2,000-line devices CSV with 3 bad lines
// previewed and imported — each bad line reported with its column, and
// nothing stored —, then the fixed file stored; a bulk edit of 3 devices
// ticked in the device list; a custom field set on a device page and
// filtered on in the device list; the New device form showing the
// server's reason next to the field. Run by tests/e2e/run.sh.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WAIT_MS, servers, sh, startServer, launchBrowser, NETCENSUS } from './lib.mjs';

const SHOTS = process.env.SHOTS || path.join(path.dirname(new URL(import.meta.url).pathname), 'screenshots');
const ROWS = 2000;
const BAD = { 101: 'ip', 1234: 'mac_address', 1999: 'custom.rack' }; // data row -> column

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nc-e2e-data-'));
let browser;
let page;
let srv;
const problems = []; // dialogs, CSP reports, page errors

async function shot(name) {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, name + '.png'), fullPage: true });
}

async function apiGet(p) {
  const r = await page.request.get(srv.url + '/api/v1' + p);
  assert.equal(r.status(), 200, `GET ${p}: ${r.status()}`);
  return r.json();
}

// The devices CSV: Open-AudIT's column names (name, mac_address), a
// quoted description holding a comma; every 10th device in rack R12.
// bad: make the lines of BAD wrong in their column.
function devicesCsv(bad) {
  const lines = ['name,ip,mac_address,serial,type,status,location,description,custom.rack'];
  for (let i = 1; i <= ROWS; i++) {
    const hex = i.toString(16).padStart(4, '0');
    let ip = `198.18.${20 + Math.floor(i / 250)}.${i % 250 + 1}`;
    let mac = `02:00:00:00:${hex.slice(0, 2)}:${hex.slice(2)}`;
    let rack = i % 10 === 0 ? 'R12' : 'R1';
    if (bad && BAD[i] === 'ip') ip = '198.18.20.300';
    if (bad && BAD[i] === 'mac_address') mac = '02:00:zz:00:00:01';
    if (bad && BAD[i] === 'custom.rack') rack = 'R99';
    lines.push(`imp-${String(i).padStart(4, '0')},${ip},${mac},IMP-SN-${i},computer,production,dc1,"row ${i}, imported",${rack}`);
  }
  return lines.join('\r\n') + '\r\n';
}

before(async () => {
  const db = path.join(tmp, 'data.db');
  sh(NETCENSUS, ['status', '--db', db]);
  srv = await startServer(db);
  browser = await launchBrowser();
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  ctx.setDefaultTimeout(WAIT_MS);
  page = await ctx.newPage();
  page.on('dialog', (d) => { problems.push('dialog: ' + d.message()); d.dismiss().catch(() => {}); });
  page.on('console', (m) => { if (/Content.Security.Policy|Refused to/i.test(m.text())) problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push('page error: ' + e.message));
  await page.goto(srv.url + '/');
  await page.fill('#login-user', 'admin');
  await page.fill('#login-pass', srv.password);
  await page.click('form.login button[type=submit]');
  await page.waitForSelector('#chart-type');
});

after(async () => {
  if (browser) await browser.close();
  for (const s of servers) s.kill('SIGTERM');
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('a custom list field is defined on the Data page', async () => {
  await page.click('#nav a[href="#/data"]');
  await page.click('#tab-fields');
  await page.fill('#field-form input[name=name]', 'rack');
  await page.fill('#field-form input[name=label]', 'Rack');
  await page.selectOption('#field-form select[name=type]', 'list');
  await page.fill('#field-form textarea[name=allowed]', 'R1, R12');
  await page.click('#field-form button[type=submit]');
  await page.waitForSelector('#custom-fields tr[data-name="rack"]');
  assert.equal(await page.textContent('#custom-fields tr[data-name="rack"] td:nth-child(4)'), 'R1, R12');
  const f = await apiGet('/custom-fields');
  assert.deepEqual(f.results.map((x) => [x.name, x.type, x.allowed.join(',')]), [['rack', 'list', 'R1,R12']]);
});

test(`a ${ROWS}-line CSV with 3 bad lines is reported line by line and nothing is stored; the fixed file is stored`, async (t) => {
  await page.goto(srv.url + '/#/data/import');
  await page.waitForSelector('#csv-file');
  await page.setInputFiles('#csv-file', { name: 'devices-bad.csv', mimeType: 'text/csv', buffer: Buffer.from(devicesCsv(true)) });
  let t0 = Date.now();
  await page.click('#csv-preview');
  await page.waitForSelector('#csv-summary');
  t.diagnostic(`preview of ${ROWS} lines with 3 bad ones: ${Date.now() - t0} ms as Playwright saw it`);
  assert.equal(await page.getAttribute('#csv-summary', 'data-errors'), '3');
  // each bad line named with its file line (the header is line 1) and column
  const errs = await page.$$eval('#csv-errors tbody tr', (trs) => trs.map((tr) => [tr.cells[0].textContent, tr.cells[1].textContent]));
  assert.deepEqual(errs, Object.entries(BAD).map(([row, col]) => [String(+row + 1), col]));
  assert.match(await page.textContent('#csv-errors'), /'198\.18\.20\.300' is not an IP address/);
  await shot('data-import-preview-errors');
  // importing it anyway: the server refuses the whole file
  await page.click('#csv-import');
  await page.waitForSelector('#csv-result .notice.error');
  assert.match(await page.textContent('#csv-result .notice.error'), /Nothing was stored/);
  assert.equal((await apiGet('/devices?limit=1')).count, 0, 'no device stored');
  assert.equal((await apiGet('/audit-log?limit=1')).count, 0, 'no intake recorded');

  await page.setInputFiles('#csv-file', { name: 'devices.csv', mimeType: 'text/csv', buffer: Buffer.from(devicesCsv(false)) });
  t0 = Date.now();
  await page.click('#csv-preview');
  await page.waitForSelector(`#csv-summary[data-created="${ROWS}"]`);
  t.diagnostic(`preview of the fixed file: ${Date.now() - t0} ms`);
  assert.equal((await apiGet('/devices?limit=1')).count, 0, 'a preview stores nothing');
  t0 = Date.now();
  await page.click('#csv-import');
  await page.waitForSelector('#csv-result .notice.ok');
  t.diagnostic(`import of ${ROWS} devices: ${Date.now() - t0} ms as Playwright saw it`);
  assert.match(await page.textContent('#csv-result .notice.ok'), new RegExp(`Stored: ${ROWS.toLocaleString('en-US')} devices created`));
  assert.equal((await apiGet('/devices?limit=1')).count, ROWS);
  const d = (await apiGet('/devices?hostname=imp-0007')).results[0];
  assert.deepEqual([d.ip, d.mac, d.description, d.status], ['198.18.20.8', '02:00:00:00:00:07', 'row 7, imported', 'production']);
  assert.equal((await apiGet('/devices?custom.rack=R12&limit=1')).count, ROWS / 10);
  await shot('data-import-stored');
});

test('bulk edit: 3 devices ticked in the list get a status, location and tag (change-logged)', async () => {
  await page.goto(srv.url + '/#/devices?hostname__isw=imp-000&ordering=hostname');
  await page.waitForSelector('table.devices tbody tr[data-id] input.pick');
  const boxes = page.locator('table.devices tbody input.pick');
  const ids = [];
  for (let i = 0; i < 3; i++) {
    await boxes.nth(i).check();
    ids.push(Number(await boxes.nth(i).getAttribute('value')));
  }
  await page.waitForSelector('#bulk-count:text("3 selected")');
  await page.fill('#bulk-status', 'retired');
  await page.fill('#bulk-location', 'store room');
  await page.fill('#bulk-tags-add', 'sale');
  await page.click('#bulk-apply');
  await page.waitForSelector('#bulk-msg .notice.ok');
  assert.match(await page.textContent('#bulk-msg'), /Changed 3 of 3 devices/);
  await shot('data-bulk-edit');
  for (const id of ids) {
    const d = await apiGet(`/devices/${id}`);
    assert.deepEqual([d.status, d.location, d.tags], ['retired', 'store room', 'sale']);
    const c = await apiGet(`/changes?device_id=${id}&section=sys`);
    assert.equal(c.count, 1, `device ${id}: one change row`);
  }
  assert.equal((await apiGet('/devices?status=retired&limit=1')).count, 3, 'only those 3');
});

test('a custom field set on the device page is filtered on in the device list', async () => {
  const d = (await apiGet('/devices?hostname=imp-0003')).results[0];
  await page.goto(srv.url + `/#/device/${d.id}`);
  await page.waitForSelector('#device-custom select[name=rack]');
  assert.equal(await page.inputValue('#device-custom select[name=rack]'), 'R1');
  await page.selectOption('#device-custom select[name=rack]', 'R12');
  await page.click('#device-custom button[type=submit]');
  await page.waitForSelector('#device-custom .notice.ok');
  assert.equal((await apiGet(`/devices/${d.id}`)).custom.rack, 'R12');
  const want = (await apiGet('/devices?custom.rack=R12&limit=1')).count;
  assert.equal(want, ROWS / 10 + 1);
  await page.goto(srv.url + '/#/devices?custom.rack=R12');
  await page.waitForSelector(`#devices-status[data-count="${want}"]`);
  assert.match(await page.textContent('.chips'), /custom\.rack = R12/);
  await shot('data-custom-filter');
});

test('New device: the server\'s reason next to the field, then the device is created', async () => {
  await page.goto(srv.url + '/#/data/new');
  await page.waitForSelector('#new-device input[name=hostname]');
  await page.fill('#new-device input[name=hostname]', 'hand-made-1');
  await page.fill('#new-device input[name=ip]', '198.18.30.999');
  await page.click('#new-device button[type=submit]');
  await page.waitForSelector('#new-device .field-error');
  assert.match(await page.textContent('#new-device .field-error'), /'198\.18\.30\.999' is not an IP address/);
  assert.equal(await page.getAttribute('#new-device input[name=ip]', 'aria-invalid'), 'true');
  await shot('data-new-device-error');
  await page.fill('#new-device input[name=ip]', '198.18.30.9');
  await page.selectOption('#new-device select[name="custom.rack"]', 'R12');
  await page.click('#new-device button[type=submit]');
  await page.waitForSelector('#device-name:text("hand-made-1")');
  const d = (await apiGet('/devices?hostname=hand-made-1')).results[0];
  assert.equal(d.ip, '198.18.30.9');
  assert.equal((await apiGet(`/devices/${d.id}`)).custom.rack, 'R12');
});

test('data pages: no dialog, no page error, no Content-Security-Policy violation', () => {
  assert.deepEqual(problems, []);
});
