/*
 * store_winrpc: what discovery remembers about a device's Windows RPC
 * inventory between runs (table windows_host, migration 9): the name of
 * the windows credential that worked last, keyed by the address it worked
 * at, so the next run tries it first there (probe/winrpc.h).
 *
 * Only names are stored, never a secret. Returned jansson values are new
 * references owned by the caller.
 */
#ifndef NC_STORE_WINRPC_H
#define NC_STORE_WINRPC_H

#include <stdint.h>
#include <jansson.h>

#include "store/store.h"

/* {ip: {"device_id", "credential", "last_seen"}} of the devices in
 * org_id's tree (0: every org), the latest row per address; NULL on error
 * (logged). */
json_t *store_windows_host_map(struct store *st, int64_t org_id);

/* Records that credential worked at ip for device_id (last_seen = now).
 * 0 or -1 (logged). */
int store_windows_host_set(struct store *st, int64_t device_id, const char *ip,
			   const char *credential);

#endif
