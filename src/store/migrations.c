#include "store/migrations.h"

static const char migration_1[] =
	"CREATE TABLE org ("
	" id INTEGER PRIMARY KEY,"
	" name TEXT NOT NULL UNIQUE,"
	" parent_id INTEGER REFERENCES org(id),"
	" description TEXT,"
	" created TEXT NOT NULL);"
	"INSERT INTO org (id, name, parent_id, created)"
	" VALUES (1, 'Default', NULL, strftime('%Y-%m-%d %H:%M:%S','now'));"

	"CREATE TABLE user ("
	" id INTEGER PRIMARY KEY,"
	" name TEXT NOT NULL UNIQUE,"
	" role TEXT NOT NULL"
	"  CHECK (role IN ('admin','org_admin','user','collector')),"
	" org_id INTEGER NOT NULL REFERENCES org(id),"
	" password_hash TEXT,"
	" source TEXT NOT NULL DEFAULT 'local',"
	" full_name TEXT, email TEXT,"
	" enabled INTEGER NOT NULL DEFAULT 1,"
	" created TEXT NOT NULL,"
	" last_login TEXT);"

	"CREATE TABLE token ("
	" id INTEGER PRIMARY KEY,"
	" user_id INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,"
	" label TEXT,"
	" hash TEXT NOT NULL UNIQUE,"
	" prefix TEXT NOT NULL,"
	" created TEXT NOT NULL,"
	" last_used TEXT,"
	" revoked INTEGER NOT NULL DEFAULT 0);"

	/* fields: JSON of the non-secret fields; secrets: JSON of field name
	 * to ciphertext (secret.h). */
	"CREATE TABLE credential ("
	" id INTEGER PRIMARY KEY,"
	" org_id INTEGER NOT NULL REFERENCES org(id),"
	" name TEXT NOT NULL,"
	" type TEXT NOT NULL,"
	" description TEXT,"
	" fields TEXT NOT NULL DEFAULT '{}',"
	" secrets TEXT NOT NULL DEFAULT '{}',"
	" created TEXT NOT NULL,"
	" updated TEXT NOT NULL,"
	" UNIQUE (org_id, name));"

	/* The sys fields used for matching, listing and filtering are
	 * columns; every other sys field lives in extra (a JSON object). */
	"CREATE TABLE device ("
	" id INTEGER PRIMARY KEY,"
	" org_id INTEGER NOT NULL REFERENCES org(id),"
	" hostname TEXT, fqdn TEXT, domain TEXT, ip TEXT, mac TEXT,"
	" uuid TEXT, dbus_identifier TEXT, serial TEXT,"
	" manufacturer TEXT, model TEXT, type TEXT, form_factor TEXT,"
	" os_group TEXT, os_family TEXT, os_name TEXT, os_version TEXT,"
	" sysName TEXT, sysDescr TEXT, sysObjectID TEXT, sysLocation TEXT,"
	" sysContact TEXT, sysUpTime TEXT,"
	" status TEXT, owner TEXT, location TEXT, tags TEXT,"
	" description TEXT,"
	" extra TEXT NOT NULL DEFAULT '{}',"
	" first_seen TEXT NOT NULL,"
	" last_seen TEXT NOT NULL,"
	" last_seen_by TEXT);"
	"CREATE INDEX device_hostname ON device (hostname);"
	"CREATE INDEX device_fqdn ON device (fqdn);"
	"CREATE INDEX device_uuid ON device (uuid);"
	"CREATE INDEX device_dbus ON device (dbus_identifier);"
	"CREATE INDEX device_serial ON device (serial);"
	"CREATE INDEX device_sysname ON device (sysName);"
	"CREATE INDEX device_mac ON device (mac);"
	"CREATE INDEX device_ip ON device (ip);"
	"CREATE INDEX device_last_seen ON device (last_seen);"
	"CREATE INDEX device_org ON device (org_id);"

	/* One table for every component section; key is the section's key
	 * fields joined (sections.h), data the row as JSON. mac, ip and name
	 * are copied out of data: mac and ip are indexed for matching. name
	 * is not indexed: an audit's ~1,500 rows would land on as many pages
	 * of a (section, name) index and cost intake 4x its time. */
	"CREATE TABLE component ("
	" id INTEGER PRIMARY KEY,"
	" device_id INTEGER NOT NULL REFERENCES device(id) ON DELETE CASCADE,"
	" section TEXT NOT NULL,"
	" key TEXT NOT NULL,"
	" data TEXT NOT NULL,"
	" mac TEXT, ip TEXT, name TEXT,"
	" current INTEGER NOT NULL DEFAULT 1,"
	" first_seen TEXT NOT NULL,"
	" last_seen TEXT NOT NULL);"
	"CREATE INDEX component_device ON component (device_id, section, key);"
	"CREATE INDEX component_mac ON component (mac) WHERE mac IS NOT NULL;"
	"CREATE INDEX component_ip ON component (ip) WHERE ip IS NOT NULL;"

	"CREATE TABLE change_log ("
	" id INTEGER PRIMARY KEY,"
	" device_id INTEGER NOT NULL REFERENCES device(id) ON DELETE CASCADE,"
	" section TEXT NOT NULL,"
	" action TEXT NOT NULL CHECK (action IN ('add','remove','change')),"
	" key TEXT NOT NULL,"
	" detail TEXT NOT NULL DEFAULT '{}',"
	" time TEXT NOT NULL);"
	"CREATE INDEX change_device ON change_log (device_id, time);"
	"CREATE INDEX change_time ON change_log (time);"

	"CREATE TABLE audit_log ("
	" id INTEGER PRIMARY KEY,"
	" time TEXT NOT NULL,"
	" source TEXT, format TEXT,"
	" result TEXT NOT NULL,"
	" rule TEXT, message TEXT,"
	" device_id INTEGER REFERENCES device(id) ON DELETE SET NULL);"
	"CREATE INDEX audit_time ON audit_log (time);"

	"CREATE TABLE discovery ("
	" id INTEGER PRIMARY KEY,"
	" org_id INTEGER NOT NULL REFERENCES org(id),"
	" name TEXT NOT NULL,"
	" targets TEXT NOT NULL,"
	" exclude TEXT,"
	" options TEXT NOT NULL DEFAULT '{}',"
	" credentials TEXT NOT NULL DEFAULT '[]',"
	" created TEXT NOT NULL,"
	" updated TEXT NOT NULL);"

	"CREATE TABLE discovery_run ("
	" id INTEGER PRIMARY KEY,"
	" discovery_id INTEGER REFERENCES discovery(id) ON DELETE CASCADE,"
	" state TEXT NOT NULL CHECK (state IN"
	"  ('queued','running','done','failed','cancelled')),"
	" started TEXT, finished TEXT,"
	" addresses_total INTEGER NOT NULL DEFAULT 0,"
	" addresses_done INTEGER NOT NULL DEFAULT 0,"
	" alive INTEGER NOT NULL DEFAULT 0,"
	" devices_stored INTEGER NOT NULL DEFAULT 0,"
	" message TEXT);"

	"CREATE TABLE discovery_log ("
	" id INTEGER PRIMARY KEY,"
	" run_id INTEGER NOT NULL REFERENCES discovery_run(id)"
	"  ON DELETE CASCADE,"
	" time TEXT NOT NULL,"
	" ip TEXT,"
	" stage TEXT NOT NULL,"
	" outcome TEXT NOT NULL,"
	" duration_ms INTEGER,"
	" message TEXT);"
	"CREATE INDEX discovery_log_run ON discovery_log (run_id, ip);";

