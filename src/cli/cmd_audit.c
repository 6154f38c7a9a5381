/*
 * cmd_audit: `netcensus audit` — audit this host with the same collection
 * script an SSH audit runs, and print or submit the device report.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <jansson.h>
#include <sodium.h>

#include "audit/audit.h"
#include "cli/cli.h"
#include "core/log.h"
#include "core/util.h"

#define AUDIT_REPLY_MAX (64u * 1024)

static void audit_usage(FILE *out)
{
	fprintf(out,
		"usage: netcensus audit [--json] [--timeout SECONDS]\n"
		"                       [--submit URL [--token TOKEN]]\n"
		"\n"
		"Audits this host: system, hardware, disks, interfaces and "
		"addresses,\nroutes, software, services, users, groups and "
		"listening ports. Read-only.\nRun as root (or with "
		"passwordless sudo) for the uuid, serial, memory\nmodules "
		"and the programs behind listening ports.\n\n"
		"  --json          print the device report as JSON\n"
		"  --timeout S     give up after S seconds (default 300)\n"
		"  --submit URL    send the report to a netcensus server "
		"(POST URL/api/v1/intake)\n"
		"  --token TOKEN   API token for --submit (else "
		"$NETCENSUS_TOKEN)\n");
}

static size_t audit_curl_write(char *p, size_t size, size_t n, void *arg)
{
	struct strbuf *sb = arg;

	/* Keep the start of the reply for the error message; drop the rest. */
	if (sb->len < AUDIT_REPLY_MAX)
		strbuf_append(sb, p,
			      size * n < AUDIT_REPLY_MAX - sb->len
				      ? size * n
				      : AUDIT_REPLY_MAX - sb->len);
	return size * n;
}

/* POSTs the report to URL/api/v1/intake. 0 or -1 (logged). */
static int audit_submit(json_t *rep, const char *url, const char *token)
{
	CURL *c = NULL;
	struct curl_slist *hdr = NULL;
	struct strbuf reply;
	char *body = NULL, *full = NULL, *auth = NULL;
	char errbuf[CURL_ERROR_SIZE] = "";
	size_t ulen = strlen(url);
	long code = 0;
	int rc = -1;

	strbuf_init(&reply, AUDIT_REPLY_MAX + 1);
	while (ulen && url[ulen - 1] == '/')
		ulen--;
	full = xasprintf("%.*s/api/v1/intake", (int)ulen, url);
	body = json_dumps(rep, JSON_COMPACT);
	auth = xasprintf("Authorization: Bearer %s", token);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0 ||
	    !(c = curl_easy_init()) || !body) {
		log_err("audit: cannot start libcurl");
		goto out;
	}
	hdr = curl_slist_append(hdr, "Content-Type: application/json");
	hdr = curl_slist_append(hdr, auth);
	curl_easy_setopt(c, CURLOPT_URL, full);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 15L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 120L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, audit_curl_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &reply);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "netcensus-audit");
	if (curl_easy_perform(c) != CURLE_OK) {
		log_err("audit: cannot send the report to %s: %s", full,
			errbuf);
		goto out;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	if (code < 200 || code > 299) {
		log_err("audit: %s refused the report (HTTP %ld): %.300s%s",
			full, code, reply.data ? reply.data : "",
			code == 401 || code == 403 ? " (check --token)" : "");
		goto out;
	}
	log_info("audit: report sent to %s (HTTP %ld)", full, code);
	rc = 0;
out:
	curl_slist_free_all(hdr);
	if (c)
		curl_easy_cleanup(c);
	curl_global_cleanup();
	strbuf_free(&reply);
	free(body);
	free(full);
	if (auth) {
		sodium_memzero(auth, strlen(auth));
		free(auth);
	}
	return rc;
}

static const char *audit_sys(json_t *rep, const char *k)
{
	const char *v = json_string_value(
		json_object_get(json_object_get(rep, "sys"), k));

	return v ? v : "";
}

