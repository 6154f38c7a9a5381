/*
 * sections: the table of component sections.
 *
 * Each row says how a section's rows are identified on one device. "keys"
 * are the fields whose values together are the row's identity (a row with
 * other key values is another component); "pair" is the stable part of that
 * identity, so that a row removed and a row added with equal pair values are
 * logged as one change (software "name" pairs an old and a new version);
 * "volatile_fields" change on every audit (free space, lease times, link
 * counters) and are stored without a change-log entry.
 *
 * Names and fields follow the Open-AudIT audit vocabulary so that audits
 * convert by mapping. Keys were chosen to be stable across audits of the
 * same device and distinct within one audit of it.
 */
#include <string.h>

#include "report/sections.h"

/* clang-format off */
static const struct section_def section_table[] = {
	{ .name = "bios",
	  .keys = { "manufacturer", "serial", "version", "smversion" },
	  .pair = { "manufacturer", "serial" } },
	{ .name = "processor",
	  .keys = { "description" } },
	{ .name = "memory",
	  .keys = { "bank", "serial", "size" },
	  .pair = { "bank" } },
	{ .name = "motherboard",
	  .keys = { "manufacturer", "model", "serial" } },
	{ .name = "video",
	  .keys = { "model", "device" },
	  .pair = { "device" } },
	{ .name = "sound",
	  .keys = { "model", "device" },
	  .pair = { "device" } },
	{ .name = "monitor",
	  .keys = { "manufacturer", "model", "serial" } },
	{ .name = "optical",
	  .keys = { "model", "mount_point" },
	  .pair = { "mount_point" } },
	{ .name = "modem",
	  .aliases = { "modems" },
	  .keys = { "model", "port" },
	  .pair = { "port" } },
	{ .name = "scsi",
	  .keys = { "manufacturer", "model", "device" },
	  .pair = { "device" } },
	{ .name = "disk",
	  .keys = { "hard_drive_index", "model", "serial", "size" },
	  .pair = { "hard_drive_index" } },
	{ .name = "partition",
	  .keys = { "mount_point", "name", "device", "hard_drive_index" },
	  .volatile_fields = { "free", "used" } },
	{ .name = "network",
	  .keys = { "mac", "net_index" },
	  .volatile_fields = { "dhcp_lease_obtained", "dhcp_lease_expires",
			       "iflastchange", "days_since_changed" } },
	{ .name = "ip",
	  .aliases = { "addresses" },
	  .keys = { "ip", "mac" } },
	{ .name = "software",
	  .keys = { "name", "version" },
	  .pair = { "name" } },
	{ .name = "software_key",
	  .keys = { "name", "string" },
	  .pair = { "name" } },
	{ .name = "service",
	  .keys = { "name" } },
	{ .name = "user",
	  .keys = { "name", "sid" } },
	{ .name = "user_group",
	  .keys = { "name", "sid" } },
	{ .name = "route",
	  .keys = { "destination", "mask", "next_hop" },
	  .pair = { "destination", "mask" } },
	{ .name = "netstat",
	  .keys = { "protocol", "ip", "port", "program" },
	  .pair = { "protocol", "ip", "port" } },
	{ .name = "arp",
	  .keys = { "ip", "mac" },
	  .pair = { "ip" } },
	{ .name = "module",
	  .keys = { "module_index", "description", "serial" },
	  .pair = { "module_index" } },
	{ .name = "share",
	  .aliases = { "shares" },
	  .keys = { "name", "path" },
	  .pair = { "name" } },
	{ .name = "log",
	  .keys = { "name", "file_name" },
	  .volatile_fields = { "file_size" } },
	{ .name = "variable",
	  .keys = { "program", "name" } },
	{ .name = "pagefile",
	  .keys = { "name" } },
	{ .name = "task",
	  .keys = { "name" },
	  .volatile_fields = { "last_run", "next_run", "last_result",
			       "status" } },
	{ .name = "server",
	  .keys = { "type", "name", "version" },
	  .pair = { "type", "name" } },
	{ .name = "server_item",
	  .keys = { "type", "parent_name", "name", "instance" },
	  .volatile_fields = { "size" } },
	{ .name = "vm",
	  .keys = { "uuid", "vm_ident" },
	  .volatile_fields = { "status" } },
	{ .name = "windows",
	  .keys = { "build_number", "service_pack" },
	  .volatile_fields = { "user_name" } },
	{ .name = "file",
	  .aliases = { "files" },
	  .keys = { "full_name", "hash" },
	  .pair = { "full_name" } },
	{ .name = "ports",
	  .aliases = { "nmap" },
	  .keys = { "protocol", "port" } },
	{ .name = "lldp",
	  .keys = { "local_port", "remote_mac", "remote_port" },
	  .pair = { "local_port" } },
	/* the L2 tables of a switch (snmp.h, docs/device-report.md): no
	 * Open-AudIT section holds them; a MAC moving to another port is one
	 * change */
	{ .name = "fdb",
	  .keys = { "mac", "vlan", "port" },
	  .pair = { "mac", "vlan" } },
	{ .name = "cdp",
	  .keys = { "local_port", "remote_name", "remote_port" },
	  .pair = { "local_port", "remote_name" } },
	{ .name = "usb",
	  .keys = { "device" } },
	{ .name = "print_queue",
	  .keys = { "device" } },
	{ .name = "certificate",
	  .keys = { "name", "issuer", "serial" },
	  .pair = { "name" } },
	{ .name = "dns",
	  .keys = { "ip", "name", "fqdn" } },
	{ .name = "executable",
	  .keys = { "full_name", "hash" },
	  .pair = { "full_name" } },
	{ .name = "antivirus",
	  .keys = { "name" } },
	{ .name = "firewall",
	  .keys = { "name" } },
	{ .name = NULL },
};
/* clang-format on */

/* sys is not a section (one object, not rows), but its volatile fields are
 * data of the same kind, so it gets a definition of its own. */
static const struct section_def section_sys_def = {
	.name = "sys",
	.volatile_fields = {"uptime", "sysUpTime", "last_seen", "last_seen_by",
			    "timestamp", "discovery_id",
			    /* SNMP route counts, read for classification, and
			     * the evidence classification names (its rules line
			     * numbers move with every new rules file) */
			    "inetCidrRouteNumber", "ipCidrRouteNumber",
			    "classification",
			    /* why a switch's fdb (a router's route) section
			     * is partial */
			    "fdb_truncated", "route_truncated"},
};

const struct section_def *section_find(const char *name)
{
	const struct section_def *d;
	size_t i;

	if (!name)
		return NULL;
	for (d = section_table; d->name; d++) {
		if (strcmp(d->name, name) == 0)
			return d;
		for (i = 0; i < sizeof(d->aliases) / sizeof(d->aliases[0]) &&
			    d->aliases[i];
		     i++)
			if (strcmp(d->aliases[i], name) == 0)
				return d;
	}
	return NULL;
}

const struct section_def *section_all(void)
{
	return section_table;
}

const struct section_def *section_sys(void)
{
	return &section_sys_def;
}

int section_name_valid(const char *name)
{
	size_t i;

	if (!name)
		return 0;
	if (!((name[0] >= 'A' && name[0] <= 'Z') ||
	      (name[0] >= 'a' && name[0] <= 'z')))
		return 0;
	for (i = 1; name[i]; i++) {
		char c = name[i];

		if (i >= 64)
			return 0;
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '_'))
			return 0;
	}
	return 1;
}