/* Migration 2: the scheduler (tasks, saved reports), settings (SMTP) and
 * directory authentication sources. Reports are queries in the API's
 * filter language (query.h), never SQL; the four shipped ones are rows
 * marked builtin. Secrets (SMTP and bind passwords) are ciphertexts
 * (secret.h) in a JSON object of field name to ciphertext. */
static const char migration_2[] =
	"CREATE TABLE report ("
	" id INTEGER PRIMARY KEY,"
	" org_id INTEGER NOT NULL REFERENCES org(id),"
	" name TEXT NOT NULL,"
	" resource TEXT NOT NULL"
	"  CHECK (resource IN ('devices','components','changes')),"
	" query TEXT NOT NULL DEFAULT '',"
	" columns TEXT,"
	" description TEXT,"
	" builtin INTEGER NOT NULL DEFAULT 0,"
	" created TEXT NOT NULL,"
	" updated TEXT NOT NULL,"
	" UNIQUE (org_id, name));"
	"INSERT INTO report (org_id, name, resource, query, columns,"
	" description, builtin, created, updated) VALUES"
	" (1, 'New devices in the last 7 days', 'devices',"
	"  'first_seen__gte=-7d&ordering=-first_seen',"
	"  '[\"id\",\"hostname\",\"ip\",\"mac\",\"type\",\"manufacturer\","
	"\"os_name\",\"first_seen\"]',"
	"  'devices first seen during the last 7 days', 1,"
	"  strftime('%Y-%m-%d %H:%M:%S','now'),"
	"  strftime('%Y-%m-%d %H:%M:%S','now')),"
	" (1, 'Devices not seen for 30 days', 'devices',"
	"  'last_seen__lt=-30d&ordering=last_seen',"
	"  '[\"id\",\"hostname\",\"ip\",\"type\",\"last_seen\","
	"\"last_seen_by\"]',"
	"  'devices whose last sighting is more than 30 days old', 1,"
	"  strftime('%Y-%m-%d %H:%M:%S','now'),"
	"  strftime('%Y-%m-%d %H:%M:%S','now')),"
	" (1, 'Software by name', 'components',"
	"  'section=software&current=1&ordering=name,hostname',"
	"  '[\"name\",\"version\",\"hostname\",\"device_id\","
	"\"first_seen\"]',"
	"  'installed software; add name__ic=TEXT when running it to narrow',"
	"  1, strftime('%Y-%m-%d %H:%M:%S','now'),"
	"  strftime('%Y-%m-%d %H:%M:%S','now')),"
	" (1, 'Changes in the last 24 hours', 'changes',"
	"  'time__gte=-24h&ordering=-time',"
	"  '[\"time\",\"hostname\",\"device_id\",\"section\",\"action\","
	"\"key\"]',"
	"  'what audits and discoveries added, removed or changed', 1,"
	"  strftime('%Y-%m-%d %H:%M:%S','now'),"
	"  strftime('%Y-%m-%d %H:%M:%S','now'));"

	"CREATE TABLE task ("
	" id INTEGER PRIMARY KEY,"
	" org_id INTEGER NOT NULL REFERENCES org(id),"
	" name TEXT NOT NULL UNIQUE,"
	" type TEXT NOT NULL CHECK (type IN ('discovery','report','purge')),"
	" schedule TEXT NOT NULL,"
	" enabled INTEGER NOT NULL DEFAULT 1,"
	" options TEXT NOT NULL DEFAULT '{}',"
	" last_run TEXT, next_run TEXT,"
	" last_status TEXT, last_result TEXT,"
	" runs INTEGER NOT NULL DEFAULT 0,"
	" created TEXT NOT NULL,"
	" updated TEXT NOT NULL);"
	"CREATE INDEX task_next ON task (enabled, next_run);"

	"CREATE TABLE setting ("
	" name TEXT PRIMARY KEY,"
	" value TEXT NOT NULL DEFAULT '{}',"
	" secrets TEXT NOT NULL DEFAULT '{}',"
	" updated TEXT NOT NULL);"

	"CREATE TABLE auth_source ("
	" id INTEGER PRIMARY KEY,"
	" name TEXT NOT NULL UNIQUE,"
	" type TEXT NOT NULL CHECK (type IN ('openldap','active_directory')),"
	" enabled INTEGER NOT NULL DEFAULT 1,"
	" config TEXT NOT NULL DEFAULT '{}',"
	" secrets TEXT NOT NULL DEFAULT '{}',"
	" origin TEXT NOT NULL DEFAULT 'api',"
	" created TEXT NOT NULL,"
	" updated TEXT NOT NULL);";

