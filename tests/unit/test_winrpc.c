/*
 * test_winrpc: the Windows RPC inventory's side in netcensus (probe/winrpc.h)
 * - the mapping of what the worker reads onto Open-AudIT's vocabulary, and
 * the worker process kept on a leash - without a network.
 *
 * The registry values of the mapping test are those Windows Server 2019
 * writes under CurrentVersion, Tcpip\Parameters and the BIOS key, with the
 * types Windows gives them (CurrentMajorVersionNumber a DWORD, CurrentBuild
 * a string, InstallDate seconds since 1970): hand-made from Microsoft's
 * documentation of those values, not read from a real host (none was
 * available; the lab test reads Samba's). The worker tests replace Python
 * with small shell scripts (opts.python) that behave as a broken or hostile
 * worker would: silent, crashing, flooding, and one that records what it was
 * given, to show the credentials arrive on stdin only.
 */
#include <sys/stat.h>

#include "testlib.h"

#include "probe/winrpc.h"

static void feed(struct winrpc_state *st, const char *const *lines)
{
	for (; *lines; lines++)
		winrpc_line_feed(st, *lines, strlen(*lines));
}

static const char *sys_str(json_t *rep, const char *k)
{
	return json_string_value(
		json_object_get(json_object_get(rep, "sys"), k));
}

static const char *row_str(json_t *rep, const char *sec, size_t i,
			   const char *k)
{
	return json_string_value(json_object_get(
		json_array_get(json_object_get(rep, sec), i), k));
}

