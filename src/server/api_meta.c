/*
 * The route table (the one list of what the server answers, which
 * openapi.json is generated from), /api/v1/health and /api/v1/openapi.json.
 */
#include <ctype.h>
#include <string.h>

#include "server/api_sched.h"
#include "server/server_int.h"
#include "server/server_ops.h"
#include "store/store_api.h"

#define V1 "/api/v1"

const struct route server_routes[] = {
	{"GET", V1 "/health", api_health, ROUTE_PUBLIC,
	 "liveness: 200 when the server and its database answer"},
	{"GET", V1 "/openapi.json", api_openapi, ROUTE_PUBLIC, "this document"},
	{"POST", V1 "/auth/login", api_auth_login, ROUTE_PUBLIC,
	 "log in with {username, password}: sets the session cookie and "
	 "returns csrf_token"},
	{"POST", V1 "/auth/logout", api_auth_logout, 0, "end the session"},
	{"GET", V1 "/auth/me", api_auth_me, 0, "who the caller is"},
	{"GET", V1 "/devices", api_devices_list, 0,
	 "list devices: filters field[__lookup]=value, ordering, limit, "
	 "offset, format=csv"},
	{"POST", V1 "/devices", api_device_create, 0,
	 "create a device {hostname, ip, mac, serial, ..., org_id, custom}: "
	 "through intake, refused (409) when it matches a stored one"},
	{"POST", V1 "/devices/import", api_devices_import, ROUTE_INTAKE,
	 "import devices from CSV (the file, or {csv}): dry_run=true "
	 "previews each line; a file with a bad line stores nothing"},
	{"POST", V1 "/devices/bulk", api_devices_bulk, 0,
	 "set status, location, tags (tags_add, tags_remove) or org_id on "
	 "{ids} or on the devices of {filter}; change-logged"},
	{"PUT", V1 "/devices/{id}/custom", api_device_custom_put, 0,
	 "set a device's custom fields {NAME: value or null}"},
	{"GET", V1 "/custom-fields", api_custom_fields_list, 0,
	 "custom fields that apply to the caller's devices"},
	{"POST", V1 "/custom-fields", api_custom_field_create, 0,
	 "add a custom field {name, label, type (text, number, date, list), "
	 "allowed, org_id (null: global)}"},
	{"PATCH", V1 "/custom-fields/{id}", api_custom_field_patch, 0,
	 "change a custom field's label or allowed values"},
	{"DELETE", V1 "/custom-fields/{id}", api_custom_field_delete, 0,
	 "delete a custom field and its values"},
	{"GET", V1 "/devices/{id}", api_device_get, 0,
	 "one device with its current components"},
	{"PATCH", V1 "/devices/{id}", api_device_patch, 0,
	 "set status, owner, location, tags, description"},
	{"DELETE", V1 "/devices/{id}", api_device_delete, 0,
	 "delete a device and its history"},
	{"GET", V1 "/devices/{id}/{section}", api_device_section, 0,
	 "one component section (software, network, ip, ...), sorted and "
	 "paged: current=true|false|all, ordering=[-]FIELD, limit, offset"},
	{"GET", V1 "/preferences", api_prefs_get, 0,
	 "the caller's own UI preferences {name: value}"},
	{"PUT", V1 "/preferences/{name}", api_pref_put, 0,
	 "set one of the caller's preferences {value} (null removes it)"},
	{"GET", V1 "/search", api_search, 0,
	 "one search over devices (hostname, fqdn, sysName, serial, uuid, "
	 "every ip and mac in any notation, location, tags), software "
	 "names, discoveries and users: q, limit; each device with the "
	 "field that matched"},
	{"GET", V1 "/changes", api_changes_list, 0,
	 "the change log, newest first; same filters as devices"},
	{"GET", V1 "/audit-log", api_audit_list, 0,
	 "one row per intake attempt (admin, org_admin)"},
	{"GET", V1 "/orgs", api_orgs_list, 0, "the caller's org tree"},
	{"POST", V1 "/orgs", api_org_create, 0, "add an org {name, parent_id}"},
	{"GET", V1 "/orgs/{id}", api_org_get, 0, "one org"},
	{"GET", V1 "/users", api_users_list, 0, "users in the caller's orgs"},
	{"POST", V1 "/users", api_user_create, 0,
	 "add a user {username, password, role, org_id}"},
	{"GET", V1 "/users/{id}", api_user_get, 0, "one user"},
	{"DELETE", V1 "/users/{id}", api_user_delete, 0, "delete a user"},
	{"PATCH", V1 "/users/{id}", api_user_patch, 0,
	 "change a user's role, org_id, enabled, full_name, email "
	 "(disabling ends its sessions)"},
	{"DELETE", V1 "/users/{id}/sessions", api_user_sessions_end, 0,
	 "sign a user out everywhere: ends its sessions, keeps its API "
	 "tokens"},
	{"POST", V1 "/users/{id}/password", api_user_password, 0,
	 "set a user's password {password, current_password (your own)}: "
	 "ends every session of that user, keeps its API tokens"},
	{"GET", V1 "/tokens", api_tokens_list, 0,
	 "API tokens (never their value)"},
	{"POST", V1 "/tokens", api_token_create, 0,
	 "create a token {label, user}; the value is shown once"},
	{"DELETE", V1 "/tokens/{id}", api_token_delete, 0, "revoke a token"},
	{"GET", V1 "/credentials", api_credentials_list, 0,
	 "credentials, without their secrets"},
	{"POST", V1 "/credentials", api_credential_create, 0,
	 "add a credential; its secrets are write-only"},
	{"GET", V1 "/credentials/{id}", api_credential_get, 0,
	 "one credential, without its secrets"},
	{"PATCH", V1 "/credentials/{id}", api_credential_patch, 0,
	 "change a credential; a secret given rotates it, one left out is "
	 "kept"},
	{"POST", V1 "/credentials/{id}/test", api_credential_test, 0,
	 "try the credential once on {address, port, timeout_ms}: {ok, "
	 "message} with the agent's or server's reason"},
	{"DELETE", V1 "/credentials/{id}", api_credential_delete, 0,
	 "delete a credential"},
	{"GET", V1 "/stats", api_stats, 0,
	 "dashboard counts: devices by type, os_family, manufacturer; new "
	 "devices and changes per day (days=30)"},
	{"GET", V1 "/discovery-runs", api_runs_list, 0,
	 "discovery runs, newest first (limit, offset)"},
	{"GET", V1 "/discovery-runs/{id}", api_discovery_run_get, 0,
	 "one discovery run: counters, live progress (total, done, alive, "
	 "stages, eta_s) while it runs, log rows counted by stage"},
	{"POST", V1 "/discovery-runs/{id}/cancel", api_discovery_run_cancel, 0,
	 "cancel a queued run or stop a running one (what it found is "
	 "stored)"},
	{"GET", V1 "/discovery-runs/{id}/log", api_run_log, 0,
	 "a run's log: one row per address and stage"},
	{"GET", V1 "/network", api_network, 0,
	 "devices with addresses and their ARP/LLDP links (ip__isw, "
	 "limit)"},
	{"GET", V1 "/tasks", api_tasks_list, 0,
	 "scheduled tasks (report, purge, discovery) with last_run, "
	 "next_run, last_result"},
	{"POST", V1 "/tasks", api_task_create, 0,
	 "add a task {name, schedule, type, enabled, report, recipients, "
	 "subject, days, discovery}"},
	{"GET", V1 "/tasks/{id}", api_task_get, 0, "one task"},
	{"PATCH", V1 "/tasks/{id}", api_task_update, 0,
	 "change a task's name, schedule, enabled or options"},
	{"PUT", V1 "/tasks/{id}", api_task_update, 0, "as PATCH"},
	{"DELETE", V1 "/tasks/{id}", api_task_delete, 0, "delete a task"},
	{"POST", V1 "/tasks/{id}/run", api_task_run, 0,
	 "run a task now and return its result"},
	{"GET", V1 "/reports", api_reports_list, 0,
	 "saved reports (queries in the filter language)"},
	{"POST", V1 "/reports", api_report_create, 0,
	 "save a report {name, resource, query, columns, description}"},
	{"GET", V1 "/reports/{id}", api_report_get, 0, "one saved report"},
	{"DELETE", V1 "/reports/{id}", api_report_delete, 0,
	 "delete a saved report"},
	{"GET", V1 "/reports/{id}/run", api_report_run, 0,
	 "run a report: format=json|csv, extra filters narrow it"},
	{"GET", V1 "/settings/smtp", api_smtp_get, 0,
	 "the mail server for reports (never its password)"},
	{"PUT", V1 "/settings/smtp", api_smtp_put, 0,
	 "set {host, port, security, username, password, from, verify_tls, "
	 "ca_file}"},
	{"POST", V1 "/settings/smtp/test", api_smtp_test, 0,
	 "send a test mail {to}; returns the server's answer"},
	{"GET", V1 "/settings/intake", api_intake_settings_get, 0,
	 "networks allowed to post Open-AudIT audits without a token: "
	 "{allow, org_id}, and the config file's config_allow"},
	{"PUT", V1 "/settings/intake", api_intake_settings_put, 0,
	 "set {allow: [\"198.18.0.0/15\", ...], org_id}; adds to the "
	 "config file's intake_allow"},
	{"GET", V1 "/auth-sources", api_auth_sources_list, 0,
	 "LDAP / Active Directory sign-in sources (admin)"},
	{"POST", V1 "/auth-sources", api_auth_source_create, 0,
	 "add or replace (by name) a directory source"},
	{"GET", V1 "/auth-sources/{id}", api_auth_source_get, 0,
	 "one directory source, without its bind password"},
	{"DELETE", V1 "/auth-sources/{id}", api_auth_source_delete, 0,
	 "delete a directory source"},
	{"POST", V1 "/auth-sources/{id}/test", api_auth_source_test, 0,
	 "check {username, password} against the source: groups and the "
	 "mapped role, without signing in"},
	{"GET", V1 "/locations", api_locations_list, 0,
	 "locations (sites, buildings, rooms) with their device counts"},
	{"POST", V1 "/locations", api_location_create, 0,
	 "add a location {name, type, address, city, country, latitude, "
	 "longitude, description, org_id}"},
	{"GET", V1 "/locations/{id}", api_location_get, 0, "one location"},
	{"GET", V1 "/map", api_map_get, 0,
	 "the Locations map's tile URL template (config map_tiles; empty: "
	 "no tiles) and attribution"},
	{"PATCH", V1 "/locations/{id}", api_location_patch, 0,
	 "change a location; a new name is carried to its devices"},
	{"DELETE", V1 "/locations/{id}", api_location_delete, 0,
	 "delete a location no device names"},
	{"GET", V1 "/discoveries", api_discoveries_list, 0,
	 "stored discoveries with their last run"},
	{"POST", V1 "/discoveries", api_discovery_create, 0,
	 "add a discovery {name, targets, exclude, options, credentials, "
	 "org_id}"},
	{"GET", V1 "/discoveries/{id}", api_discovery_get, 0, "one discovery"},
	{"PATCH", V1 "/discoveries/{id}", api_discovery_patch, 0,
	 "change a discovery"},
	{"DELETE", V1 "/discoveries/{id}", api_discovery_delete, 0,
	 "delete a discovery with its runs"},
	{"POST", V1 "/discoveries/{id}/run", api_discovery_run, 0,
	 "queue a run: 202 with the run's id and URL"},
	{"POST", V1 "/collectors/register", api_collector_register,
	 ROUTE_COLLECTOR,
	 "a collector (its collector-role token) says {name, version, host, "
	 "subnets}: returns its id"},
	{"GET", V1 "/collectors/jobs", api_collector_jobs, ROUTE_COLLECTOR,
	 "a collector takes its next queued run, with the discovery and "
	 "its credentials (HTTPS only); spool=N, dropped=N report its spool"},
	{"POST", V1 "/collectors/runs/{id}/progress", api_collector_progress,
	 ROUTE_COLLECTOR,
	 "a collector's live counters of its run {total, done, alive, "
	 "packets, spool, dropped}: returns {state, cancel}"},
	{"POST", V1 "/collectors/results", api_collector_result,
	 ROUTE_INTAKE | ROUTE_COLLECTOR,
	 "a collector uploads one spool item {id, kind: report|log|state, "
	 "run_id, body}; an id sent again is stored once"},
	{"GET", V1 "/collectors", api_collectors_list, 0,
	 "collectors with state (online, stale, offline), last_seen, "
	 "spool depth, jobs queued and running"},
	{"GET", V1 "/collectors/{id}", api_collector_get, 0,
	 "one collector with its recent runs"},
	{"PATCH", V1 "/collectors/{id}", api_collector_patch, 0,
	 "change a collector's name, description, enabled"},
	{"DELETE", V1 "/collectors/{id}", api_collector_delete, 0,
	 "forget a collector: its queued runs are cancelled and its token "
	 "revoked"},
	{"GET", "/metrics", api_metrics, 0,
	 "Prometheus text: requests, intakes, discovery runs and progress"},
	{"POST", V1 "/intake", api_intake, ROUTE_INTAKE,
	 "submit a device report (netcensus JSON, Open-AudIT XML/JSON)"},
	{"POST", "/open-audit/index.php/input/devices", api_intake_oa, ROUTE_OA,
	 "Open-AudIT audit scripts: form field data; the token as "
	 "?token= or the URL's password (HTTP Basic), or a source "
	 "address in the intake allow-list"},
	{"POST", "/index.php/input/devices", api_intake_oa, ROUTE_OA,
	 "Open-AudIT audit scripts (short path)"},
};

