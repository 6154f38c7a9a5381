// Devices: one page of GET /api/v1/devices at a time. The search box, the
// column filters, the sort order and the page live in the address
// (#/devices?hostname__ic=web&ordering=-last_seen&offset=50), so a view can
// be bookmarked or sent, and the server does the filtering, sorting and
// paging — the page stays quick with 100,000 devices. Which columns show is
// the user's choice (Columns), kept on the server as the preference
// devices.columns, so it follows them to another browser and login.
import { h, clear, api, fmtNum, text, buildQuery, route, errorBox, debounce, ApiError } from './core.js';
import { deviceSelection } from './data.js';
import { label, fmtValue, orgNames, getPrefs, setPref } from './fields.js';

// Every column the chooser offers, in table order; the default set first.
export const allColumns = [
  'hostname', 'ip', 'type', 'os_family', 'os_name', 'manufacturer', 'model', 'status', 'last_seen',
  'mac', 'serial', 'fqdn', 'os_version', 'location', 'org_id', 'owner', 'tags', 'first_seen',
  'last_seen_by', 'description', 'uuid', 'sysName',
];
export const defaultColumns = allColumns.slice(0, 9);
const PREF = 'devices.columns';
const reserved = new Set(['q', 'ordering', 'limit', 'offset']);
const pageSizes = [25, 50, 100, 250, 500];

// The API filter the search box stands for: an address prefix, part of a
// MAC address, or part of the host name.
export function searchFilter(q) {
  q = q.trim();
  if (!q) return {};
  if (/^[0-9]{1,3}(\.[0-9]{0,3}){0,3}$/.test(q) && q.includes('.')) return { ip__isw: q };
  if (/^([0-9a-f]{2}[:-]){2,5}[0-9a-f]{0,2}$/i.test(q)) return { mac__ic: q.replace(/-/g, ':') };
  return { hostname__ic: q };
}

// The API query for the page's state.
export function apiQuery(st) {
  const q = { ...searchFilter(st.q || '') };
  for (const [k, v] of Object.entries(st)) if (!reserved.has(k) && v !== '') q[k] = v;
  if (st.ordering) q.ordering = st.ordering;
  return q;
}

// One table row of device d for the columns cols; the one place a row is
// drawn, so a selection column can be added here.
export function deviceRow(d, cols, orgs) {
  const tr = h('tr', { dataset: { id: d.id } });
  for (const key of cols) {
    let v;
    if (key === 'hostname') {
      v = h('a', { href: `#/device/${encodeURIComponent(d.id)}` }, text(d.hostname) || text(d.ip) || `device ${d.id}`);
    } else if (key === 'org_id') {
      v = text(orgs.get(d.org_id) || d.org_id);
    } else {
      v = fmtValue(key, d[key]);
    }
    tr.appendChild(h('td', { 'data-col': key }, v));
  }
  return tr;
}

// The column chooser: a disclosure with one checkbox per column; onChange
// gets the new list (in table order) after each tick.
function columnChooser(cols, onChange) {
  const box = h('fieldset', { class: 'column-chooser', id: 'column-chooser', hidden: true },
    h('legend', {}, 'Columns to show'));
  const toggle = h('button', { type: 'button', id: 'columns-toggle', 'aria-expanded': 'false', 'aria-controls': 'column-chooser' }, 'Columns');
  toggle.addEventListener('click', () => {
    box.hidden = !box.hidden;
    toggle.setAttribute('aria-expanded', String(!box.hidden));
  });
  const checks = {};
  for (const key of allColumns) {
    const cb = h('input', { type: 'checkbox', id: `col-${key}`, name: key, checked: cols.includes(key), disabled: key === 'hostname' });
    cb.addEventListener('change', () => onChange(allColumns.filter((k) => checks[k].checked)));
    checks[key] = cb;
    box.appendChild(h('label', { for: cb.id, class: 'check' }, cb, ' ', label(key)));
  }
  box.appendChild(h('button', { type: 'button', id: 'columns-default', onclick: () => {
    for (const k of allColumns) checks[k].checked = defaultColumns.includes(k);
    onChange(defaultColumns.slice());
  } }, 'Default columns'));
  return { toggle, box };
}