static void test_report_windows_server(void **state)
{
	static const char *const lines[] = {
		"{\"event\":\"auth\",\"credential\":\"old\",\"index\":0,"
		"\"ok\":false,\"status\":\"NT_STATUS_LOGON_FAILURE\"}",
		"{\"event\":\"auth\",\"credential\":\"corp\",\"index\":1,"
		"\"ok\":true}",
		"{\"event\":\"sys\",\"fields\":{\"netbios_name\":\"WIN2019-"
		"DB01\","
		"\"workgroup\":\"CORP\"}}",
		"{\"event\":\"sys\",\"fields\":{\"windows_account_domain_sid\":"
		"\"S-1-5-21-1-2-3\",\"windows_primary_domain\":\"CORP\","
		"\"windows_primary_domain_sid\":\"S-1-5-21-7-8-9\"}}",
		"{\"event\":\"section\",\"name\":\"registry\",\"rows\":{"
		"\"os\":{\"ProductName\":\"Windows Server 2019 Standard\","
		"\"CurrentMajorVersionNumber\":10,"
		"\"CurrentMinorVersionNumber\":0,"
		"\"CurrentVersion\":\"6.3\",\"CurrentBuild\":\"17763\","
		"\"UBR\":5329,\"ReleaseId\":\"1809\",\"InstallDate\":"
		"1571184000,"
		"\"RegisteredOwner\":\"IT\",\"RegisteredOrganization\":"
		"\"Corp\","
		"\"SystemRoot\":\"C:\\\\Windows\"},"
		"\"bios\":{\"SystemManufacturer\":\"Dell Inc.\","
		"\"SystemProductName\":\"PowerEdge "
		"R640\",\"BIOSVendor\":\"Dell "
		"Inc.\",\"BIOSVersion\":\"2.12.2\"},"
		"\"guid\":{\"MachineGuid\":\"0b7c5d2e-1111-2222-3333-"
		"444455556666\"},"
		"\"tcpip\":{\"Hostname\":\"WIN2019-DB01\",\"Domain\":"
		"\"corp.example.com\"},"
		"\"software\":[{\"name\":\"7-Zip 19.00 (x64)\",\"version\":"
		"\"19.00\",\"publisher\":\"Igor Pavlov\",\"type\":\"windows "
		"64-bit\"}],\"problems\":[]}}",
		"{\"event\":\"section\",\"name\":\"user\",\"rows\":[{\"name\":"
		"\"Administrator\",\"sid\":\"S-1-5-21-1-2-3-500\",\"disabled\":"
		"false}]}",
		"{\"event\":\"done\",\"ok\":true}",
		NULL};
	struct winrpc_state st;
	json_t *rep, *win;

	(void)state;
	winrpc_state_init(&st);
	feed(&st, lines);
	assert_int_equal(st.cred_index, 1);
	assert_string_equal(st.cred_name, "corp");
	assert_string_equal(st.refused, "'old' (NT_STATUS_LOGON_FAILURE)");
	rep = winrpc_report(&st);
	assert_non_null(rep);
	assert_string_equal(sys_str(rep, "os_name"),
			    "Microsoft Windows Server 2019 Standard");
	assert_string_equal(sys_str(rep, "os_version"), "10.0.17763");
	assert_string_equal(sys_str(rep, "os_group"), "Windows");
	assert_string_equal(sys_str(rep, "os_installation_date"), "2019-10-16");
	assert_string_equal(sys_str(rep, "hostname"), "win2019-db01");
	assert_string_equal(sys_str(rep, "fqdn"),
			    "win2019-db01.corp.example.com");
	assert_string_equal(sys_str(rep, "domain"), "corp.example.com");
	assert_string_equal(sys_str(rep, "manufacturer"), "Dell Inc.");
	assert_string_equal(sys_str(rep, "model"), "PowerEdge R640");
	assert_string_equal(sys_str(rep, "windows_domain_sid"),
			    "S-1-5-21-7-8-9");
	assert_string_equal(sys_str(rep, "windows_credential"), "corp");
	win = json_array_get(json_object_get(rep, "windows"), 0);
	assert_string_equal(
		json_string_value(json_object_get(win, "domain_short")),
		"CORP");
	assert_string_equal(
		json_string_value(json_object_get(win, "part_of_domain")),
		"True");
	assert_string_equal(
		json_string_value(json_object_get(win, "build_number")),
		"17763");
	assert_string_equal(json_string_value(json_object_get(win, "ubr")),
			    "5329");
	assert_string_equal(
		json_string_value(json_object_get(win, "display_version")),
		"1809");
	assert_string_equal(row_str(rep, "bios", 0, "version"), "2.12.2");
	assert_string_equal(row_str(rep, "software", 0, "name"),
			    "7-Zip 19.00 (x64)");
	assert_string_equal(row_str(rep, "user", 0, "disabled"), "False");
	json_decref(rep);
	winrpc_state_free(&st);
}

static void test_lines_hostile(void **state)
{
	static const char *const lines[] = {
		"not json",
		"[1,2]",
		"{\"event\":\"section\",\"name\":\"../x\","
		"\"rows\":[]}",
		"{\"event\":\"section\",\"name\":\"share\",\"rows\":\"x\"}",
		"{\"event\":\"sys\",\"fields\":[1]}",
		"{\"event\":\"nope\"}",
		"{\"event\":\"auth\",\"ok\":true,\"index\":-99999999999}",
		"{\"event\":\"section\",\"name\":\"registry\",\"rows\":{\"os\":"
		"{\"ProductName\":7,\"InstallDate\":99999999999999,"
		"\"CurrentMajorVersionNumber\":\"x\"}}}",
		NULL};
	struct winrpc_state st;
	json_t *rep;

	(void)state;
	winrpc_state_init(&st);
	feed(&st, lines);
	assert_true(json_array_size(st.problems) >= 5);
	rep = winrpc_report(&st);
	assert_non_null(rep);
	assert_null(sys_str(rep, "os_name"));
	assert_null(sys_str(rep, "os_installation_date"));
	assert_null(json_object_get(rep, "share"));
	json_decref(rep);
	winrpc_state_free(&st);
}

