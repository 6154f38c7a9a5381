// Changes (#/changes): what audits and discoveries added, removed or
// changed, network-wide, newest first — filtered by date range, device,
// section, kind and org, all kept in the address so a view can be sent;
// exported as CSV with the same readable text. The device page's History
// tab draws the same list, fixed to its device (changesView()).
//
// A change row is {time, device_id, hostname, section, action, key,
// detail}: key is the row's key fields joined by U+001F (never shown as
// such), detail is {} for an added or removed row and {from: {field:
// old}, to: {field: new}} for a changed one.
import { h, clear, api, text, fmtNum, buildQuery, go, notice, errorBox, fetchAll, csvField, download, field, select } from './core.js';

const kinds = [['', 'any kind'], ['add', 'added'], ['remove', 'removed'], ['change', 'changed']];
const kindWord = { add: 'added', remove: 'removed', change: 'changed' };
const sections = ['sys', 'software', 'network', 'ip', 'disk', 'partition', 'service', 'user',
  'user_group', 'ports', 'processor', 'memory', 'bios', 'motherboard', 'video', 'sound',
  'monitor', 'route', 'netstat', 'arp', 'lldp', 'share', 'task', 'log', 'variable', 'module',
  'vm', 'windows', 'certificate', 'dns'];
const PAGE = 100;

// Text without control characters (U+0000-U+001F, U+007F-U+009F): they
// show as boxes or break lines.
export function clean(v) {
  return text(v).replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();
}

// The key's fields, readable: "nginx · 1.24.0".
export function changeItem(c) {
  const parts = String(c.key || '').split('\u001f').map(clean).filter(Boolean);
  if (parts.length) return parts.join(' · ');
  return c.section === 'sys' ? 'device fields' : '';
}

function detailObj(c) {
  if (c.detail && typeof c.detail === 'object') return c.detail;
  try { return JSON.parse(c.detail || '{}'); } catch (e) { return {}; }
}

// [[field, old, new]] of a changed row.
export function changeFields(c) {
  const d = detailObj(c);
  const from = (d && d.from) || {};
  const to = (d && d.to) || {};
  const names = [...new Set([...Object.keys(from), ...Object.keys(to)])].sort();
  return names.map((n) => [n.replace(/_/g, ' '), clean(from[n]), clean(to[n])]);
}

// The one line of text a change stands for (CSV, screen readers).
export function changeText(c) {
  const f = changeFields(c).map(([n, a, b]) => `${n}: ${a || '(none)'} → ${b || '(none)'}`);
  return f.join('; ');
}

function changeLi(c, showDevice) {
  const fields = changeFields(c);
  return h('li', { class: `change kind-${c.action}`, dataset: { id: c.id } },
    h('time', { datetime: c.time }, (c.time || '').slice(11, 16)), ' ',
    h('span', { class: 'badge ' + c.action }, kindWord[c.action] || c.action), ' ',
    showDevice ? [h('a', { href: `#/device/${c.device_id}`, class: 'dev' }, clean(c.hostname) || `device ${c.device_id}`), ' '] : null,
    h('strong', {}, clean(c.section).replace(/_/g, ' ')), ' ',
    h('span', { class: 'item' }, changeItem(c)),
    fields.length ? h('div', { class: 'detail' }, fields.map(([n, a, b]) =>
      h('div', {}, n, ': ', h('del', {}, a || '(none)'), ' → ', h('ins', {}, b || '(none)')))) : null);
}

// The API query of a view state {from, to, device_id, device, section,
// kind, org}.
function apiQuery(st) {
  const q = { ordering: '-time' };
  if (st.from) q.time__gte = st.from + ' 00:00:00';
  if (st.to) {
    const d = new Date(st.to + 'T00:00:00Z');
    if (!Number.isNaN(d.getTime())) {
      d.setUTCDate(d.getUTCDate() + 1);
      q.time__lt = d.toISOString().slice(0, 10) + ' 00:00:00';
    }
  }
  if (st.device_id) q.device_id = st.device_id;
  if (st.device) q.hostname__ic = st.device;
  if (st.section) q.section = st.section;
  if (st.kind) q.action = st.kind;
  if (st.org) q.org_id = st.org;
  return q;
}