static const char *audit_dash(const char *s)
{
	return *s ? s : "-";
}

static void audit_print_summary(json_t *rep)
{
	const char *k, *nr;
	json_t *v;

	printf("host      %s%s%s\n", audit_sys(rep, "hostname"),
	       *audit_sys(rep, "fqdn") ? "  fqdn " : "",
	       audit_sys(rep, "fqdn"));
	printf("os        %s (%s %s, kernel %s, %s)\n",
	       audit_sys(rep, "os_name"), audit_sys(rep, "os_group"),
	       audit_sys(rep, "os_family"), audit_sys(rep, "kernel"),
	       audit_sys(rep, "architecture"));
	printf("hardware  %s %s  serial %s  uuid %s\n",
	       audit_dash(audit_sys(rep, "manufacturer")),
	       audit_dash(audit_sys(rep, "model")),
	       audit_dash(audit_sys(rep, "serial")),
	       audit_dash(audit_sys(rep, "uuid")));
	printf("cpus      %s  memory %s KiB  uptime %s s\n",
	       audit_sys(rep, "processor_count"),
	       audit_sys(rep, "memory_count"), audit_sys(rep, "uptime"));
	printf("sections ");
	json_object_foreach(rep, k, v)
		if (json_is_array(v))
			printf(" %s %zu", k, json_array_size(v));
	printf("\n");
	nr = json_string_value(
		json_object_get(json_object_get(rep, "source"), "needs_root"));
	if (nr)
		printf("not root  missing: %s (run as root, or allow "
		       "'sudo -n')\n",
		       nr);
}

int cmd_audit(int argc, char **argv)
{
	const char *submit = NULL, *token = getenv("NETCENSUS_TOKEN");
	struct report_error err = {{0}};
	json_t *rep = NULL;
	char *out = NULL;
	size_t len = 0;
	long timeout = 300;
	int json = 0, i, rc = 1;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			audit_usage(stdout);
			return 0;
		} else if (!strcmp(a, "--json")) {
			json = 1;
		} else if (!strcmp(a, "--submit") && i + 1 < argc) {
			submit = argv[++i];
		} else if (!strcmp(a, "--token") && i + 1 < argc) {
			token = argv[++i];
		} else if (!strcmp(a, "--timeout") && i + 1 < argc) {
			if (util_parse_long(argv[++i], 1, 86400, &timeout)) {
				fprintf(stderr,
					"netcensus: audit: --timeout "
					"takes seconds (1-86400), not '%s'\n",
					argv[i]);
				return 2;
			}
		} else {
			fprintf(stderr,
				"netcensus: audit: unknown or "
				"incomplete option '%s'\n",
				a);
			audit_usage(stderr);
			return 2;
		}
	}
	if (submit && (!token || !*token)) {
		fprintf(stderr, "netcensus: audit: --submit needs --token "
				"TOKEN (or NETCENSUS_TOKEN): an API token from "
				"'netcensus admin token add'\n");
		return 2;
	}
	if (submit && strncmp(submit, "http://", 7) &&
	    strncmp(submit, "https://", 8)) {
		fprintf(stderr,
			"netcensus: audit: --submit takes an http:// "
			"or https:// URL, not '%s'\n",
			submit);
		return 2;
	}
	out = audit_run_local((int)timeout * 1000, &len);
	if (!out)
		goto out;
	rep = audit_parse(out, len, &err);
	if (!rep) {
		log_err("audit: the collection output was refused: %s",
			err.msg);
		goto out;
	}
	if (submit && audit_submit(rep, submit, token) != 0)
		goto out;
	if (json) {
		if (json_dumpf(rep, stdout, JSON_INDENT(2) | JSON_SORT_KEYS) ||
		    fputc('\n', stdout) == EOF)
			goto out;
	} else {
		audit_print_summary(rep);
		if (submit)
			printf("submitted to %s\n", submit);
	}
	rc = 0;
out:
	json_decref(rep);
	free(out);
	return rc;
}