/* A worker stand-in: the script's text in dir/name, executable. */
static void script(char *path, size_t len, const char *dir, const char *name,
		   const char *text)
{
	FILE *f;

	snprintf(path, len, "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "#!/bin/sh\n%s\n", text);
	fclose(f);
	chmod(path, 0700);
}

static const struct winrpc_cred cred = {"lab", "auditor", "S3cret-Pw-42", NULL};

static void run(const char *python, int call_ms, struct winrpc_result *r)
{
	struct winrpc_opts o = {.host = "198.18.6.10",
				.creds = &cred,
				.ncreds = 1,
				.call_ms = call_ms,
				.total_ms = 60000,
				.python = python};

	assert_int_equal(winrpc_audit_host(&o, r), -1);
}

/* r's error names want (printed whole when it does not) */
static void assert_error_has(const struct winrpc_result *r, const char *want)
{
	if (!strstr(r->error, want))
		print_error("error: '%s', expected it to name '%s'\n", r->error,
			    want);
	assert_non_null(strstr(r->error, want));
}

/* Only the first case is about the per-call deadline; the others give the
 * worker a minute (they end at once: a minute is only what a loaded
 * machine may need to start a shell). */
static void test_worker_leash(void **state)
{
	char dir[64], path[128], cmd[512], *out;
	struct winrpc_result r;

	(void)state;
	testlib_tmpdir(dir);

	/* silent: killed at the per-call deadline */
	script(path, sizeof(path), dir, "silent", "exec sleep 600");
	run(path, 300, &r);
	assert_error_has(&r, "within the call's 300 ms: killed");
	winrpc_result_free(&r);

	/* crashes */
	script(path, sizeof(path), dir, "crash", "kill -SEGV $$");
	run(path, 60000, &r);
	assert_error_has(&r, "died of signal 11");
	winrpc_result_free(&r);

	/* one endless line: cut at WINRPC_LINE_MAX, memory bounded */
	script(path, sizeof(path), dir, "flood",
	       "exec tr '\\000' x </dev/zero");
	run(path, 60000, &r);
	assert_error_has(&r, "line over 16777216 bytes: killed");
	winrpc_result_free(&r);

	/* refusal, then a clean exit: the names and status, no secret */
	script(path, sizeof(path), dir, "refuse",
	       "echo '{\"event\":\"auth\",\"credential\":\"lab\",\"index\":0,"
	       "\"ok\":false,\"status\":\"NT_STATUS_LOGON_FAILURE\"}'\n"
	       "echo '{\"event\":\"done\",\"ok\":false}'");
	run(path, 60000, &r);
	assert_string_equal(r.error, "every credential refused: 'lab' "
				     "(NT_STATUS_LOGON_FAILURE)");
	winrpc_result_free(&r);

	/* what the worker is given: the password on stdin, never in its
	 * arguments or environment */
	snprintf(cmd, sizeof(cmd),
		 "cat >'%s/stdin'; printf '%%s\\n' \"$@\" >'%s/argv'; "
		 "env >'%s/env'",
		 dir, dir, dir);
	script(path, sizeof(path), dir, "record", cmd);
	run(path, 60000, &r);
	winrpc_result_free(&r);
	snprintf(cmd, sizeof(cmd), "cat '%s/stdin'", dir);
	out = testlib_run(cmd);
	assert_non_null(out);
	assert_non_null(strstr(out, "\"password\":\"S3cret-Pw-42\""));
	assert_non_null(strstr(out, "\"host\":\"198.18.6.10\""));
	free(out);
	snprintf(cmd, sizeof(cmd), "cat '%s/argv' '%s/env'", dir, dir);
	out = testlib_run(cmd);
	assert_non_null(out);
	assert_null(strstr(out, "S3cret"));
	assert_null(strstr(out, "auditor"));
	assert_non_null(strstr(out, "PATH=/usr/bin:/bin"));
	free(out);
	testlib_rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_report_windows_server),
		cmocka_unit_test(test_lines_hostile),
		cmocka_unit_test(test_worker_leash),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