/* Migration 3 (the server): locations, and discovery runs that can be
 * queued and "interrupted" (a run the server was running when it stopped
 * or crashed). SQLite cannot change a CHECK constraint in place, so
 * discovery_run and discovery_log (which references it) are copied into
 * new tables: the log first, so dropping the old run table cascades into
 * nothing; renaming the new run table rewrites the log's reference. A
 * device's location stays its text field "location", which names a
 * location (see docs/api.md). */
static const char migration_3[] =
	"CREATE TABLE location ("
	" id INTEGER PRIMARY KEY,"
	" org_id INTEGER NOT NULL REFERENCES org(id),"
	" name TEXT NOT NULL,"
	" type TEXT, address TEXT, city TEXT, country TEXT,"
	" latitude REAL, longitude REAL, description TEXT,"
	" created TEXT NOT NULL,"
	" updated TEXT NOT NULL,"
	" UNIQUE (org_id, name));"
	"CREATE INDEX device_location ON device (location);"

	"CREATE TABLE discovery_run_v3 ("
	" id INTEGER PRIMARY KEY,"
	" discovery_id INTEGER REFERENCES discovery(id) ON DELETE CASCADE,"
	" state TEXT NOT NULL CHECK (state IN"
	"  ('queued','running','done','failed','cancelled','interrupted')),"
	" queued TEXT, started TEXT, finished TEXT,"
	" addresses_total INTEGER NOT NULL DEFAULT 0,"
	" addresses_done INTEGER NOT NULL DEFAULT 0,"
	" alive INTEGER NOT NULL DEFAULT 0,"
	" devices_stored INTEGER NOT NULL DEFAULT 0,"
	" packets INTEGER NOT NULL DEFAULT 0,"
	" message TEXT);"
	"INSERT INTO discovery_run_v3 (id, discovery_id, state, started,"
	" finished, addresses_total, addresses_done, alive, devices_stored,"
	" message) SELECT id, discovery_id, state, started, finished,"
	" addresses_total, addresses_done, alive, devices_stored, message"
	" FROM discovery_run;"
	"CREATE TABLE discovery_log_v3 ("
	" id INTEGER PRIMARY KEY,"
	" run_id INTEGER NOT NULL REFERENCES discovery_run_v3(id)"
	"  ON DELETE CASCADE,"
	" time TEXT NOT NULL,"
	" ip TEXT,"
	" stage TEXT NOT NULL,"
	" outcome TEXT NOT NULL,"
	" duration_ms INTEGER,"
	" message TEXT);"
	"INSERT INTO discovery_log_v3 SELECT id, run_id, time, ip, stage,"
	" outcome, duration_ms, message FROM discovery_log;"
	"DROP TABLE discovery_log;"
	"DROP TABLE discovery_run;"
	"ALTER TABLE discovery_run_v3 RENAME TO discovery_run;"
	"ALTER TABLE discovery_log_v3 RENAME TO discovery_log;"
	"CREATE INDEX discovery_log_run ON discovery_log (run_id, ip);"
	"CREATE INDEX discovery_run_state ON discovery_run (state, id);";