const int server_nroutes =
	(int)(sizeof(server_routes) / sizeof(server_routes[0]));

int api_health(struct request *rq)
{
	int64_t n = 0;

	if (store_api_org_count(rq->st, &n) < 0)
		return api_reply_error(rq, 503, NULL, "database unavailable");
	return api_reply_json(rq, 200, json_pack("{ss}", "status", "ok"));
}

static json_t *openapi_params(const struct route *r)
{
	json_t *params = json_array();
	const char *p = r->pattern;

	while ((p = strchr(p, '{'))) {
		size_t n = strcspn(p + 1, "}");
		char name[ROUTER_PARAM_MAX];

		if (n >= sizeof(name))
			break;
		memcpy(name, p + 1, n);
		name[n] = '\0';
		json_array_append_new(
			params,
			json_pack("{sssssbs{ss}}", "name", name, "in", "path",
				  "required", 1, "schema", "type",
				  strcmp(name, "id") ? "string" : "integer"));
		p += n + 1;
	}
	return params;
}

static json_t *openapi_operation(const struct route *r)
{
	json_t *op = json_pack("{sss{s{ss}}}", "summary", r->summary,
			       "responses", "default", "description",
			       "JSON; errors are {error, field}");

	json_object_set_new(op, "parameters", openapi_params(r));
	if (r->flags & ROUTE_PUBLIC)
		json_object_set_new(op, "security", json_array());
	if (r->flags & ROUTE_OA)
		json_object_set_new(op, "security",
				    json_pack("[{s[]}]", "urlToken"));
	return op;
}

