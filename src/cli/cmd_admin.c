/*
 * cmd_admin: `netcensus admin OBJECT VERB` — users, orgs, API tokens,
 * credentials and the database check.
 *
 * Secrets never come from the command line, where shell history and ps
 * would keep them: passwords and credential secrets are read from stdin
 * (first line per secret when it is a pipe, prompted without echo when it
 * is a terminal), or from a file named with field=@FILE. Every buffer that
 * held one is zeroed before it is freed.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/cli_common.h"
#include "core/log.h"
#include "core/util.h"
#include "store/copy.h"
#include "store/secret.h"
#include "store/store.h"

#define ADMIN_SECRET_MAX 16384		 /* one secret line or @FILE */
#define ADMIN_FILE_MAX (4 * 1024 * 1024) /* a --from-file document */
#define ADMIN_MAX_ARGS 64

/* Options, by the letter each long option maps to. */
struct admin_opts {
	const char *db, *role, *org, *parent, *user, *name, *type, *file,
		*description, *from, *to, *key;
	int json, force;
	int nargs;
	char *args[ADMIN_MAX_ARGS];
};

struct admin_cmd {
	const char *object, *verb;
	const char *allowed; /* option letters this command takes */
	int min_args, max_args;
	int (*run)(struct store *st, struct admin_opts *o);
	const char *synopsis;
};

static const char admin_help_text[] =
	"usage: netcensus admin [--db PATH] OBJECT VERB [OPTIONS] [ARGS]\n"
	"\n"
	"Manage who may use netcensus and what it logs in to devices with.\n"
	"\n"
	"Users (roles: admin, org_admin, user = read-only, collector):\n"
	"  user add NAME --role ROLE [--org ORG]   password from stdin\n"
	"  user list [--json]\n"
	"  user passwd NAME                        new password from stdin; "
	"ends\n"
	"                                          its sessions, keeps its "
	"tokens\n"
	"Orgs (a tree under Default):\n"
	"  org add NAME [--parent ORG]\n"
	"  org list [--json]\n"
	"API tokens (sent as 'Authorization: Bearer TOKEN'):\n"
	"  token create --user NAME [--name LABEL] prints the token once\n"
	"  token list [--json]\n"
	"  token revoke ID\n"
	"Credentials for discovery and audits (secrets encrypted at rest):\n"
	"  credential add --name NAME --type TYPE [--org ORG]\n"
	"                 [--description TEXT] [FIELD=VALUE]...\n"
	"  credential add --from-file FILE.json [--org ORG]\n"
	"  credential list [--json]                never shows a secret\n"
	"  credential delete ID\n"
	"Database:\n"
	"  db check                                integrity, indexes, keys\n"
	"  db copy --from DB --to DB [--force] [--key FILE] [--json]\n"
	"                                          every table, SQLite to\n"
	"                                          PostgreSQL or back; see "
	"below\n"
	"  db checksum [--json]                    rows and checksum per "
	"table\n"
	"\n"
	"Credential types and fields (* = secret, read from stdin):\n"
	"  snmp     community*\n"
	"  snmp_v3  security_name security_level (noAuthNoPriv|authNoPriv|\n"
	"           authPriv) auth_protocol (MD5|SHA|SHA-224|SHA-256|SHA-384|\n"
	"           SHA-512) auth_passphrase* priv_protocol (DES|AES|AES-192|\n"
	"           AES-256) priv_passphrase* context_name\n"
	"  ssh      username password* sudo_password*\n"
	"  ssh_key  username key* (or key_file=PATH) passphrase* "
	"sudo_password*\n"
	"  windows  username password* domain\n"
	"  ldap     bind_dn (a DN, user@domain or DOMAIN\\user) password*\n"
	"           (binds an Active Directory discovery)\n"
	"Secrets the type needs are read from stdin, one line each in the "
	"order\n"
	"above (prompted without echo on a terminal). FIELD=- reads an "
	"optional\n"
	"one too; FIELD=@FILE takes a value from a file (an SSH key). A "
	"secret\n"
	"typed on the command line is refused: it would stay in shell "
	"history.\n"
	"--from-file reads one credential, an array of them, or an Open-AudIT\n"
	"export ({\"data\": [...]}, with 'credentials' objects).\n"
	"\n"
	"db copy moves a site between SQLite and PostgreSQL: DB is a SQLite\n"
	"file (or sqlite:PATH) or a postgresql:// URL. Every table is copied\n"
	"with its ids (PostgreSQL's id sequences are set past them) in one\n"
	"transaction on the target, then each table's rows and checksum are\n"
	"read back and compared with the source's: on any difference nothing\n"
	"is stored. A target holding more than a new database ships with is\n"
	"refused unless --force (which replaces what it holds). Secrets stay\n"
	"encrypted: a SQLite target gets the source's key file (FROM.key, or\n"
	"--key FILE) as TO.key; a different TO.key is refused. Progress goes\n"
	"to stderr. Stop the servers of the source first.\n"
	"\n"
	"Options:\n"
	"  --db PATH   the database (default $NETCENSUS_DB, else "
	"./netcensus.db)\n"
	"  --json      machine-readable output on stdout\n"
	"  -h, --help  this help\n"
	"\n"
	"Exit status: 0 done, 1 refused or failed (the reason is printed),\n"
	"2 usage error.\n"
	"\n"
	"Examples:\n"
	"  printf '%s\\n' 'a long passphrase' |\n"
	"      netcensus admin user add alice --role admin\n"
	"  netcensus admin org add 'Branch Office' --parent Default\n"
	"  netcensus admin user add bob --role user --org 'Branch Office'\n"
	"  TOKEN=$(netcensus admin token create --user alice --name ci)\n"
	"  echo 'public-ro' | netcensus admin credential add --name lab "
	"--type snmp\n"
	"  printf '%s\\n%s\\n' 'auth-pass-1' 'priv-pass-1' |\n"
	"      netcensus admin credential add --name core --type snmp_v3 \\\n"
	"      security_name=nc security_level=authPriv auth_protocol=SHA \\\n"
	"      priv_protocol=AES\n"
	"  netcensus admin credential add --name linux --type ssh_key \\\n"
	"      username=audit key=@/root/.ssh/id_ed25519\n"
	"  netcensus admin credential list --json\n"
	"  netcensus admin db check\n"
	"  netcensus admin db copy --from /var/lib/netcensus/netcensus.db \\\n"
	"      --to "
	"'postgresql://nc@db.example/netcensus?sslmode=verify-full'\n";