/* Migration 4 (SSH in discovery): per device, the SSH host key last
 * accepted (SHA-256 fingerprint, as ssh-keygen -l prints it) and the name
 * of the credential that logged in last, which discovery tries first next
 * time. ip is where the key was seen: discovery looks devices up by the
 * address it is about to connect to, before it knows which device is
 * there. Never a secret here: credentials are named, not copied. */
static const char migration_4[] =
	"CREATE TABLE ssh_host ("
	" device_id INTEGER PRIMARY KEY REFERENCES device(id)"
	"  ON DELETE CASCADE,"
	" ip TEXT NOT NULL,"
	" port INTEGER NOT NULL DEFAULT 22,"
	" hostkey TEXT,"
	" hostkey_type TEXT,"
	" credential TEXT,"
	" first_seen TEXT NOT NULL,"
	" last_seen TEXT NOT NULL);"
	"CREATE INDEX ssh_host_ip ON ssh_host (ip, last_seen);";

/* Migration 5 (branch collector, issue #16): collectors - discovery at
 * remote sites. A collector is a process holding a collector-role API
 * token (token_id: which one registered it; its user's org is the
 * collector's); it registers with its name, version, host and subnets,
 * and reports its spool on each contact. A discovery (and each run of
 * it, copied when the run is queued) may be assigned to one; the
 * server's own runner never takes such a run. collector_item holds the
 * id of every item a collector uploaded (report, log batch, state), so
 * an item sent again after a lost answer is stored once. Self-contained:
 * only new tables and columns. */