int api_openapi(struct request *rq)
{
	json_t *paths = json_object(), *doc, *schemes;
	char method[8];
	int i;
	size_t j;

	for (i = 0; i < server_nroutes; i++) {
		const struct route *r = &server_routes[i];
		json_t *item = json_object_get(paths, r->pattern);

		if (!item) {
			item = json_object();
			json_object_set_new(paths, r->pattern, item);
		}
		for (j = 0; j < sizeof(method) - 1 && r->method[j]; j++)
			method[j] = (char)tolower((unsigned char)r->method[j]);
		method[j] = '\0';
		json_object_set_new(item, method, openapi_operation(r));
	}
	schemes = json_object();
	json_object_set_new(
		schemes, "bearer",
		json_pack("{ssss}", "type", "http", "scheme", "bearer"));
	json_object_set_new(schemes, "session",
			    json_pack("{ssssss}", "type", "apiKey", "in",
				      "cookie", "name", "nc_session"));
	json_object_set_new(schemes, "urlToken",
			    json_pack("{ssssss}", "type", "apiKey", "in",
				      "query", "name", "token"));
	doc = json_pack("{sss{ssss}sos{so}s[{s[]}{s[]}]}", "openapi", "3.0.3",
			"info", "title", "netcensus API", "version", "1",
			"paths", paths, "components", "securitySchemes",
			schemes, "security", "bearer", "session");
	if (!doc)
		return api_reply_error(rq, 500, NULL, "cannot build openapi");
	json_object_set_new(doc, "x-device-fields",
			    store_api_field_names(STORE_API_DEVICES));
	json_object_set_new(doc, "x-change-fields",
			    store_api_field_names(STORE_API_CHANGES));
	json_object_set_new(doc, "x-component-fields",
			    store_api_field_names(STORE_API_COMPONENTS));
	return api_reply_json(rq, 200, doc);
}
