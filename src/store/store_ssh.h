/*
 * store_ssh: what discovery remembers about a device's SSH server between
 * runs (table ssh_host, migration 4) - the host key it accepted and the
 * name of the credential that logged in last.
 *
 * Discovery reads the whole table once before a run (store_ssh_host_map),
 * keyed by the address it will connect to, so the engine never touches the
 * database while it runs; after intake has said which device a report is,
 * store_ssh_host_set() records the key and the credential for that device.
 * A changed host key is not overwritten unless the caller accepted it, so
 * it is flagged again on every run until someone does.
 *
 * Only names and fingerprints are stored, never a secret. Returned jansson
 * values are new references owned by the caller.
 */
#ifndef NC_STORE_SSH_H
#define NC_STORE_SSH_H

#include <stdint.h>
#include <jansson.h>

#include "store/store.h"

/* One device's SSH facts; strings are borrowed, NULL keeps what is
 * stored. */
struct store_ssh_host {
	int64_t device_id;
	const char *ip;
	unsigned port;
	const char *hostkey;	  /* "SHA256:..." */
	const char *hostkey_type; /* "ssh-ed25519", ... */
	const char *credential;	  /* name of the one that worked */
};

/* The rows of the devices in org_id's tree (0: every org) as {ip:
 * {"device_id", "org_id", "port", "hostkey", "hostkey_type",
 * "credential", "last_seen"}}; for an address several of those devices
 * have used, the one seen last. A run reads the keys of the org tree it
 * stores into, never another org's. NULL on error (logged). */
json_t *store_ssh_host_map(struct store *st, int64_t org_id);

/* Inserts or updates the row of h->device_id (last_seen = now). 0 or -1. */
int store_ssh_host_set(struct store *st, const struct store_ssh_host *h);

#endif