static const char migration_5[] =
	"CREATE TABLE collector ("
	" id INTEGER PRIMARY KEY,"
	" org_id INTEGER NOT NULL REFERENCES org(id),"
	" name TEXT NOT NULL UNIQUE,"
	" user_id INTEGER REFERENCES user(id) ON DELETE SET NULL,"
	" token_id INTEGER UNIQUE REFERENCES token(id) ON DELETE SET NULL,"
	" version TEXT, host TEXT,"
	" subnets TEXT NOT NULL DEFAULT '[]',"
	" description TEXT,"
	" enabled INTEGER NOT NULL DEFAULT 1,"
	" spool_depth INTEGER NOT NULL DEFAULT 0,"
	" spool_dropped INTEGER NOT NULL DEFAULT 0,"
	" created TEXT NOT NULL,"
	" last_seen TEXT);"
	"ALTER TABLE discovery ADD COLUMN collector_id INTEGER"
	" REFERENCES collector(id) ON DELETE SET NULL;"
	"ALTER TABLE discovery_run ADD COLUMN collector_id INTEGER"
	" REFERENCES collector(id) ON DELETE SET NULL;"
	"CREATE INDEX discovery_run_collector ON discovery_run"
	" (collector_id, state);"
	"CREATE TABLE collector_item ("
	" item_id TEXT PRIMARY KEY,"
	" run_id INTEGER REFERENCES discovery_run(id) ON DELETE CASCADE,"
	" kind TEXT NOT NULL,"
	" device_id INTEGER,"
	" stored TEXT NOT NULL);"
	"CREATE INDEX collector_item_run ON collector_item (run_id, kind);";

/* Migration 6 (branch ui, the header search: store_search.h): indexes
 * that let a search start with what was typed instead of reading every
 * device or component. Case-insensitive (NOCASE) prefix ranges on the
 * device fields a person types; software names, only for section
 * software (a partial index: the other sections' rows are not in it),
 * with current and device_id so that "which devices have it" is read from
 * the index alone; tags (comma-separated text) with org_id, so a tag
 * search reads this small index of tagged devices only. */
static const char migration_6[] =
	"CREATE INDEX device_hostname_nc ON device (hostname COLLATE NOCASE);"
	"CREATE INDEX device_fqdn_nc ON device (fqdn COLLATE NOCASE);"
	"CREATE INDEX device_serial_nc ON device (serial COLLATE NOCASE);"
	"CREATE INDEX device_uuid_nc ON device (uuid COLLATE NOCASE);"
	"CREATE INDEX device_sysname_nc ON device (sysName COLLATE NOCASE);"
	"CREATE INDEX device_location_nc ON device (location COLLATE NOCASE);"
	"CREATE INDEX device_tags_nc ON device (tags COLLATE NOCASE, org_id)"
	" WHERE tags IS NOT NULL;"
	"CREATE INDEX component_software ON component"
	" (name COLLATE NOCASE, current, device_id)"
	" WHERE section = 'software';";

