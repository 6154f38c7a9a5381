/*
 * test_collectors_store: the store side of collectors (store_collectors.h,
 * migration 5) and batch transactions (store_batch_begin): a batch
 * commits its parts together and a part that rolls back leaves the rest;
 * a run of a discovery assigned to a collector is queued for it, claimed
 * only by it and never by the server's runner, left alone by the
 * server's interrupt at start, and interrupted when its collector
 * registers again; an item id is recorded once; delete cancels, revokes
 * and gives the discoveries back.
 */
#include "testlib.h"

#include <jansson.h>

#include "core/log.h"
#include "store/store.h"
#include "store/store_collectors.h"
#include "store/store_discoveries.h"

static char dir[64];

static struct store *open_store(void)
{
	char path[128];
	struct store *st;

	log_set_level(LOG_QUIET);
	testlib_tmpdir(dir);
	snprintf(path, sizeof(path), "%s/s.db", dir);
	st = store_open(path);
	assert_non_null(st);
	return st;
}

static int64_t count_collectors(struct store *st)
{
	json_t *rows = store_collector_list(st, NULL, 0);
	int64_t n = (int64_t)json_array_size(rows);

	json_decref(rows);
	return n;
}

/* A queued run of a new discovery, for items to belong to. */
static int64_t a_run(struct store *st)
{
	json_t *def =
		json_pack("{sisssss{}s[]}", "org_id", 1, "name", "b", "targets",
			  "198.18.0.1", "options", "credentials");
	int64_t disc = 0, run = 0;

	assert_int_equal(store_discodef_add(st, def, &disc), 0);
	json_decref(def);
	assert_int_equal(store_discorun_queue(st, disc, &run), 0);
	return run;
}

static void test_batch_savepoints(void **state)
{
	struct store *st = open_store();
	int64_t r = a_run(st);

	(void)state;
	assert_int_equal(store_batch_begin(st), 0);
	/* part 1 commits, part 2 rolls back, part 3 commits */
	assert_int_equal(store_begin(st), 0);
	assert_int_equal(store_collector_item_add(st, "a1", r, "log", 0), 0);
	assert_int_equal(store_commit(st), 0);
	assert_int_equal(store_begin(st), 0);
	assert_int_equal(store_collector_item_add(st, "a2", r, "log", 0), 0);
	assert_int_equal(store_rollback(st), 0);
	assert_int_equal(store_begin(st), 0);
	assert_int_equal(store_collector_item_add(st, "a3", r, "log", 0), 0);
	assert_int_equal(store_commit(st), 0);
	/* a nested batch is refused */
	assert_int_equal(store_batch_begin(st), -1);
	assert_int_equal(store_batch_commit(st), 0);
	assert_int_equal(store_collector_item_seen(st, "a1"), 1);
	assert_int_equal(store_collector_item_seen(st, "a2"), 0);
	assert_int_equal(store_collector_item_seen(st, "a3"), 1);
	/* a batch rolled back leaves nothing */
	assert_int_equal(store_batch_begin(st), 0);
	assert_int_equal(store_begin(st), 0);
	assert_int_equal(store_collector_item_add(st, "b1", r, "log", 0), 0);
	assert_int_equal(store_commit(st), 0);
	store_batch_rollback(st);
	assert_int_equal(store_collector_item_seen(st, "b1"), 0);
	/* an item id is stored once */
	assert_int_equal(store_collector_item_add(st, "a1", r, "log", 0), -1);
	/* ordinary transactions work again after a batch */
	assert_int_equal(store_begin(st), 0);
	assert_int_equal(store_commit(st), 0);
	store_close(st);
	testlib_rmdir(dir);
}

