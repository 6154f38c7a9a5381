/*
 * fields.c: the table of the device's own fields and the placeholder
 * values (fields.h).
 */
#include <stddef.h>
#include <string.h>

#include "core/util.h"
#include "report/fields.h"

#define C FIELD_COLUMN
#define O FIELD_OWNED
#define ID FIELD_IDENTITY
#define IP FIELD_IP

/* The columns first, in the order of migration 1 (store/migrations.c);
 * every other sys field goes to the device's JSON column "extra". */
static const struct field_def fields[] = {
	{"hostname", C},
	{"fqdn", C},
	{"domain", C},
	{"ip", C | IP},
	{"mac", C | ID},
	{"uuid", C | ID},
	{"dbus_identifier", C},
	{"serial", C | ID},
	{"manufacturer", C},
	{"model", C},
	{"type", C},
	{"form_factor", C},
	{"os_group", C},
	{"os_family", C},
	{"os_name", C},
	{"os_version", C},
	{"sysName", C},
	{"sysDescr", C},
	{"sysObjectID", C},
	{"sysLocation", C},
	{"sysContact", C},
	{"sysUpTime", C},
	{"status", C},
	{"owner", C},
	{"location", C},
	{"tags", C},
	{"description", C},
	{"last_seen_by", C},
	/* the store's own */
	{"id", O},
	{"org_id", O},
	{"first_seen", O},
	{"last_seen", O},
	/* addresses in sys or in component rows */
	{"netmask", IP},
	{"mask", IP},
	{"gateway", IP},
	{"next_hop", IP},
	{"destination", IP},
	{"dhcp_server", IP},
	{"dns_server", IP},
	{"remote_ip", IP},
	{NULL, 0},
};

#undef C
#undef O
#undef ID
#undef IP

_Static_assert(sizeof(fields) / sizeof(fields[0]) > FIELD_NCOLUMNS,
	       "the columns are the first FIELD_NCOLUMNS rows");

/* Values that identify nothing (compared case-insensitively). */
static const char *const placeholders[] = {
	"None",
	"N/A",
	"NA",
	"Null",
	"Unknown",
	"Invalid",
	"0",
	"Not Specified",
	"Not Available",
	"Not Applicable",
	"Not Settable",
	"Default string",
	"Default",
	"To be filled by O.E.M.",
	"To be filled by O.E.M",
	"To be filled by OEM",
	"O.E.M.",
	"OEM",
	"System Serial Number",
	"Chassis Serial Number",
	"Base Board Serial Number",
	"Serial Number",
	"SerialNumber",
	"Type1ProductConfigId",
	"0123456789",
	"1234567890",
	"123456789",
	"12345678",
	"00000000",
	"xxxxxxxxxxxx",
	"00000000-0000-0000-0000-000000000000",
	"FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF",
	"03000200-0400-0500-0006-000700080009",
	"00020003-0004-0005-0006-000700080009",
	"12345678-1234-5678-90AB-CDDEEFAABBCC",
	"localhost",
	"localhost.localdomain",
	"127.0.0.1",
	"0.0.0.0",
	"::1",
};

const struct field_def *fields_all(void)
{
	return fields;
}

int fields_has(const char *name, unsigned flags)
{
	const struct field_def *f;

	for (f = fields; f->name; f++)
		if (!strcmp(f->name, name))
			return (f->flags & flags) == flags;
	return 0;
}

const char *fields_column(int i)
{
	return i >= 0 && i < FIELD_NCOLUMNS ? fields[i].name : NULL;
}

int fields_is_placeholder(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(placeholders) / sizeof(placeholders[0]); i++)
		if (util_streq_ci(placeholders[i], s))
			return 1;
	return 0;
}