/* Migration 7 (branch ad, Active Directory discovery): the task type
 * active_directory, and two shipped reports comparing what the directory
 * says with what answers on the wire. An AD discovery's devices carry the tag
 * active_directory and no address until a network discovery finds them (matched
 * by fqdn or host name). OR IGNORE: a report of the same name made by hand
 * stays. */
static const char migration_7[] =
	"INSERT OR IGNORE INTO report (org_id, name, resource, query, columns,"
	" description, builtin, created, updated) VALUES"
	" (1, 'In Active Directory, never seen on the network', 'devices',"
	"  'tags__ic=active_directory&ip__empty=true&ordering=hostname',"
	"  '[\"id\",\"hostname\",\"fqdn\",\"os_name\",\"tags\","
	"\"first_seen\"]',"
	"  'computer objects of an Active Directory discovery that no network"
	" discovery has found (no address)', 1,"
	"  strftime('%Y-%m-%d %H:%M:%S','now'),"
	"  strftime('%Y-%m-%d %H:%M:%S','now')),"
	" (1, 'Windows on the network, not in Active Directory', 'devices',"
	"  'os_group__ie=Windows&ip__empty=false&tags__nic=active_directory"
	"&ordering=ip',"
	"  '[\"id\",\"ip\",\"hostname\",\"os_name\",\"last_seen\","
	"\"last_seen_by\"]',"
	"  'Windows machines found on the wire that match no computer object"
	" of an Active Directory discovery', 1,"
	"  strftime('%Y-%m-%d %H:%M:%S','now'),"
	"  strftime('%Y-%m-%d %H:%M:%S','now'));"
	/* the task type active_directory: SQLite changes a CHECK only by
	 * copying the table */
	"CREATE TABLE task_v7 ("
	" id INTEGER PRIMARY KEY,"
	" org_id INTEGER NOT NULL REFERENCES org(id),"
	" name TEXT NOT NULL UNIQUE,"
	" type TEXT NOT NULL CHECK (type IN"
	"  ('discovery','report','purge','active_directory')),"
	" schedule TEXT NOT NULL,"
	" enabled INTEGER NOT NULL DEFAULT 1,"
	" options TEXT NOT NULL DEFAULT '{}',"
	" last_run TEXT, next_run TEXT,"
	" last_status TEXT, last_result TEXT,"
	" runs INTEGER NOT NULL DEFAULT 0,"
	" created TEXT NOT NULL,"
	" updated TEXT NOT NULL);"
	"INSERT INTO task_v7 (id, org_id, name, type, schedule, enabled,"
	" options, last_run, next_run, last_status, last_result, runs,"
	" created, updated) SELECT id, org_id, name, type, schedule, enabled,"
	" options, last_run, next_run, last_status, last_result, runs,"
	" created, updated FROM task;"
	"DROP TABLE task;"
	"ALTER TABLE task_v7 RENAME TO task;"
	"CREATE INDEX task_next ON task (enabled, next_run);";

/* Leases (branch store): who runs a claimed discovery run or scheduled
 * task, and until when (UTC text), so that several servers on one
 * database never run the same one twice and a dead server's claim runs
 * out (store_discoveries.h, store_sched.h). */
static const char migration_8[] =
	"ALTER TABLE discovery_run ADD COLUMN lease_owner TEXT;"
	"ALTER TABLE discovery_run ADD COLUMN lease_until TEXT;"
	"ALTER TABLE task ADD COLUMN lease_owner TEXT;"
	"ALTER TABLE task ADD COLUMN lease_until TEXT;";