// Draws the filters, the count, the list by day (older pages on demand)
// and the CSV export into el. fixed: a device's History (no device and
// org filters); onState(st) is told when the filters change.
export async function changesView(el, st, opts = {}) {
  const form = h('form', { class: 'filters-form card', id: 'changes-filters' });
  const from = h('input', { type: 'date', name: 'from', value: st.from || '' });
  const to = h('input', { type: 'date', name: 'to', value: st.to || '' });
  const device = h('input', { type: 'search', name: 'device', value: st.device || '', placeholder: 'host name contains' });
  const sectionInp = h('input', { name: 'section', value: st.section || '', list: 'change-sections', placeholder: 'any section' });
  const kind = select('kind', kinds, st.kind || '');
  const msg = h('div', {});
  form.append(field('From', from), field('To', to));
  if (!opts.fixed) form.append(field('Device', device));
  form.append(field('Section', sectionInp), h('datalist', { id: 'change-sections' }, sections.map((s) => h('option', { value: s }))),
    field('Kind', kind));
  let org = null;
  if (!opts.fixed && opts.orgs && opts.orgs.length > 1) {
    org = select('org', [['', 'every org'], ...opts.orgs.map((o) => [o.id, o.name])], st.org || '');
    form.append(field('Org', org));
  }
  const apply = h('button', { type: 'submit', class: 'primary' }, 'Show');
  const csv = h('button', { type: 'button', id: 'changes-csv' }, 'Export CSV');
  const csvMsg = h('span', { class: 'muted', role: 'status' });
  form.append(apply, csv, csvMsg);
  const status = h('p', { class: 'muted', id: 'changes-status', role: 'status', 'aria-live': 'polite' }, 'Loading…');
  const list = h('ol', { class: 'timeline', id: 'timeline' });
  const more = h('button', { type: 'button', id: 'changes-more' }, 'Older changes');
  more.hidden = true;
  el.append(form, msg, status, list, more);

  let offset = 0;
  let lastDay = null;
  let gen = 0;
  async function page(reset) {
    const my = reset ? ++gen : gen;
    if (reset) { offset = 0; lastDay = null; }
    more.disabled = true;
    const res = await api('GET', '/changes' + buildQuery({ ...apiQuery(st), limit: PAGE, offset }));
    if (my !== gen) return;
    if (reset) clear(list);
    status.textContent = res.count ? `${fmtNum(res.count)} change${res.count === 1 ? '' : 's'}` : 'No changes match.';
    for (const c of res.results) {
      const day = (c.time || '').slice(0, 10);
      if (day !== lastDay) { list.appendChild(h('li', { class: 'day' }, h('h2', {}, day))); lastDay = day; }
      list.appendChild(changeLi(c, !opts.fixed));
    }
    offset += res.results.length;
    more.hidden = offset >= res.count;
    more.disabled = false;
  }
  async function run(reset) {
    clear(msg);
    try { await page(reset); } catch (err) { status.textContent = ''; msg.appendChild(errorBox(err)); }
  }
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    st.from = from.value; st.to = to.value; st.section = sectionInp.value.trim(); st.kind = kind.value;
    if (!opts.fixed) { st.device = device.value.trim(); if (org) st.org = org.value; }
    if (opts.onState) opts.onState(st);
    run(true);
  });
  more.addEventListener('click', () => run(false));
  csv.addEventListener('click', async () => {
    csv.disabled = true;
    try {
      const rows = await fetchAll('/changes', apiQuery(st), (n, total) => { csvMsg.textContent = `${fmtNum(n)} of ${fmtNum(total)}…`; });
      const lines = [['time', 'device_id', 'hostname', 'section', 'kind', 'item', 'details'].join(',')];
      for (const c of rows) {
        lines.push([c.time, c.device_id, clean(c.hostname), c.section, kindWord[c.action] || c.action,
          changeItem(c), changeText(c)].map(csvField).join(','));
      }
      download(opts.fixed ? `changes-device-${st.device_id}.csv` : 'changes.csv', lines.join('\r\n') + '\r\n');
      csvMsg.textContent = `exported ${fmtNum(rows.length)} changes`;
    } catch (err) {
      csvMsg.textContent = String(err.message || err);
    } finally { csv.disabled = false; }
  });
  await run(true);
}

export async function changesPage(el, r) {
  document.title = 'Changes — netcensus';
  const st = { ...r.query };
  const orgs = await api('GET', '/orgs').then((o) => o.results || o).catch(() => []);
  el.appendChild(h('h1', {}, 'Changes'));
  const hash = () => {
    const set = {};
    for (const [k, v] of Object.entries(st)) if (v) set[k] = v;
    return '#/changes' + buildQuery(set);
  };
  const save = () => history.replaceState(null, '', hash());
  if (st.device_id) {
    el.appendChild(h('div', { class: 'chips' }, h('span', { class: 'chip' }, `device ${st.device_id}`,
      h('button', { type: 'button', 'aria-label': 'Show every device', onclick: () => { delete st.device_id; go(hash()); } }, '×'))));
  }
  if (!orgs.length) el.appendChild(notice('info', 'No org is visible to you.'));
  await changesView(el, st, { orgs, onState: save });
  return null;
}
