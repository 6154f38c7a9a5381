// One device: its fields, the user fields (status, owner, location, tags,
// description) to edit, every component section as a tab, and its change
// history as a timeline. #/device/ID/SECTION selects a tab.
import { state, h, clear, api, text, fmtNum, tabs, notice, errorBox, showFieldErrors, clearFieldErrors } from './core.js';

const editable = ['status', 'owner', 'location', 'tags', 'description'];
const headline = ['hostname', 'fqdn', 'ip', 'mac', 'type', 'manufacturer', 'model', 'serial',
  'os_family', 'os_name', 'os_version', 'first_seen', 'last_seen', 'last_seen_by'];
const sectionOrder = ['software', 'network', 'ip', 'disk', 'partition', 'service', 'user',
  'user_group', 'ports', 'processor', 'memory', 'bios', 'motherboard', 'video', 'sound',
  'monitor', 'route', 'netstat', 'arp', 'lldp', 'cdp', 'fdb', 'share', 'task', 'log', 'variable'];
// The columns shown first in a section's table, when present.
const sectionKeys = {
  software: ['name', 'version', 'publisher', 'installed_on'],
  network: ['mac', 'net_index', 'description', 'ip_enabled', 'speed', 'ifadminstatus', 'ifoperstatus'],
  ip: ['ip', 'netmask', 'cidr', 'mac', 'version', 'set_by'],
  disk: ['model', 'serial', 'size', 'interface_type'],
  partition: ['mount_point', 'name', 'size', 'free', 'used', 'format'],
  service: ['name', 'description', 'state', 'start_mode', 'executable'],
  user: ['name', 'full_name', 'sid', 'status'],
  ports: ['protocol', 'port', 'state', 'program', 'version'],
  lldp: ['local_interface', 'remote_name', 'remote_port', 'remote_ip', 'remote_mac'],
  cdp: ['local_interface', 'remote_name', 'remote_port', 'remote_ip', 'remote_platform'],
  fdb: ['mac', 'vlan', 'interface', 'port', 'status'],
};

// "switch port, VLAN v" linking to the switch, for dev.attachment.
function attachmentField(a) {
  return h('dd', { 'data-field': 'attachment' },
    h('a', { href: `#/device/${a.switch_id}` }, text(a.switch)),
    ` port ${text(a.port_name)}`, a.vlan ? `, VLAN ${text(a.vlan)}` : '',
    h('small', { class: 'muted' }, ` (${text(a.mac)}, seen ${text(a.seen)})`));
}

function fieldList(dev) {
  const dl = h('dl', { class: 'fields' });
  const keys = headline.concat(Object.keys(dev).filter((k) => !headline.includes(k) && !editable.includes(k) && k !== 'components' && k !== 'id' && k !== 'attachment' && k !== 'custom').sort());
  if (dev.attachment) dl.append(h('dt', {}, 'plugged in'), attachmentField(dev.attachment));
  for (const k of keys) {
    if (dev[k] === null || dev[k] === undefined || dev[k] === '') continue;
    dl.append(h('dt', {}, k), h('dd', { 'data-field': k }, text(dev[k])));
  }
  return dl;
}

function editForm(dev, onSaved) {
  const msg = h('div', {});
  const inputs = {};
  const canEdit = state.user && (state.user.role === 'admin' || state.user.role === 'org_admin');
  const form = h('form', { class: 'edit', id: 'device-edit' }, h('h2', {}, 'Your fields'), msg);
  for (const k of editable) {
    const inp = k === 'description'
      ? h('textarea', { name: k, rows: 3, disabled: !canEdit })
      : h('input', { name: k, disabled: !canEdit });
    inp.value = dev[k] || '';
    inp.id = 'edit-' + k;
    inputs[k] = inp;
    form.appendChild(h('div', { class: 'field' }, h('label', { for: inp.id }, k), inp));
  }
  if (!canEdit) {
    form.appendChild(h('p', { class: 'muted' }, 'Your role may read these fields; an org admin may change them.'));
    return form;
  }
  form.appendChild(h('button', { type: 'submit', class: 'primary' }, 'Save'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(msg); clearFieldErrors(form);
    const body = {};
    for (const k of editable) {
      const v = inputs[k].value.trim();
      if (v !== (dev[k] || '')) body[k] = v === '' ? null : v;
    }
    if (!Object.keys(body).length) { msg.appendChild(notice('info', 'Nothing changed.')); return; }
    try {
      const upd = await api('PATCH', `/devices/${dev.id}`, body);
      Object.assign(dev, upd);
      msg.appendChild(notice('ok', 'Saved.'));
      onSaved(dev);
    } catch (err) { showFieldErrors(form, msg, err); }
  });
  return form;
}