static void admin_usage(FILE *out)
{
	fputs(admin_help_text, out);
}

/* ---- reading secrets ---- */

/* Reads one line of at most max bytes from stdin into a new string,
 * without its line end. NULL at end of input or when too long (*too_long
 * set). */
static char *admin_read_line(size_t max, int *too_long)
{
	char *buf = xmalloc(max + 1);
	size_t n = 0;
	int c, any = 0;

	*too_long = 0;
	while ((c = getchar()) != EOF) {
		any = 1;
		if (c == '\n')
			break;
		if (n == max) {
			*too_long = 1;
			while ((c = getchar()) != EOF && c != '\n')
				;
			break;
		}
		buf[n++] = (char)c;
	}
	if (n && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	if (!any || *too_long) {
		secret_wipe(buf, n);
		free(buf);
		return NULL;
	}
	return buf;
}

/* Prompts on the terminal with echo off and reads one line. Echo goes off
 * before the prompt shows, so nothing typed after it is flushed or shown. */
static char *admin_prompt(const char *prompt, size_t max)
{
	struct termios old, quiet;
	int restore, too_long;
	char *line;

	restore = tcgetattr(STDIN_FILENO, &old) == 0;
	if (restore) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	fprintf(stderr, "%s", prompt);
	fflush(stderr);
	line = admin_read_line(max, &too_long);
	if (restore)
		tcsetattr(STDIN_FILENO, TCSANOW, &old);
	fputc('\n', stderr);
	if (too_long)
		fprintf(stderr,
			"netcensus admin: that is longer than %zu "
			"characters\n",
			max);
	return line;
}

/* One secret: prompted twice on a terminal, else the next stdin line.
 * what names it in messages ("password for alice"). NULL after saying
 * why. */
static char *admin_read_secret(const char *what, size_t max)
{
	char prompt[256], *a, *b;
	int too_long;

	if (!isatty(STDIN_FILENO)) {
		a = admin_read_line(max, &too_long);
		if (!a)
			fprintf(stderr, "netcensus admin: %s the %s on stdin\n",
				too_long ? "too long a line for"
					 : "no line for",
				what);
		return a;
	}
	snprintf(prompt, sizeof(prompt), "Enter the %s: ", what);
	a = admin_prompt(prompt, max);
	if (!a)
		return NULL;
	snprintf(prompt, sizeof(prompt), "Repeat the %s: ", what);
	b = admin_prompt(prompt, max);
	if (!b || strcmp(a, b)) {
		fprintf(stderr,
			"netcensus admin: the two entries of the %s "
			"differ; nothing was changed\n",
			what);
		secret_free(a);
		secret_free(b);
		return NULL;
	}
	secret_free(b);
	return a;
}

/* A new password for user, checked for length. NULL after saying why. */
static char *admin_read_password(const char *user)
{
	char what[128];
	const char *why;
	char *pw;

	snprintf(what, sizeof(what), "password for %s", user);
	pw = admin_read_secret(what, SECRET_PASSWORD_MAX + 1);
	if (!pw)
		return NULL;
	if (secret_password_check(pw, &why) < 0) {
		fprintf(stderr,
			"netcensus admin: the %s %s; use at least %d "
			"characters\n",
			what, why, SECRET_PASSWORD_MIN);
		secret_free(pw);
		return NULL;
	}
	return pw;
}

/* ---- users ---- */

static int admin_user_add(struct store *st, struct admin_opts *o)
{
	const char *name = o->args[0];
	int64_t org_id = 1;
	char *pw;
	int rc;

	if (!o->role)
		return cli_usage_error("admin",
				       "user add %s: --role is required "
				       "(admin, org_admin, user or "
				       "collector)",
				       name);
	if (o->org && store_org_find(st, o->org, &org_id) < 0)
		return CLI_FAIL;
	pw = admin_read_password(name);
	if (!pw)
		return CLI_FAIL;
	rc = store_user_add(st, name, o->role, org_id, pw);
	secret_free(pw);
	if (rc < 0)
		return CLI_FAIL;
	printf("created user %s (%s, org %s)\n", name, o->role,
	       o->org ? o->org : "Default");
	return CLI_OK;
}

static const char *admin_yes(json_t *row, const char *key)
{
	return json_is_true(json_object_get(row, key)) ? "yes" : "no";
}

/* A time column, or "never" when it is null. */
static const char *admin_when(json_t *row, const char *key)
{
	return json_is_string(json_object_get(row, key)) ? cli_str(row, key)
							 : "never";
}

static long long admin_id(json_t *row)
{
	return (long long)json_integer_value(json_object_get(row, "id"));
}

/* Prints rows as JSON (--json) or as a table: header, then print_row for
 * each. Takes the reference to rows; NULL rows means the store failed. */
static int admin_print_list(json_t *rows, const struct admin_opts *o,
			    const char *header, void (*print_row)(json_t *))
{
	json_t *row;
	size_t i;

	if (!rows)
		return CLI_FAIL;
	if (o->json) {
		cli_json_print(rows);
	} else {
		fputs(header, stdout);
		json_array_foreach(rows, i, row)
			print_row(row);
	}
	json_decref(rows);
	return CLI_OK;
}

static void admin_user_row(json_t *u)
{
	printf("%-4lld %-20s %-10s %-20s %-7s %s\n", admin_id(u),
	       cli_str(u, "name"), cli_str(u, "role"), cli_str(u, "org"),
	       admin_yes(u, "enabled"), admin_when(u, "last_login"));
}

static int admin_user_list(struct store *st, struct admin_opts *o)
{
	return admin_print_list(store_user_list(st), o,
				"ID   NAME                 ROLE       ORG      "
				"            ENABLED LAST LOGIN\n",
				admin_user_row);
}

static int admin_user_passwd(struct store *st, struct admin_opts *o)
{
	const char *name = o->args[0];
	json_t *user = store_user_get(st, name);
	char *pw;
	int rc;

	/* Ask for nothing when there is no such user. */
	if (!user)
		return CLI_FAIL;
	json_decref(user);
	pw = admin_read_password(name);
	if (!pw)
		return CLI_FAIL;
	rc = store_user_set_password(st, name, pw);
	secret_free(pw);
	if (rc < 0)
		return CLI_FAIL;
	printf("changed the password of %s: its sessions on a running server "
	       "end at their next request; its API tokens are kept\n",
	       name);
	return CLI_OK;
}

/* ---- orgs ---- */

static int admin_org_add(struct store *st, struct admin_opts *o)
{
	int64_t parent = 1, id = 0;

	if (o->parent && store_org_find(st, o->parent, &parent) < 0)
		return CLI_FAIL;
	if (store_org_add(st, o->args[0], parent, &id) < 0)
		return CLI_FAIL;
	printf("created org %lld '%s' (parent %s)\n", (long long)id, o->args[0],
	       o->parent ? o->parent : "Default");
	return CLI_OK;
}

static void admin_org_row(json_t *r)
{
	printf("%-4lld %-30s %s\n", admin_id(r), cli_str(r, "name"),
	       json_is_string(json_object_get(r, "parent"))
		       ? cli_str(r, "parent")
		       : "-");
}

static int admin_org_list(struct store *st, struct admin_opts *o)
{
	return admin_print_list(store_org_list(st), o,
				"ID   NAME                           PARENT\n",
				admin_org_row);
}

/* ---- tokens ---- */

static int admin_token_create(struct store *st, struct admin_opts *o)
{
	char *token = NULL;

	if (!o->user)
		return cli_usage_error("admin", "%s: --user NAME is required",
				       "token create");
	if (store_token_create(st, o->user, o->name, &token) < 0)
		return CLI_FAIL;
	printf("%s\n", token);
	fflush(stdout);
	fprintf(stderr,
		"netcensus admin: API token for %s created; it will not be "
		"shown again, so store it now\n",
		o->user);
	secret_free(token);
	return CLI_OK;
}

static void admin_token_row(json_t *t)
{
	printf("%-4lld %-16s %-20s %-10s... %-19s %-19s %s\n", admin_id(t),
	       cli_str(t, "user"), cli_str(t, "label"), cli_str(t, "prefix"),
	       cli_str(t, "created"), admin_when(t, "last_used"),
	       admin_yes(t, "revoked"));
}

static int admin_token_list(struct store *st, struct admin_opts *o)
{
	return admin_print_list(store_token_list(st), o,
				"ID   USER             LABEL                "
				"TOKEN         CREATED             LAST USED  "
				"         REVOKED\n",
				admin_token_row);
}

/* Parses the ID argument of a command; 0 or a usage error. */
static int admin_parse_id(const char *what, const char *arg, int64_t *id)
{
	long v;

	if (util_parse_long(arg, 1, INT32_MAX, &v) < 0) {
		fprintf(stderr,
			"netcensus admin: %s: '%s' is not an id (a positive "
			"number; the list command shows them)\n",
			what, arg);
		return CLI_USAGE;
	}
	*id = v;
	return 0;
}

static int admin_token_revoke(struct store *st, struct admin_opts *o)
{
	int64_t id;
	int rc = admin_parse_id("token revoke", o->args[0], &id);

	if (rc)
		return rc;
	if (store_token_revoke(st, id) < 0)
		return CLI_FAIL;
	printf("revoked token %lld\n", (long long)id);
	return CLI_OK;
}

/* ---- credentials ---- */

static const struct {
	const char *field, *label;
} admin_secret_labels[] = {
	{"community", "SNMP community"},
	{"auth_passphrase", "SNMPv3 authentication passphrase"},
	{"priv_passphrase", "SNMPv3 privacy passphrase"},
	{"password", "password"},
	{"passphrase", "key passphrase"},
	{"sudo_password", "sudo password"},
	{"key", "private key"},
};

static const char *admin_secret_label(const char *field)
{
	size_t i;

	for (i = 0;
	     i < sizeof(admin_secret_labels) / sizeof(admin_secret_labels[0]);
	     i++)
		if (!strcmp(admin_secret_labels[i].field, field))
			return admin_secret_labels[i].label;
	return field;
}

/* A value from FILE (field=@FILE): the file's bytes, without a final line
 * end unless it is a key. */
static char *admin_value_file(const char *field, const char *path)
{
	const char *why = NULL;
	size_t len = 0;
	char *data = util_read_file(path, ADMIN_SECRET_MAX, &len, &why);

	if (!data) {
		fprintf(stderr, "netcensus admin: %s=@%s: %s\n", field, path,
			why ? why : "cannot read it");
		return NULL;
	}
	if (strlen(data) != len) {
		fprintf(stderr,
			"netcensus admin: %s=@%s: the file holds a NUL "
			"byte\n",
			field, path);
		secret_wipe(data, len);
		free(data);
		return NULL;
	}
	if (strcmp(field, "key") != 0) {
		while (len && (data[len - 1] == '\n' || data[len - 1] == '\r'))
			data[--len] = '\0';
	}
	return data;
}

/* Reads each secret named in fields from stdin into cred. */
static int admin_read_cred_secrets(json_t *cred, json_t *fields)
{
	const char *f, *name = cli_str(cred, "name");
	char what[256], *v;
	json_t *it;
	size_t i;

	json_array_foreach(fields, i, it) {
		f = json_string_value(it);
		snprintf(what, sizeof(what), "%s of credential '%s'",
			 admin_secret_label(f), name);
		v = admin_read_secret(what, ADMIN_SECRET_MAX);
		if (!v) {
			fprintf(stderr, "netcensus admin: give the secrets on "
					"stdin, one line each, in this order "
					"(or run in a terminal to be "
					"prompted):");
			json_array_foreach(fields, i, it)
				fprintf(stderr, " %s", json_string_value(it));
			fputc('\n', stderr);
			return -1;
		}
		json_object_set_new(cred, f, json_string(v));
		secret_free(v);
		if (!json_object_get(cred, f)) {
			fprintf(stderr,
				"netcensus admin: %s is not valid "
				"UTF-8\n",
				what);
			return -1;
		}
	}
	return 0;
}

/* Puts FIELD=VALUE arguments into cred; secrets must be - or @FILE. Those
 * given as - are added to ask. */
static int admin_cred_fields(struct admin_opts *o, json_t *cred, json_t *ask)
{
	const char *arg, *eq, *val;
	char field[64], *v;
	int i;

	for (i = 0; i < o->nargs; i++) {
		arg = o->args[i];
		eq = strchr(arg, '=');
		if (!eq || eq == arg || (size_t)(eq - arg) >= sizeof(field))
			return cli_usage_error("admin",
					       "credential add: '%s' is not "
					       "FIELD=VALUE",
					       arg);
		memcpy(field, arg, (size_t)(eq - arg));
		field[eq - arg] = '\0';
		val = eq + 1;
		if (!strcmp(val, "-")) {
			json_array_append_new(ask, json_string(field));
			continue;
		}
		if (val[0] == '@') {
			v = admin_value_file(field, val + 1);
			if (!v)
				return CLI_FAIL;
			json_object_set_new(cred, field, json_string(v));
			secret_free(v);
			continue;
		}
		if (store_credential_field_secret(field)) {
			fprintf(stderr,
				"netcensus admin: %s is a secret; leave it off "
				"the command line (it would stay in shell "
				"history): give it on stdin, or as %s=@FILE\n",
				field, field);
			return CLI_USAGE;
		}
		json_object_set_new(cred, field, json_string(val));
		if (!json_object_get(cred, field)) {
			fprintf(stderr,
				"netcensus admin: %s is not valid "
				"UTF-8\n",
				field);
			return CLI_FAIL;
		}
	}
	return 0;
}

static int admin_cred_store(struct store *st, json_t *cred)
{
	int64_t id = 0;

	if (store_credential_add(st, cred, &id) < 0)
		return -1;
	printf("added credential %lld '%s' (%s)\n", (long long)id,
	       cli_str(cred, "name"), cli_str(cred, "type"));
	return 0;
}

static int admin_cred_from_file(struct store *st, struct admin_opts *o,
				int64_t org_id)
{
	json_t *doc = NULL, *creds = NULL, *c;
	const char *why = NULL;
	json_error_t err;
	char *text;
	size_t len = 0, i;
	int rc = CLI_FAIL;

	text = util_read_file(o->file, ADMIN_FILE_MAX, &len, &why);
	if (!text) {
		fprintf(stderr, "netcensus admin: %s: %s\n", o->file,
			why ? why : "cannot read it");
		return CLI_FAIL;
	}
	doc = json_loadb(text, len, 0, &err);
	secret_wipe(text, len);
	free(text);
	if (!doc) {
		fprintf(stderr, "netcensus admin: %s:%d:%d: %s\n", o->file,
			err.line, err.column, err.text);
		return CLI_FAIL;
	}
	creds = store_credential_parse(doc);
	if (!creds)
		goto out;
	/* All or nothing: one refused credential leaves the store as it
	 * was. */
	if (store_begin(st) < 0)
		goto out;
	json_array_foreach(creds, i, c) {
		if (o->org)
			json_object_set_new(c, "org_id", json_integer(org_id));
		if (admin_cred_store(st, c) < 0) {
			store_rollback(st);
			fprintf(stderr,
				"netcensus admin: nothing from %s was "
				"stored\n",
				o->file);
			goto out;
		}
	}
	if (store_commit(st) < 0)
		goto out;
	rc = CLI_OK;
out:
	json_array_foreach(creds, i, c)
		store_credential_wipe(c);
	json_decref(creds);
	/* doc holds the file's clear secrets too. */
	store_credential_wipe(doc);
	json_decref(doc);
	return rc;
}

static int admin_credential_add(struct store *st, struct admin_opts *o)
{
	json_t *cred = NULL, *ask = NULL, *need = NULL, *it;
	int64_t org_id = 1;
	size_t i;
	int rc;

	if (o->file && (o->name || o->type || o->description || o->nargs))
		return cli_usage_error("admin", "%s",
				       "credential add: --from-file "
				       "takes no --name, --type, "
				       "--description or FIELD=VALUE");
	if (!o->file && (!o->name || !o->type))
		return cli_usage_error("admin", "%s",
				       "credential add: give --name "
				       "and --type (snmp, snmp_v3, ssh, "
				       "ssh_key, windows, ldap), or "
				       "--from-file");
	if (o->org && store_org_find(st, o->org, &org_id) < 0)
		return CLI_FAIL;
	if (o->file)
		return admin_cred_from_file(st, o, org_id);

	cred = json_pack("{sssssI}", "name", o->name, "type", o->type, "org_id",
			 (json_int_t)org_id);
	if (!cred) {
		fprintf(stderr, "netcensus admin: --name and --type must be "
				"valid UTF-8\n");
		return CLI_FAIL;
	}
	if (o->description)
		json_object_set_new(cred, "description",
				    json_string(o->description));
	ask = json_array();
	rc = admin_cred_fields(o, cred, ask);
	if (rc)
		goto out;
	rc = CLI_FAIL;
	need = store_credential_secrets_needed(cred);
	if (!need)
		goto out;
	/* Needed secrets first (in the type's order), then the ones asked
	 * for with FIELD=-. */
	json_array_foreach(ask, i, it)
		json_array_append(need, it);
	if (admin_read_cred_secrets(cred, need) < 0)
		goto out;
	if (admin_cred_store(st, cred) < 0)
		goto out;
	rc = CLI_OK;
out:
	store_credential_wipe(cred);
	json_decref(cred);
	json_decref(ask);
	json_decref(need);
	return rc;
}

/* The non-secret field that says who the credential logs in as. */
static const char *admin_cred_who(json_t *c)
{
	static const char *const keys[] = {"username", "security_name",
					   "key_file", NULL};
	int i;

	for (i = 0; keys[i]; i++)
		if (json_is_string(json_object_get(c, keys[i])))
			return cli_str(c, keys[i]);
	return "-";
}

static void admin_credential_row(json_t *c)
{
	struct strbuf sb;
	json_t *s;
	size_t j;

	strbuf_init(&sb, 256);
	json_array_foreach(json_object_get(c, "secrets_set"), j, s)
		strbuf_printf(&sb, "%s%s", j ? "," : "", json_string_value(s));
	printf("%-4lld %-24s %-8s %-16s %-16s %s\n", admin_id(c),
	       cli_str(c, "name"), cli_str(c, "type"), cli_str(c, "org"),
	       admin_cred_who(c), sb.len ? sb.data : "-");
	strbuf_free(&sb);
}

static int admin_credential_list(struct store *st, struct admin_opts *o)
{
	return admin_print_list(
		store_credential_list(st), o,
		"ID   NAME                     TYPE     ORG      "
		"        USER             SECRETS SET\n",
		admin_credential_row);
}

static int admin_credential_delete(struct store *st, struct admin_opts *o)
{
	int64_t id;
	int rc = admin_parse_id("credential delete", o->args[0], &id);

	if (rc)
		return rc;
	if (store_credential_delete(st, id) < 0)
		return CLI_FAIL;
	printf("deleted credential %lld\n", (long long)id);
	return CLI_OK;
}

/* ---- database ---- */

static int admin_db_check(struct store *st, struct admin_opts *o)
{
	(void)o;
	if (store_check(st) < 0) {
		printf("database: NOT healthy (see the findings above)\n");
		return CLI_FAIL;
	}
	printf("database: healthy\n");
	return CLI_OK;
}

/* The file of a SQLite database (a path or sqlite:PATH); NULL for a
 * PostgreSQL URL. */
static const char *admin_sqlite_path(const char *db)
{
	if (!strncmp(db, "postgresql://", 13) ||
	    !strncmp(db, "postgres://", 11))
		return NULL;
	return strncmp(db, "sqlite:", 7) ? db : db + 7;
}

/* Gives a SQLite target the key file the copied secrets are encrypted
 * under (before the target is opened, which would make a new one). 0,
 * or -1 with the reason printed. */
static int admin_copy_key(const char *from, const char *to, const char *key)
{
	const char *fp = admin_sqlite_path(from), *tp = admin_sqlite_path(to);
	char *src = key ? xstrdup(key) : fp ? xasprintf("%s.key", fp) : NULL;
	char *dst = tp ? xasprintf("%s.key", tp) : NULL;
	char *a = NULL, *b = NULL;
	const char *why;
	size_t na = 0, nb = 0;
	int fd, rc = -1;

	if (src && access(src, F_OK) != 0) {
		if (key) {
			fprintf(stderr,
				"netcensus admin db copy: --key %s: %s\n", key,
				strerror(errno));
			goto out;
		}
		free(src);
		src = NULL; /* a source that never stored a secret */
	}
	if (!dst) {
		if (src)
			fprintf(stderr,
				"netcensus admin db copy: secrets are copied "
				"encrypted under %s: the servers on the "
				"target need that key file\n",
				src);
		rc = 0;
		goto out;
	}
	if (!src) {
		fprintf(stderr,
			"netcensus admin db copy: secrets are copied encrypted "
			"under the source's key file: put it at %s (or pass "
			"--key FILE)\n",
			dst);
		rc = 0;
		goto out;
	}
	a = util_read_file(src, 4096, &na, &why);
	if (!a) {
		fprintf(stderr, "netcensus admin db copy: %s: %s\n", src, why);
		goto out;
	}
	if (access(dst, F_OK) == 0) {
		b = util_read_file(dst, 4096, &nb, &why);
		if (!b || na != nb || memcmp(a, b, na)) {
			fprintf(stderr,
				"netcensus admin db copy: %s is another key "
				"than %s: the copied secrets could not be read "
				"with it; move it away first\n",
				dst, src);
			goto out;
		}
		rc = 0;
		goto out;
	}
	fd = open(dst, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0 || write(fd, a, na) != (ssize_t)na || close(fd) < 0) {
		fprintf(stderr,
			"netcensus admin db copy: cannot write %s: %s\n", dst,
			strerror(errno));
		goto out;
	}
	fprintf(stderr, "netcensus admin db copy: key file %s copied to %s\n",
		src, dst);
	rc = 0;
out:
	if (a)
		secret_wipe(a, na);
	if (b)
		secret_wipe(b, nb);
	free(a);
	free(b);
	free(src);
	free(dst);
	return rc;
}

static void admin_copy_progress(const char *table, int64_t rows, int done)
{
	fprintf(stderr, "copy: %-14s %lld rows%s\n", table, (long long)rows,
		done ? "" : "...");
}

/* Prints a store_copy() / store_digest() report. */
static int admin_print_digest(json_t *rep, struct admin_opts *o)
{
	json_t *t;
	size_t i;

	if (o->json)
		return cli_json_print(rep) < 0 ? CLI_FAIL : CLI_OK;
	printf("%-16s %10s  %s\n", "TABLE", "ROWS", "CHECKSUM");
	json_array_foreach(json_object_get(rep, "tables"), i, t)
		printf("%-16s %10lld  %s\n", cli_str(t, "table"),
		       (long long)json_integer_value(
			       json_object_get(t, "rows")),
		       cli_str(t, "checksum"));
	return CLI_OK;
}

static int admin_db_checksum(struct store *st, struct admin_opts *o)
{
	json_t *rep = store_digest(st);
	int rc;

	if (!rep)
		return CLI_FAIL;
	rc = admin_print_digest(rep, o);
	json_decref(rep);
	return rc;
}

static int admin_db_copy(struct store *unused, struct admin_opts *o)
{
	struct store *from = NULL, *to = NULL;
	const char *fp;
	char *fs = NULL, *ts = NULL;
	json_t *rep = NULL;
	int rc = CLI_FAIL, copied;

	(void)unused;
	if (!o->from || !o->to)
		return cli_usage_error("admin", "db copy: give --from DB and "
						"--to DB");
	if (!strcmp(o->from, o->to))
		return cli_usage_error("admin", "db copy: --from and --to are "
						"the same database");
	fs = store_url_shown(o->from);
	ts = store_url_shown(o->to);
	fp = admin_sqlite_path(o->from);
	if (fp && access(fp, R_OK) != 0) {
		fprintf(stderr, "netcensus admin db copy: --from %s: %s\n", fs,
			strerror(errno));
		goto out;
	}
	if (admin_copy_key(o->from, o->to, o->key) < 0)
		goto out;
	from = store_open(o->from);
	to = from ? store_open(o->to) : NULL;
	if (!to)
		goto out;
	copied = store_copy(from, to, o->force, admin_copy_progress, &rep);
	if (copied == -2) {
		fprintf(stderr,
			"netcensus admin db copy: %s already holds data (more "
			"than a new database ships with); nothing copied. "
			"--force replaces it\n",
			ts);
		goto out;
	}
	if (copied < 0) {
		fprintf(stderr,
			"netcensus admin db copy: failed (the reason is "
			"above); "
			"nothing was stored in %s\n",
			ts);
		goto out;
	}
	rc = admin_print_digest(rep, o);
	fprintf(stderr,
		"copied %lld rows from %s to %s; every table's rows and "
		"checksum are the same on both\n",
		(long long)json_integer_value(json_object_get(rep, "rows")), fs,
		ts);
out:
	json_decref(rep);
	store_close(to);
	store_close(from);
	free(fs);
	free(ts);
	return rc;
}

/* ---- dispatch ---- */

static const struct admin_cmd admin_cmds[] = {
	{"user", "add", "dro", 1, 1, admin_user_add,
	 "user add NAME --role ROLE [--org ORG]"},
	{"user", "list", "dj", 0, 0, admin_user_list, "user list [--json]"},
	{"user", "passwd", "d", 1, 1, admin_user_passwd, "user passwd NAME"},
	{"org", "add", "dp", 1, 1, admin_org_add,
	 "org add NAME [--parent ORG]"},
	{"org", "list", "dj", 0, 0, admin_org_list, "org list [--json]"},
	{"token", "create", "dun", 0, 0, admin_token_create,
	 "token create --user NAME [--name LABEL]"},
	{"token", "list", "dj", 0, 0, admin_token_list, "token list [--json]"},
	{"token", "revoke", "d", 1, 1, admin_token_revoke, "token revoke ID"},
	{"credential", "add", "dntoDf", 0, ADMIN_MAX_ARGS, admin_credential_add,
	 "credential add --name N --type T [FIELD=VALUE]... | --from-file F"},
	{"credential", "list", "dj", 0, 0, admin_credential_list,
	 "credential list [--json]"},
	{"credential", "delete", "d", 1, 1, admin_credential_delete,
	 "credential delete ID"},
	{"db", "check", "d", 0, 0, admin_db_check, "db check"},
	{"db", "checksum", "dj", 0, 0, admin_db_checksum,
	 "db checksum [--json]"},
	{"db", "copy", "FTKxj", 0, 0, admin_db_copy,
	 "db copy --from DB --to DB [--force] [--key FILE] [--json]"},
};

#define ADMIN_CMD_COUNT (sizeof(admin_cmds) / sizeof(admin_cmds[0]))

static const struct option admin_long[] = {
	{"db", required_argument, NULL, 'd'},
	{"json", no_argument, NULL, 'j'},
	{"role", required_argument, NULL, 'r'},
	{"org", required_argument, NULL, 'o'},
	{"parent", required_argument, NULL, 'p'},
	{"user", required_argument, NULL, 'u'},
	{"name", required_argument, NULL, 'n'},
	{"type", required_argument, NULL, 't'},
	{"from-file", required_argument, NULL, 'f'},
	{"description", required_argument, NULL, 'D'},
	{"from", required_argument, NULL, 'F'},
	{"to", required_argument, NULL, 'T'},
	{"key", required_argument, NULL, 'K'},
	{"force", no_argument, NULL, 'x'},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

static const char *admin_option_name(int c)
{
	const struct option *lo;

	for (lo = admin_long; lo->name; lo++)
		if (lo->val == c)
			return lo->name;
	return "?";
}

/* Parses argv (argv[0] is the verb, or "admin" for the leading options);
 * "+" stops at the first operand when leading is set. Returns -1 to go on,
 * else an exit code. */
static int admin_parse(int argc, char **argv, const char *allowed, int leading,
		       struct admin_opts *o, const char *what)
{
	const char **slot;
	int c;

	optind = 0; /* glibc: start a fresh scan */
	opterr = 0;
	while ((c = getopt_long(argc, argv, leading ? "+:h" : ":h", admin_long,
				NULL)) != -1) {
		if (c == 'h') {
			admin_usage(stdout);
			return CLI_OK;
		}
		if (c == '?' || c == ':') {
			fprintf(stderr, "netcensus admin%s%s: %s '%s'\n",
				*what ? " " : "", what,
				c == ':' ? "missing value for"
					 : "unknown option",
				argv[optind - 1]);
			fprintf(stderr,
				"Run 'netcensus admin --help' for usage.\n");
			return CLI_USAGE;
		}
		if (!strchr(allowed, c)) {
			fprintf(stderr,
				"netcensus admin%s%s: does not take --%s "
				"here\n",
				*what ? " " : "", what, admin_option_name(c));
			fprintf(stderr,
				"Run 'netcensus admin --help' for usage.\n");
			return CLI_USAGE;
		}
		slot = c == 'd'	  ? &o->db
		       : c == 'r' ? &o->role
		       : c == 'o' ? &o->org
		       : c == 'p' ? &o->parent
		       : c == 'u' ? &o->user
		       : c == 'n' ? &o->name
		       : c == 't' ? &o->type
		       : c == 'f' ? &o->file
		       : c == 'D' ? &o->description
		       : c == 'F' ? &o->from
		       : c == 'T' ? &o->to
		       : c == 'K' ? &o->key
				  : NULL;
		if (slot)
			*slot = optarg;
		else if (c == 'x')
			o->force = 1;
		else
			o->json = 1;
	}
	return -1;
}

static const struct admin_cmd *admin_find(const char *object, const char *verb,
					  int *object_known)
{
	size_t i;

	*object_known = 0;
	for (i = 0; i < ADMIN_CMD_COUNT; i++) {
		if (strcmp(admin_cmds[i].object, object))
			continue;
		*object_known = 1;
		if (verb && !strcmp(admin_cmds[i].verb, verb))
			return &admin_cmds[i];
	}
	return NULL;
}

static int admin_unknown(const char *object, const char *verb, int known)
{
	size_t i;

	if (!known)
		fprintf(stderr,
			"netcensus admin: '%s' is not something admin "
			"manages; use user, org, token, credential or db\n",
			object);
	else
		fprintf(stderr, "netcensus admin: %s%s%s: %s; %s takes:\n",
			object, verb ? " " : "", verb ? verb : "",
			verb ? "unknown action" : "say what to do", object);
	for (i = 0; known && i < ADMIN_CMD_COUNT; i++)
		if (!strcmp(admin_cmds[i].object, object))
			fprintf(stderr, "  netcensus admin %s\n",
				admin_cmds[i].synopsis);
	fprintf(stderr, "Run 'netcensus admin --help' for usage.\n");
	return CLI_USAGE;
}

int cmd_admin(int argc, char **argv)
{
	struct admin_opts o;
	const struct admin_cmd *cmd;
	struct store *st;
	char what[64];
	int rc, known, first, i, nodb;

	memset(&o, 0, sizeof(o));
	rc = admin_parse(argc, argv, "d", 1, &o, "");
	if (rc >= 0)
		return rc;
	first = optind;
	if (first >= argc) {
		admin_usage(stderr);
		return CLI_USAGE;
	}
	cmd = admin_find(argv[first], first + 1 < argc ? argv[first + 1] : NULL,
			 &known);
	if (!cmd)
		return admin_unknown(argv[first],
				     first + 1 < argc ? argv[first + 1] : NULL,
				     known);
	snprintf(what, sizeof(what), "%s %s", cmd->object, cmd->verb);
	/* Options may come before or after the operands of the verb. */
	rc = admin_parse(argc - first - 1, argv + first + 1, cmd->allowed, 0,
			 &o, what);
	if (rc >= 0)
		return rc;
	for (i = optind; i < argc - first - 1; i++) {
		if (o.nargs == ADMIN_MAX_ARGS)
			return cli_usage_error("admin",
					       "%s: too many arguments", what);
		o.args[o.nargs++] = argv[first + 1 + i];
	}
	if (o.nargs < cmd->min_args || o.nargs > cmd->max_args) {
		fprintf(stderr,
			"netcensus admin %s: %s\nusage: netcensus "
			"admin %s\n",
			what,
			o.nargs < cmd->min_args ? "missing argument"
						: "too many arguments",
			cmd->synopsis);
		return CLI_USAGE;
	}
	/* db copy opens its two stores itself */
	nodb = cmd->run == admin_db_copy;
	st = nodb ? NULL : cli_store_open(o.db);
	if (!st && !nodb)
		return CLI_FAIL;
	rc = cmd->run(st, &o);
	store_close(st);
	return rc;
}
