// Devices: one page of GET /api/v1/devices at a time. The search box, the
// column filters, the sort order and the page live in the address
// (#/devices?hostname__ic=web&ordering=-last_seen&offset=50), so a view can
// be bookmarked or sent, and the server does the filtering, sorting and
// paging — the page stays quick with 100,000 devices.
import { h, clear, api, fmtNum, text, buildQuery, route, errorBox, debounce, ApiError } from './core.js';
import { deviceSelection } from './data.js';

export const columns = [
  ['hostname', 'Hostname'], ['ip', 'IP address'], ['type', 'Type'],
  ['os_family', 'OS family'], ['os_name', 'OS'], ['manufacturer', 'Manufacturer'],
  ['model', 'Model'], ['status', 'Status'], ['last_seen', 'Last seen'],
];
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

export async function devicesPage(el, r) {
  document.title = 'Devices — netcensus';
  const st = { limit: '50', offset: '0', ...r.query };
  let ctrl = null;

  const search = h('input', { type: 'search', id: 'device-search', 'data-search': '', value: st.q || '',
    placeholder: 'host name, address prefix or MAC', 'aria-label': 'Search devices (press / to focus)' });
  const status = h('p', { class: 'muted', id: 'devices-status', role: 'status', 'aria-live': 'polite' }, 'Loading…');
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

  // the selection column and bulk bar (data.js; org_admin and admin)
  const sel = deviceSelection({ headRow, filterRow, query: () => apiQuery(st), reload: () => load() });
  el.append(
    h('h1', {}, 'Devices'),
    h('div', { class: 'toolbar' }, search, exportBtn, exportMsg),
    chips, ...(sel.bar ? [sel.bar] : []),
    h('div', { class: 'table-wrap' }, tableEl),
    h('div', { class: 'pager' }, prev, status, next, size));

  const filterInputs = {};
  for (const [key, label] of columns) {
    const ord = st.ordering === key ? 'ascending' : st.ordering === '-' + key ? 'descending' : 'none';
    const btn = h('button', { type: 'button', class: 'sort', dataset: { field: key } }, label,
      h('span', { class: 'arrow', 'aria-hidden': 'true' }, ord === 'ascending' ? ' ▲' : ord === 'descending' ? ' ▼' : ''));
    btn.addEventListener('click', () => {
      st.ordering = st.ordering === key ? '-' + key : st.ordering === '-' + key ? '' : key;
      st.offset = '0';
      update(true);
    });
    headRow.appendChild(h('th', { scope: 'col', 'aria-sort': ord }, btn));
    const inp = h('input', { type: 'text', class: 'col-filter', name: key + '__ic', value: st[key + '__ic'] || '',
      'aria-label': `Filter ${label} (contains)`, placeholder: 'filter' });
    inp.addEventListener('input', debounce(() => { st[key + '__ic'] = inp.value.trim(); st.offset = '0'; update(false); }, 250));
    filterInputs[key + '__ic'] = inp;
    filterRow.appendChild(h('td', {}, inp));
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
      const key = th.firstChild.dataset.field;
      const ord = st.ordering === key ? 'ascending' : st.ordering === '-' + key ? 'descending' : 'none';
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
    drawChips();
    if (ctrl) ctrl.abort();
    ctrl = new AbortController();
    const q = { ...apiQuery(st), limit: st.limit, offset: st.offset };
    const t0 = performance.now();
    let page;
    try {
      page = await api('GET', '/devices' + buildQuery(q), undefined, { signal: ctrl.signal });
    } catch (err) {
      if (err.name === 'AbortError') return;
      clear(tbody);
      tbody.appendChild(h('tr', {}, h('td', { colspan: columns.length }, errorBox(err))));
      status.textContent = err instanceof ApiError && err.field ? `Filter ${err.field}: ${err.message}` : 'The list could not be loaded.';
      return;
    }
    clear(tbody);
    const frag = document.createDocumentFragment();
    for (const d of page.results) {
      const tr = h('tr', { dataset: { id: d.id } });
      for (const [key] of columns) {
        if (key === 'hostname') {
          tr.appendChild(h('td', { 'data-col': key }, h('a', { href: `#/device/${encodeURIComponent(d.id)}` }, text(d.hostname) || text(d.ip) || `device ${d.id}`)));
        } else {
          tr.appendChild(h('td', { 'data-col': key }, text(d[key])));
        }
      }
      frag.appendChild(tr);
    }
    tbody.appendChild(frag);
    sel.rows(tbody, page.count);
    if (!performance.getEntriesByName('devices-first-rows').length) performance.mark('devices-first-rows');
    if (!page.results.length) tbody.appendChild(h('tr', {}, h('td', { colspan: columns.length, class: 'empty' }, 'No device matches.')));
    const from = page.count ? +st.offset + 1 : 0;
    const to = +st.offset + page.results.length;
    status.textContent = `${fmtNum(from)}–${fmtNum(to)} of ${fmtNum(page.count)} devices`;
    status.dataset.count = page.count;
    status.dataset.query = buildQuery(q);
    status.dataset.ms = Math.round(performance.now() - t0);
    prev.disabled = +st.offset <= 0;
    next.disabled = to >= page.count;
  }

  await load();
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