// Column order for a section's rows: the usual ones first, then the rest.
function sectionColumns(name, rows) {
  const seen = new Set();
  for (const r of rows) for (const k of Object.keys(r.data || {})) seen.add(k);
  const first = (sectionKeys[name] || []).filter((k) => seen.has(k));
  const rest = [...seen].filter((k) => !first.includes(k)).sort();
  return first.concat(rest).slice(0, 12);
}

function sectionPanel(dev, name, panel) {
  const rows = dev.components[name] || [];
  const filter = h('input', { type: 'search', 'data-search': '', 'aria-label': `Filter ${name} rows`, placeholder: `filter ${rows.length} rows` });
  const retired = h('input', { type: 'checkbox', id: `retired-${name}` });
  const out = h('div', {});
  let shown = rows;
  function draw() {
    const f = filter.value.trim().toLowerCase();
    const list = f ? shown.filter((r) => JSON.stringify(r.data).toLowerCase().includes(f)) : shown;
    const cols = sectionColumns(name, shown);
    clear(out);
    const limit = 2000;
    const thead = h('thead', {}, h('tr', {}, cols.map((c) => h('th', { scope: 'col' }, c)),
      h('th', { scope: 'col' }, 'first seen'), h('th', { scope: 'col' }, 'last seen')));
    const tbody = h('tbody', {});
    for (const r of list.slice(0, limit)) {
      tbody.appendChild(h('tr', { class: r.current === 0 ? 'retired' : null },
        cols.map((c) => h('td', {}, text((r.data || {})[c]))),
        h('td', {}, text(r.first_seen)), h('td', {}, text(r.last_seen))));
    }
    out.appendChild(h('p', { class: 'muted' }, `${fmtNum(list.length)} rows` + (list.length > limit ? `, the first ${limit} shown` : '')));
    out.appendChild(h('div', { class: 'table-wrap' }, h('table', { class: 'grid section', dataset: { section: name } }, thead, tbody)));
  }
  filter.addEventListener('input', draw);
  retired.addEventListener('change', async () => {
    try {
      shown = retired.checked
        ? (await api('GET', `/devices/${dev.id}/${encodeURIComponent(name)}?current=all&limit=1000`)).results
        : rows;
      draw();
    } catch (err) { out.appendChild(errorBox(err)); }
  });
  panel.append(h('div', { class: 'toolbar' }, filter, h('label', { for: retired.id, class: 'check' }, retired, ' include removed rows')), out);
  draw();
}

// History: the device's changes, drawn and filtered as on the Changes
// page (changes.js), fixed to this device.
async function historyPanel(dev, panel) {
  const { changesView } = await import('./changes.js');
  panel.appendChild(h('p', {}, h('a', { href: `#/changes?device_id=${dev.id}` }, 'Open on the Changes page')));
  await changesView(panel, { device_id: String(dev.id) }, { fixed: true });
}

export async function devicePage(el, r) {
  const id = r.parts[1];
  if (!/^[0-9]+$/.test(id || '')) { el.appendChild(notice('error', 'No such device.')); return null; }
  const dev = await api('GET', `/devices/${id}`);
  const name = text(dev.hostname) || text(dev.ip) || `device ${dev.id}`;
  document.title = `${name} — netcensus`;
  const title = h('h1', { id: 'device-name' }, name);
  el.append(h('p', { class: 'crumbs' }, h('a', { href: '#/devices' }, 'Devices'), ' / ', name), title,
    h('p', { class: 'muted' }, [dev.ip, dev.type, dev.os_name || dev.os_family, dev.manufacturer].filter(Boolean).map(text).join(' · ')));
  const sections = Object.keys(dev.components || {}).sort((a, b) => {
    const ia = sectionOrder.indexOf(a); const ib = sectionOrder.indexOf(b);
    return (ia < 0 ? 999 : ia) - (ib < 0 ? 999 : ib) || a.localeCompare(b);
  });
  const list = [
    { id: 'summary', label: 'Summary', render: (p) => {
      const edit = h('div', {}, editForm(dev, () => {}));
      p.append(h('div', { class: 'split' }, fieldList(dev), edit));
      // custom fields (data.js)
      import('./data.js').then((m) => m.customFieldsPanel(edit, dev)).catch((e) => edit.appendChild(errorBox(e)));
    } },
    ...sections.map((s) => ({ id: s, label: `${s} (${dev.components[s].length})`, render: (p) => sectionPanel(dev, s, p) })),
    { id: 'history', label: 'History', render: (p) => { historyPanel(dev, p).catch((e) => p.appendChild(errorBox(e))); } },
  ];
  el.appendChild(tabs(list, r.parts[2] || 'summary', (tab) => {
    history.replaceState(null, '', `#/device/${dev.id}` + (tab === 'summary' ? '' : '/' + encodeURIComponent(tab)));
  }));
  return null;
}
