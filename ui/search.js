// Search results (#/search?q=TEXT): one GET /api/v1/search for what was
// typed in the header box, shown by type — devices with the field that
// matched, software with the devices that have it, discoveries, users.
// The server looks at the start of every value a device is known by and
// scopes everything to the caller's orgs (docs/ui.md, "Search").
import { h, api, text, fmtNum, buildQuery, notice, table } from './core.js';

const fieldLabel = {
  hostname: 'host name', fqdn: 'FQDN', sysName: 'SNMP sysName', serial: 'serial',
  uuid: 'UUID', ip: 'IP address', mac: 'MAC address', location: 'location', tags: 'tags',
};

function deviceLink(d) {
  return h('a', { href: `#/device/${d.id}` }, text(d.hostname) || text(d.ip) || `device ${d.id}`);
}

function section(title, id, count, more, body) {
  return h('section', { class: 'card', id, 'aria-labelledby': id + '-h' },
    h('h2', { id: id + '-h' }, `${title} (${count}${more ? '+' : ''})`), body);
}

export async function searchPage(el, r) {
  const q = (r.query.q || '').trim();
  document.title = (q ? `${q} — ` : '') + 'Search — netcensus';
  const box = document.getElementById('global-search');
  if (box && box.value !== q) box.value = q;
  el.appendChild(h('h1', {}, q ? `Search: ${q}` : 'Search'));
  if (!q) {
    el.appendChild(notice('info', 'Type in the search box at the top: a host name, an address, a MAC address in any notation, a serial number, a tag or a software name.'));
    return null;
  }
  const t0 = performance.now();
  const res = await api('GET', '/search' + buildQuery({ q, limit: 25 }));
  const ms = Math.round(performance.now() - t0);
  const total = res.devices.length + res.software.length + res.discoveries.length + res.users.length;
  el.appendChild(h('p', { class: 'muted', id: 'search-status', role: 'status' },
    total ? `${fmtNum(total)} results in ${ms} ms` : `Nothing found for "${q}".`));
  if (!total) return null;

  if (res.devices.length) {
    el.appendChild(section('Devices', 'search-devices', res.devices.length, res.more.devices, table([
      { key: 'hostname', label: 'Device', render: deviceLink },
      { key: 'ip', label: 'IP address' },
      { key: 'type', label: 'Type' },
      { key: 'match', label: 'Found by', render: (d) => [h('span', { class: 'muted' }, fieldLabel[d.match.field] || d.match.field, ': '), h('mark', {}, text(d.match.value))] },
    ], res.devices, { class: 'grid search-devices' })));
  }
  if (res.software.length) {
    el.appendChild(section('Software', 'search-software', res.software.length, res.more.software,
      h('ul', { class: 'plain' }, res.software.map((s) => h('li', { class: 'software-hit' },
        h('strong', {}, s.name), ' ',
        h('span', { class: 'muted' }, `installed on ${fmtNum(s.device_count)}${s.device_count_capped ? '+' : ''} device${s.device_count === 1 ? '' : 's'}`),
        h('ul', { class: 'inline' }, s.devices.map((d) => h('li', {}, deviceLink(d)))),
        s.device_count > s.devices.length
          ? h('a', { href: '#/admin/reports' }, 'all of them: run the report "Software by name" with name__ic=' + s.name) : null)))));
  }
  if (res.discoveries.length) {
    el.appendChild(section('Discoveries', 'search-discoveries', res.discoveries.length, res.more.discoveries, table([
      { key: 'name', label: 'Discovery', render: (d) => h('a', { href: '#/discoveries' }, d.name) },
      { key: 'targets', label: 'Targets' },
    ], res.discoveries)));
  }
  if (res.users.length) {
    el.appendChild(section('Users', 'search-users', res.users.length, res.more.users, table([
      { key: 'username', label: 'User', render: (u) => h('a', { href: '#/admin/users' }, u.username) },
      { key: 'full_name', label: 'Name' },
      { key: 'role', label: 'Role' },
    ], res.users)));
  }
  return null;
}
