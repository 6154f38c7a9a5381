/*
 * audit_netdev: network devices that cannot run the Unix script.
 *
 * Cisco and Juniper CLIs answer `show version` over an SSH exec channel;
 * its text is stable enough across releases to read the OS family,
 * version, model, serial and hostname from a handful of line shapes, listed
 * in the table below (prefix of a line → the sys field it gives). The first
 * match of a field wins, so the more specific shapes come first.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/util.h"

#define NETDEV_MAX_TEXT (1024u * 1024)

struct netdev_rule {
	const char *family; /* NULL: any */
	const char *prefix; /* line start, after leading blanks */
	const char *field;  /* sys field */
	int word;	    /* 0: rest of line after prefix; n: nth word */
};

static const struct netdev_rule netdev_rules[] = {
	{"Cisco IOS-XE", "Cisco IOS XE Software, Version ", "os_version", 1},
	{"Cisco NX-OS", "NXOS: version ", "os_version", 1},
	{"Cisco NX-OS", "system:    version ", "os_version", 1},
	{"Cisco NX-OS", "system: version ", "os_version", 1},
	{"Cisco NX-OS", "Device name: ", "hostname", 1},
	{"Cisco NX-OS", "Processor Board ID ", "serial", 1},
	{"Cisco NX-OS", "cisco Nexus", "model", 0},
	{NULL, "Model number", "model", -1},
	{NULL, "Model Number", "model", -1},
	{NULL, "System serial number", "serial", -1},
	{NULL, "System Serial Number", "serial", -1},
	{NULL, "Processor board ID ", "serial", 1},
	{"Juniper Junos", "Hostname: ", "hostname", 1},
	{"Juniper Junos", "Model: ", "model", 1},
	{"Juniper Junos", "Junos: ", "os_version", 1},
	{"Juniper Junos", "JUNOS Software Release [", "os_version", 1},
	{"Juniper Junos", "JUNOS Base OS boot [", "os_version", 1},
	{"Juniper Junos", "Chassis ", "serial", 1},
	{NULL, NULL, NULL, 0},
};

const char *audit_netdev_family(const char *banner, const char *text)
{
	if (text) {
		if (strstr(text, "Cisco Nexus Operating System") ||
		    strstr(text, "NX-OS"))
			return "Cisco NX-OS";
		if (strstr(text, "Cisco IOS XE Software") ||
		    strstr(text, "IOS-XE"))
			return "Cisco IOS-XE";
		if (strstr(text, "Cisco IOS Software") ||
		    strstr(text, "Cisco Internetwork Operating System"))
			return "Cisco IOS";
		if (strstr(text, "JUNOS") || strstr(text, "Junos:"))
			return "Juniper Junos";
	}
	if (banner && strstr(banner, "Cisco"))
		return "Cisco IOS";
	return NULL;
}

/* Copies word n (1-based) of s, or the rest of the line for n == 0, or
 * the text after a ':' for n == -1; trailing blanks and ']' ',' cut. */
static void netdev_take(const char *s, int n, char *out, size_t outlen)
{
	size_t len;

	if (n == -1) {
		s = strchr(s, ':');
		if (!s) {
			out[0] = '\0';
			return;
		}
		s++;
		n = 1;
	}
	while (*s == ' ' || *s == '\t')
		s++;
	for (; n > 1; n--) {
		s += strcspn(s, " \t");
		s += strspn(s, " \t");
	}
	len = n == 0 ? strlen(s) : strcspn(s, " \t");
	while (len && (isspace((unsigned char)s[len - 1]) ||
		       s[len - 1] == ']' || s[len - 1] == ','))
		len--;
	if (len >= outlen)
		len = outlen - 1;
	memcpy(out, s, len);
	out[len] = '\0';
}

static void netdev_set(json_t *sys, const char *field, const char *val)
{
	if (*val && !json_object_get(sys, field))
		json_object_set_new(sys, field, json_string(val));
}