/* Migration 9 (branch winrpc, issue #14): per device, the name of the
 * windows credential whose RPC inventory worked last and the address it
 * worked at, which discovery tries first there next time (as ssh_host
 * does for SSH). A name, never a secret. */
static const char migration_9[] =
	"CREATE TABLE windows_host ("
	" device_id INTEGER PRIMARY KEY REFERENCES device(id)"
	"  ON DELETE CASCADE,"
	" ip TEXT NOT NULL,"
	" credential TEXT NOT NULL,"
	" first_seen TEXT NOT NULL,"
	" last_seen TEXT NOT NULL);"
	"CREATE INDEX windows_host_ip ON windows_host (ip, last_seen);";

/* Migration 10 (branch uidata, data management: store_data.h): custom
 * fields an admin defines (global when org_id is NULL, else for the
 * devices of that org and the orgs below it) and their values per
 * device. type is text, number, date or list; allowed holds a list's
 * values as a JSON array. A value is stored as text (a number in its
 * canonical form, a date as YYYY-MM-DD) and indexed by field and value,
 * so a filter custom.NAME=VALUE reads the index, not every device. */
static const char migration_10[] =
	"CREATE TABLE custom_field ("
	" id INTEGER PRIMARY KEY,"
	" org_id INTEGER REFERENCES org(id),"
	" name TEXT NOT NULL,"
	" label TEXT,"
	" type TEXT NOT NULL CHECK (type IN ('text','number','date','list')),"
	" allowed TEXT NOT NULL DEFAULT '[]',"
	" created TEXT NOT NULL,"
	" updated TEXT NOT NULL);"
	"CREATE INDEX custom_field_name ON custom_field (name, org_id);"
	"CREATE TABLE device_custom ("
	" device_id INTEGER NOT NULL REFERENCES device(id) ON DELETE CASCADE,"
	" field_id INTEGER NOT NULL REFERENCES custom_field(id)"
	"  ON DELETE CASCADE,"
	" value TEXT NOT NULL,"
	" PRIMARY KEY (device_id, field_id));"
	"CREATE INDEX device_custom_value ON device_custom (field_id, value);";

/* Migration 11 (branch uidev, issue #18 item 4): per-user preferences of
 * the web UI (the device list's columns, ...), small JSON values by name,
 * kept on the server so they follow the user to another browser. */
static const char migration_11[] =
	"CREATE TABLE user_pref ("
	" user_id INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,"
	" name TEXT NOT NULL,"
	" value TEXT NOT NULL,"
	" updated TEXT NOT NULL,"
	" PRIMARY KEY (user_id, name));";

/* Migration 12 (branch pg10, issue #17): login sessions in the database,
 * so that several servers on one database share them and a restart
 * keeps them. hash is the SHA-256 (hex) of the cookie's value, which is
 * never stored; times are Unix seconds. */
static const char migration_12[] =
	"CREATE TABLE session ("
	" hash TEXT PRIMARY KEY,"
	" user_id INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,"
	" csrf TEXT NOT NULL,"
	" stamp TEXT NOT NULL,"
	" created INTEGER NOT NULL,"
	" last INTEGER NOT NULL);"
	"CREATE INDEX session_by_user ON session (user_id);"
	"CREATE INDEX session_by_last ON session (last);";

const char *const store_migrations[] = {migration_1,
					migration_2,
					migration_3,
					migration_4,
					migration_5 /* branch collector */,
					migration_6 /* branch ui */,
					migration_7 /* branch ad */,
					migration_8 /* branch store */,
					migration_9 /* branch winrpc */,
					migration_10 /* branch uidata */,
					migration_11 /* branch uidev */,
					migration_12 /* branch pg10 */};
const int store_migration_count =
	(int)(sizeof(store_migrations) / sizeof(store_migrations[0]));