static void test_runs_of_a_collector(void **state)
{
	struct store *st = open_store();
	struct store_collector_reg r;
	int64_t coll = 0, other = 0, n = 0, disc = 0, run = 0, run2 = 0;
	int64_t claimed = 0, cdisc = 0, org = 0, tok1 = 0, tok2 = 0;
	json_t *def, *c;
	char *tok = NULL, *tok_a = NULL, *u, state16[16];
	int enabled = 0, found = 0;

	(void)state;
	assert_int_equal(store_user_add(st, "site-a", "collector", 1,
					"long enough password"),
			 0);
	assert_int_equal(store_user_add(st, "site-b", "collector", 1,
					"long enough password"),
			 0);
	assert_int_equal(store_token_create(st, "site-a", "t", &tok_a), 0);
	assert_int_equal(store_token_create(st, "site-b", "t", &tok), 0);
	free(tok);
	tok1 = 1;
	tok2 = 2;
	memset(&r, 0, sizeof(r));
	/* the user id of site-a */
	{
		json_t *users = store_user_list(st);
		size_t i;
		json_t *row;

		json_array_foreach(users, i, row)
			if (!strcmp(json_string_value(
					    json_object_get(row, "name")),
				    "site-a"))
				r.user_id = json_integer_value(
					json_object_get(row, "id"));
		json_decref(users);
	}
	r.token_id = tok1;
	r.org_id = 1;
	r.name = "site-a";
	r.version = "0.1.0";
	r.subnets = json_pack("[s]", "198.18.0.0/24");
	assert_int_equal(store_collector_register(st, &r, &coll, &n), 0);
	assert_true(coll > 0);
	assert_int_equal(n, 0);
	assert_int_equal(store_collector_by_token(st, tok1, &other, &enabled),
			 0);
	assert_int_equal(other, coll);
	assert_int_equal(enabled, 1);
	/* another user may not take the name */
	{
		struct store_collector_reg r2 = r;

		r2.user_id = r.user_id + 1000;
		r2.token_id = tok2;
		assert_int_equal(store_collector_register(st, &r2, &other, &n),
				 -2);
	}
	assert_int_equal(count_collectors(st), 1);
	c = store_collector_get(st, coll, &found);
	assert_non_null(c);
	assert_string_equal(json_string_value(json_object_get(c, "state")),
			    "online");
	assert_string_equal(json_string_value(json_array_get(
				    json_object_get(c, "subnets"), 0)),
			    "198.18.0.0/24");
	json_decref(c);
	assert_int_equal(store_collector_find(st, "site-a", &other), 0);
	assert_int_equal(other, coll);

	/* a discovery assigned to it: its run is the collector's alone */
	def = json_pack("{sisssss{}s[]sI}", "org_id", 1, "name", "d", "targets",
			"198.18.0.0/24", "options", "credentials", "collector",
			(json_int_t)coll);
	assert_int_equal(store_discodef_add(st, def, &disc), 0);
	json_decref(def);
	def = store_discodef_get(st, disc, NULL);
	assert_int_equal(json_integer_value(json_object_get(def, "collector")),
			 coll);
	json_decref(def);
	assert_int_equal(store_discorun_queue(st, disc, &run), 0);
	assert_int_equal(store_discorun_claim(st, 60, &claimed, &cdisc), 0);
	assert_int_equal(claimed, 0); /* the server's runner: nothing */
	assert_int_equal(
		store_discorun_claim_for(st, coll + 1, &claimed, &cdisc), 0);
	assert_int_equal(claimed, 0); /* another collector: nothing */
	assert_int_equal(store_discorun_claim_for(st, coll, &claimed, &cdisc),
			 0);
	assert_int_equal(claimed, run);
	assert_int_equal(cdisc, disc);
	assert_int_equal(store_collector_run(st, coll, run, &org, state16), 0);
	assert_int_equal(org, 1);
	assert_string_equal(state16, "running");
	assert_int_equal(store_collector_run(st, coll + 1, run, &org, state16),
			 0);
	assert_int_equal(org, 0);
	/* the server's restart leaves it running */
	assert_int_equal(store_discorun_interrupt_all(st, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(store_collector_run(st, coll, run, &org, state16), 0);
	assert_string_equal(state16, "running");
	/* the collector registering again: it was interrupted */
	assert_int_equal(store_collector_register(st, &r, &other, &n), 0);
	assert_int_equal(other, coll);
	assert_int_equal(n, 1);
	assert_int_equal(store_collector_run(st, coll, run, &org, state16), 0);
	assert_string_equal(state16, "interrupted");

	/* delete: the queued run is cancelled, the token revoked, the
	 * discovery goes back to the server */
	assert_int_equal(store_discorun_queue(st, disc, &run2), 0);
	assert_int_equal(store_collector_delete(st, coll), 0);
	assert_int_equal(store_discorun_state(st, run2, &cdisc, state16), 0);
	assert_string_equal(state16, "cancelled");
	assert_int_equal(store_collector_by_token(st, tok1, &other, &enabled),
			 0);
	assert_int_equal(other, 0);
	u = store_token_user(st, tok_a);
	assert_null(u); /* revoked */
	free(tok_a);
	def = store_discodef_get(st, disc, NULL);
	assert_true(json_is_null(json_object_get(def, "collector")));
	json_decref(def);
	json_decref(r.subnets);
	store_close(st);
	testlib_rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_batch_savepoints),
		cmocka_unit_test(test_runs_of_a_collector),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