/* Cisco IOS: "Cisco IOS Software, C2960 Software (...), Version 12.2(55)SE5,
 * RELEASE" and "host1 uptime is ..." and "cisco WS-C2960-24TT-L (...)". */
static void netdev_cisco_line(json_t *sys, const char *l)
{
	char v[256];
	const char *p;

	if (!strncmp(l, "Cisco IOS", 9) && (p = strstr(l, "Version "))) {
		netdev_take(p + 8, 1, v, sizeof(v));
		netdev_set(sys, "os_version", v);
	}
	if ((p = strstr(l, " uptime is ")) && !strchr(l, ':')) {
		size_t n = (size_t)(p - l);

		if (n > 0 && n < sizeof(v) && !memchr(l, ' ', n)) {
			memcpy(v, l, n);
			v[n] = '\0';
			netdev_set(sys, "hostname", v);
		}
	}
	if (!strncmp(l, "cisco ", 6) && strstr(l, "processor")) {
		netdev_take(l + 6, 1, v, sizeof(v));
		netdev_set(sys, "model", v);
	}
}

json_t *audit_parse_netdev(const char *banner, const char *text, size_t len,
			   struct report_error *err)
{
	const char *fam;
	json_t *rep = NULL, *sys, *src;
	char *copy = NULL, *line, *next;
	char now[20], v[256];
	const struct netdev_rule *r;

	if (len > NETDEV_MAX_TEXT) {
		snprintf(err->msg, sizeof(err->msg),
			 "show version output is longer than %u bytes",
			 NETDEV_MAX_TEXT);
		return NULL;
	}
	copy = xstrndup(text ? text : "", text ? len : 0);
	fam = audit_netdev_family(banner, copy);
	if (!fam) {
		snprintf(err->msg, sizeof(err->msg),
			 "not a Cisco IOS, IOS-XE, NX-OS or Juniper Junos "
			 "device");
		goto fail;
	}
	rep = json_object();
	sys = json_object();
	src = json_object();
	util_now(now);
	json_object_set_new(src, "name", json_string(AUDIT_SOURCE_NAME));
	json_object_set_new(src, "format", json_string("show-version"));
	json_object_set_new(src, "time", json_string(now));
	json_object_set_new(rep, "report_version",
			    json_integer(REPORT_VERSION));
	json_object_set_new(rep, "source", src);
	json_object_set_new(rep, "sys", sys);
	for (line = copy; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		line[strcspn(line, "\r")] = '\0';
		while (*line == ' ' || *line == '\t')
			line++;
		for (r = netdev_rules; r->prefix; r++) {
			if ((r->family && strcmp(r->family, fam)) ||
			    strncmp(line, r->prefix, strlen(r->prefix)))
				continue;
			netdev_take(
				line + (r->word == -1 ? 0 : strlen(r->prefix)),
				r->word, v, sizeof(v));
			netdev_set(sys, r->field, v);
		}
		if (!strncmp(fam, "Cisco", 5))
			netdev_cisco_line(sys, line);
	}
	if (!strncmp(fam, "Cisco", 5)) {
		json_object_set_new(sys, "manufacturer",
				    json_string("Cisco Systems"));
		json_object_set_new(sys, "os_group", json_string("Cisco"));
	} else {
		json_object_set_new(sys, "manufacturer",
				    json_string("Juniper Networks"));
		json_object_set_new(sys, "os_group", json_string("Juniper"));
	}
	json_object_set_new(sys, "os_family", json_string(fam));
	{
		const char *ver =
			json_string_value(json_object_get(sys, "os_version"));
		char *name = xasprintf("%s%s%s", fam, ver ? " " : "",
				       ver ? ver : "");

		json_object_set_new(sys, "os_name", json_string(name));
		free(name);
	}
	if (report_validate(rep, err) != 0)
		goto fail;
	free(copy);
	return rep;
fail:
	json_decref(rep);
	free(copy);
	return NULL;
}
