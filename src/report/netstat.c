/*
 * netstat: turns the netstat text that Open-AudIT audit scripts embed in
 * their XML (a CDATA block, not rows) into netstat rows.
 *
 * Two dialects arrive:
 *   Linux `netstat -tulpn`:
 *     tcp   0  0 0.0.0.0:22   0.0.0.0:*  LISTEN  2449/sshd
 *     udp6  0  0 :::111       :::*               1678/rpcbind
 *   Windows `netstat -abno` as written by audit_windows.vbs:
 *     TCP   0.0.0.0:135  0.0.0.0:0  LISTENING   RpcSs  [svchost.exe]
 *     UDP   [::]:500     *:*                    IKEEXT [svchost.exe]
 * Only listening TCP sockets and UDP sockets are kept: established
 * connections change by the minute and are not configuration.
 */
#include <string.h>

#include "report/report_int.h"

#define NETSTAT_MAX_LINE 1024
#define NETSTAT_MAX_TOKENS 6

static int netstat_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Splits line into up to max whitespace-separated tokens (NUL-terminated
 * in place); *rest points at the text after the last token taken. */
static int netstat_split(char *line, char **tok, int max, char **rest)
{
	int n = 0;
	char *p = line;

	while (n < max) {
		while (*p && netstat_is_space(*p))
			p++;
		if (!*p)
			break;
		tok[n++] = p;
		while (*p && !netstat_is_space(*p))
			p++;
		if (*p)
			*p++ = '\0';
	}
	while (*p && netstat_is_space(*p))
		p++;
	*rest = p;
	return n;
}

static void netstat_rtrim(char *s)
{
	size_t n = strlen(s);

	while (n && netstat_is_space(s[n - 1]))
		s[--n] = '\0';
}

/* "0.0.0.0:22", "[::]:80", ":::111", "::1:25" -> ip, port. */
static int netstat_addr(char *addr, const char **ip, const char **port)
{
	char *colon = strrchr(addr, ':');
	size_t i;

	if (!colon || !colon[1])
		return -1;
	*colon = '\0';
	for (i = 1; colon[i]; i++)
		if (colon[i] < '0' || colon[i] > '9')
			return -1;
	if (addr[0] == '[') {
		size_t n = strlen(addr);

		if (n < 2 || addr[n - 1] != ']')
			return -1;
		addr[n - 1] = '\0';
		addr++;
	}
	*ip = addr;
	*port = colon + 1;
	return 0;
}

/* The program of a Windows line: "[svchost.exe]" when there is one. */
static const char *netstat_windows_program(char *rest)
{
	char *open = strchr(rest, '[');
	char *close = open ? strchr(open, ']') : NULL;

	if (open && close) {
		*close = '\0';
		return open + 1;
	}
	if (strstr(rest, "Can not obtain ownership"))
		return "";
	return rest;
}

static void netstat_line(char *line, json_t *rows)
{
	char *tok[NETSTAT_MAX_TOKENS], *rest;
	const char *proto, *ip, *port, *program = "";
	char *local, *state = NULL;
	json_t *row;
	int n, windows;

	n = netstat_split(line, tok, 3, &rest);
	if (n < 3)
		return;
	if (strncmp(tok[0], "tcp", 3) == 0 || strncmp(tok[0], "TCP", 3) == 0)
		proto = "tcp";
	else if (strncmp(tok[0], "udp", 3) == 0 ||
		 strncmp(tok[0], "UDP", 3) == 0)
		proto = "udp";
	else
		return;
	windows = strchr(tok[1], ':') != NULL;
	if (windows) {
		/* proto local foreign [state] program... */
		local = tok[1];
		if (proto[0] == 't') {
			if (netstat_split(rest, &state, 1, &rest) != 1)
				return;
		}
	} else {
		/* proto recv-q send-q local foreign [state] pid/program */
		if (netstat_split(rest, tok, 2, &rest) != 2)
			return;
		local = tok[0];
		if (proto[0] == 't' &&
		    netstat_split(rest, &state, 1, &rest) != 1)
			return;
	}
	if (state && strcmp(state, "LISTEN") != 0 &&
	    strcmp(state, "LISTENING") != 0)
		return;
	netstat_rtrim(rest);
	if (windows) {
		program = netstat_windows_program(rest);
	} else if (rest[0] && strcmp(rest, "-") != 0) {
		char *slash = strchr(rest, '/');

		program = slash ? slash + 1 : rest;
	}
	if (netstat_addr(local, &ip, &port) != 0)
		return;
	row = json_object();
	json_object_set_new(row, "protocol", json_string(proto));
	json_object_set_new(row, "ip", json_string(ip));
	json_object_set_new(row, "port", json_string(port));
	json_object_set_new(row, "program", json_string(program));
	json_array_append_new(rows, row);
}

void report_netstat_parse(const char *text, size_t len, json_t *rows)
{
	char line[NETSTAT_MAX_LINE];
	size_t i = 0;

	while (i < len) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - (text + i)) : len - i;

		if (n < sizeof(line)) {
			memcpy(line, text + i, n);
			line[n] = '\0';
			netstat_line(line, rows);
		}
		i += n + 1;
	}
}