export async function devicesPage(el, r) {
  document.title = 'Devices — netcensus';
  const st = { limit: '50', offset: '0', ...r.query };
  let ctrl = null;
  let cols = defaultColumns.slice();
  let orgs = new Map();
  // The user's columns and the org names arrive while the first page
  // loads (the rows wait for them, the request does not).
  const ready = Promise.all([getPrefs(), orgNames().catch(() => new Map())]).then(([prefs, o]) => {
    orgs = o;
    if (Array.isArray(prefs[PREF])) cols = allColumns.filter((k) => k === 'hostname' || prefs[PREF].includes(k));
  });

  const search = h('input', { type: 'search', id: 'device-search', 'data-search': '', value: st.q || '',
    placeholder: 'host name, address prefix or MAC', 'aria-label': 'Search devices (press / to focus)' });
  const status = h('p', { class: 'muted', id: 'devices-status', role: 'status', 'aria-live': 'polite' }, 'Loading…');
  const countEl = h('span', { id: 'devices-count', class: 'count' });
  const chips = h('div', { class: 'chips', role: 'group', 'aria-label': 'Active filters' });
  const headRow = h('tr', {});
  const filterRow = h('tr', { class: 'filters' });
  const tbody = h('tbody', {});
  const tableEl = h('table', { class: 'grid devices', 'aria-describedby': 'devices-status' }, h('thead', {}, headRow, filterRow), tbody);
  const prev = h('button', { type: 'button', id: 'page-prev' }, '‹ Previous');
  const next = h('button', { type: 'button', id: 'page-next' }, 'Next ›');
  const size = h('select', { id: 'page-size', 'aria-label': 'Rows per page' },
    pageSizes.map((n) => h('option', { value: n, selected: String(n) === st.limit }, `${n} per page`)));
  const exportBtn = h('button', { type: 'button', id: 'export-csv' }, 'Export CSV');
  const exportMsg = h('span', { class: 'muted', role: 'status' });
  const prefMsg = h('span', { class: 'muted', id: 'columns-msg', role: 'status' });
  const chooserSlot = h('span', {});
  const chooserBox = h('div', {});
  const chooserReady = ready.then(() => columnChooser(cols, async (list) => {
    cols = list;
    drawHead();
    load();
    try {
      await setPref(PREF, cols);
      prefMsg.textContent = 'Columns saved for your account.';
    } catch (err) {
      prefMsg.textContent = `Columns not saved: ${err.message}`;
    }
  })).then((c) => { chooserSlot.appendChild(c.toggle); chooserBox.appendChild(c.box); });

  // the selection column and bulk bar (data.js; org_admin and admin)
  const sel = deviceSelection({ headRow, filterRow, query: () => apiQuery(st), reload: () => load() });
  el.append(
    h('h1', {}, 'Devices ', countEl),
    h('div', { class: 'toolbar' }, search, chooserSlot, exportBtn, exportMsg, prefMsg),
    chooserBox,
    chips, ...(sel.bar ? [sel.bar] : []),
    h('div', { class: 'table-wrap' }, tableEl),
    h('div', { class: 'pager' }, prev, status, next, size));

  const filterInputs = {};
  function sortOf(key) {
    return st.ordering === key ? 'ascending' : st.ordering === '-' + key ? 'descending' : 'none';
  }
  function filterFor(key) {
    if (key === 'org_id') {
      const sel = h('select', { class: 'col-filter', name: 'org_id', 'aria-label': 'Filter Org' },
        h('option', { value: '' }, 'any'), [...orgs].map(([id, n]) => h('option', { value: id, selected: String(id) === st.org_id }, n)));
      sel.addEventListener('change', () => { st.org_id = sel.value; st.offset = '0'; update(false); });
      filterInputs.org_id = sel;
      return sel;
    }
    const inp = h('input', { type: 'text', class: 'col-filter', name: key + '__ic', value: st[key + '__ic'] || '',
      'aria-label': `Filter ${label(key)} (contains)`, placeholder: 'filter' });
    inp.addEventListener('input', debounce(() => { st[key + '__ic'] = inp.value.trim(); st.offset = '0'; update(false); }, 250));
    filterInputs[key + '__ic'] = inp;
    return inp;
  }
  function drawHead() {
    clear(headRow);
    clear(filterRow);
    for (const key of cols) {
      const ord = sortOf(key);
      const btn = h('button', { type: 'button', class: 'sort', dataset: { field: key } }, label(key),
        h('span', { class: 'arrow', 'aria-hidden': 'true' }, ord === 'ascending' ? ' ▲' : ord === 'descending' ? ' ▼' : ''));
      btn.addEventListener('click', () => {
        st.ordering = st.ordering === key ? '-' + key : st.ordering === '-' + key ? '' : key;
        st.offset = '0';
        update(true);
      });
      headRow.appendChild(h('th', { scope: 'col', 'aria-sort': ord, 'data-col': key }, btn));
      filterRow.appendChild(h('td', { 'data-col': key }, filterFor(key)));
    }
  }
  search.addEventListener('input', debounce(() => { st.q = search.value; st.offset = '0'; update(false); }, 250));
  prev.addEventListener('click', () => { st.offset = String(Math.max(0, +st.offset - +st.limit)); update(true); });
  next.addEventListener('click', () => { st.offset = String(+st.offset + +st.limit); update(true); });
  size.addEventListener('change', () => { st.limit = size.value; st.offset = '0'; update(true); });
  exportBtn.addEventListener('click', () => exportCsv(apiQuery(st), exportMsg, exportBtn));

  // Writes the state into the address; sorting and paging add a history
  // entry, typing replaces the current one.
  function update(push) {
    const clean = {};
    for (const [k, v] of Object.entries(st)) if (v !== '' && !(k === 'offset' && v === '0') && !(k === 'limit' && v === '50')) clean[k] = v;
    const hash = '#/devices' + buildQuery(clean);
    if (push) history.pushState(null, '', hash);
    else history.replaceState(null, '', hash);
    for (const th of headRow.children) {
      const ord = sortOf(th.firstChild.dataset.field);
      th.setAttribute('aria-sort', ord);
      th.querySelector('.arrow').textContent = ord === 'ascending' ? ' ▲' : ord === 'descending' ? ' ▼' : '';
    }
    load();
  }

  function drawChips() {
    clear(chips);
    for (const [k, v] of Object.entries(st)) {
      if (reserved.has(k) || filterInputs[k] || v === '') continue;
      chips.appendChild(h('span', { class: 'chip' }, `${k} = ${v}`,
        h('button', { type: 'button', 'aria-label': `Remove filter ${k}`, onclick: () => { delete st[k]; st.offset = '0'; update(true); } }, '×')));
    }
  }

  async function load() {
    if (ctrl) ctrl.abort();
    ctrl = new AbortController();
    const q = { ...apiQuery(st), limit: st.limit, offset: st.offset };
    const t0 = performance.now();
    let page;
    try {
      page = await api('GET', '/devices' + buildQuery(q), undefined, { signal: ctrl.signal });
      await ready;
      drawChips();
    } catch (err) {
      if (err.name === 'AbortError') return;
      clear(tbody);
      tbody.appendChild(h('tr', {}, h('td', { colspan: cols.length }, errorBox(err))));
      status.textContent = err instanceof ApiError && err.field ? `Filter ${err.field}: ${err.message}` : 'The list could not be loaded.';
      return;
    }
    clear(tbody);
    const frag = document.createDocumentFragment();
    for (const d of page.results) frag.appendChild(deviceRow(d, cols, orgs));
    tbody.appendChild(frag);
    sel.rows(tbody, page.count);
    if (!performance.getEntriesByName('devices-first-rows').length) performance.mark('devices-first-rows');
    if (!page.results.length) tbody.appendChild(h('tr', {}, h('td', { colspan: cols.length, class: 'empty' }, 'No device matches.')));
    const from = page.count ? +st.offset + 1 : 0;
    const to = +st.offset + page.results.length;
    countEl.textContent = `(${fmtNum(page.count)})`;
    status.textContent = `${fmtNum(from)}–${fmtNum(to)} of ${fmtNum(page.count)} devices`;
    status.dataset.count = page.count;
    status.dataset.query = buildQuery(q);
    status.dataset.ms = Math.round(performance.now() - t0);
    prev.disabled = +st.offset <= 0;
    next.disabled = to >= page.count;
  }

  ready.then(drawHead);
  await Promise.all([load(), chooserReady]);
  return () => { if (ctrl) ctrl.abort(); };
}

// Every device of the filter as one CSV file, 1,000 rows per request.
async function exportCsv(q, msg, btn) {
  btn.disabled = true;
  const parts = [];
  try {
    let offset = 0;
    const { count } = await api('GET', '/devices' + buildQuery({ ...q, limit: 1, offset: 0 }));
    while (offset < count) {
      const res = await fetch('/api/v1/devices' + buildQuery({ ...q, format: 'csv', limit: 1000, offset }), { credentials: 'same-origin' });
      if (!res.ok) throw new Error(`export failed: HTTP ${res.status}`);
      let body = await res.text();
      if (offset > 0) body = body.slice(body.indexOf('\r\n') + 2); // drop the repeated header
      parts.push(body);
      offset += 1000;
      msg.textContent = `exported ${fmtNum(Math.min(offset, count))} of ${fmtNum(count)}…`;
    }
    const url = URL.createObjectURL(new Blob(parts, { type: 'text/csv' }));
    const a = h('a', { href: '#', download: 'devices.csv' });
    a.href = url;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
    msg.textContent = `exported ${fmtNum(count)} devices`;
  } catch (err) {
    msg.textContent = String(err.message || err);
  } finally {
    btn.disabled = false;
  }
}
