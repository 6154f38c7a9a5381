// What the device pages show a field as: a readable label (never
// snake_case), a value with its unit (memory in GB/MB, uptime in days and
// hours, speeds in Mbit/s), the org by its name; plus the org list and the
// user's preferences kept on the server (GET/PUT /api/v1/preferences).
import { api, text, state, clear, clearFieldErrors } from './core.js';

const labels = {
  id: 'ID', ip: 'IP address', mac: 'MAC address', fqdn: 'FQDN', uuid: 'UUID', os_family: 'OS family',
  os_name: 'OS', os_version: 'OS version', os_group: 'OS group', os_bit: 'OS bits', os_icon: 'OS icon',
  os_installation_date: 'OS installed', org_id: 'Org', org: 'Org', last_seen_by: 'Last seen by',
  memory_count: 'Memory', processor_count: 'Processors', uptime: 'Uptime', sysName: 'SNMP name',
  sysDescr: 'SNMP description', sysObjectID: 'SNMP object ID', sysLocation: 'SNMP location',
  sysContact: 'SNMP contact', sysUpTime: 'SNMP uptime', snmp_oid: 'SNMP OID', snmp_version: 'SNMP version',
  dbus_identifier: 'D-Bus ID', dns_fqdn: 'DNS FQDN', dns_hostname: 'DNS host name', dns_domain: 'DNS domain',
  hostname: 'Host name', net_index: 'Interface index', ifadminstatus: 'Admin status', ifoperstatus: 'Oper status',
  ip_enabled: 'IP enabled', cidr: 'CIDR', set_by: 'Set by', mount_point: 'Mount point', interface_type: 'Interface',
  start_mode: 'Start mode', full_name: 'Full name', sid: 'SID', local_interface: 'Local interface',
  remote_name: 'Neighbour', remote_port: 'Neighbour port', remote_ip: 'Neighbour IP', remote_mac: 'Neighbour MAC',
  remote_platform: 'Neighbour platform', vlan: 'VLAN', installed_on: 'Installed', first_seen: 'First seen',
  last_seen: 'Last seen', user_group: 'User groups', fdb: 'Forwarding table', lldp: 'LLDP neighbours',
  cdp: 'CDP neighbours', arp: 'ARP table', netstat: 'Listening ports', ports: 'Open ports', bios: 'BIOS',
  ip_address: 'IP address',
};

// field -> unit of the stored number
const units = {
  memory_count: 'KiB', uptime: 's', sysUpTime: 'cs',
  'memory.size': 'MiB', 'disk.size': 'MiB', 'partition.size': 'MiB', 'partition.free': 'MiB',
  'partition.used': 'MiB', 'network.speed': 'bit/s', 'processor.speed': 'MHz', 'video.memory': 'MiB',
};

export function label(key) {
  if (labels[key]) return labels[key];
  const s = String(key).replace(/_/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function fmtBytes(n) {
  if (!Number.isFinite(n)) return '';
  const steps = [['TB', 1e12], ['GB', 1e9], ['MB', 1e6], ['kB', 1e3]];
  for (const [u, f] of steps) if (n >= f) return `${(n / f).toFixed(n / f >= 100 ? 0 : 1)} ${u}`;
  return `${n} B`;
}

export function fmtDuration(s) {
  if (!Number.isFinite(s) || s < 0) return '';
  const d = Math.floor(s / 86400);
  const hr = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d) return `${d} day${d === 1 ? '' : 's'} ${hr} h`;
  if (hr) return `${hr} h ${m} min`;
  return `${m} min`;
}

// A value as text with its unit; section is set for a section's column.
export function fmtValue(key, v, section) {
  const unit = units[section ? `${section}.${key}` : key];
  const n = Number(v);
  if (v === null || v === undefined || v === '' || !unit || !Number.isFinite(n)) return text(v);
  switch (unit) {
    case 'KiB': return fmtBytes(n * 1024);
    case 'MiB': return fmtBytes(n * 1048576);
    case 's': return fmtDuration(n);
    case 'cs': return fmtDuration(n / 100);
    case 'bit/s': return n >= 1e9 ? `${n / 1e9} Gbit/s` : n >= 1e6 ? `${n / 1e6} Mbit/s` : `${n} bit/s`;
    case 'MHz': return n >= 1000 ? `${(n / 1000).toFixed(2)} GHz` : `${n} MHz`;
    default: return text(v);
  }
}

let orgCache = null;
let orgCacheUser = null;
// [[id, name], ...] of the caller's orgs (fetched once per user and page
// load; orgsChanged() forgets them after an org is added).
export async function orgOptions() {
  const who = state.user && state.user.id;
  if (!orgCache || orgCacheUser !== who) {
    orgCacheUser = who;
    orgCache = api('GET', '/orgs').then((r) => (r.results || r).map((o) => [o.id, o.name]))
      .catch((e) => { orgCache = null; throw e; });
  }
  return orgCache;
}

export function orgsChanged() { orgCache = null; }

export async function orgNames() {
  return new Map(await orgOptions());
}

export async function getPrefs() {
  try { return await api('GET', '/preferences'); } catch (e) { return {}; }
}

export function setPref(name, value) {
  return api('PUT', `/preferences/${encodeURIComponent(name)}`, { value });
}

// Switches an add form ({form, msg, title, submit, cancel}) to editing
// item (or back to adding when item is null): emptied, its heading and
// button saying which.
export function formMode(f, item, what) {
  clear(f.msg);
  clearFieldErrors(f.form);
  f.form.reset();
  f.title.textContent = item ? `Edit ${item.name}` : `Add a ${what}`;
  f.submit.textContent = item ? 'Save' : `Add ${what}`;
  f.cancel.hidden = !item;
}
