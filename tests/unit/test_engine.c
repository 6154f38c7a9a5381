/* The engine's parts that need no network: the keyed permutation, the
 * timer heap, the token bucket, the RTT estimator, the worker pool, the
 * reactor's timers and wake-ups, port lists, and the ARP/NDP row's
 * subnet choice, requests and reply checks. */
#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "testlib.h"

#include "core/log.h"
#include "core/util.h"
#include "engine/pace.h"
#include "engine/perm.h"
#include "engine/pool.h"
#include "ev/reactor.h"
#include "engine/rtt.h"
#include "ev/timer.h"
#include "probe/arp.h"
#include "probe/icmp.h"
#include "probe/iface.h"
#include "probe/ports.h"

static int setup(void **state)
{
	(void)state;
	log_set_level(LOG_QUIET);
	return 0;
}

/* ---- permutation ---- */

static void check_bijection(uint64_t n, uint64_t key)
{
	uint8_t *seen = calloc(n ? n : 1, 1);
	struct perm p;
	uint64_t i, fixed = 0;

	assert_non_null(seen);
	perm_init(&p, n, key);
	for (i = 0; i < n; i++) {
		uint64_t v = perm_at(&p, i);

		if (v >= n || seen[v])
			fail_msg("n=%llu key=%llu: index %llu gives %llu (%s)",
				 (unsigned long long)n, (unsigned long long)key,
				 (unsigned long long)i, (unsigned long long)v,
				 v >= n ? "out of range" : "repeated");
		seen[v] = 1;
		fixed += v == i;
	}
	/* shuffled: few indices stay in place */
	if (n >= 1000)
		assert_true(fixed < n / 50);
	free(seen);
}

static void test_perm_bijective(void **state)
{
	static const uint64_t sizes[] = {
		0,    1,    2,	   3,	  4,	 5,	 7,
		16,   17,   255,   256,	  257,	 1000,	 4095,
		4096, 4097, 65535, 65536, 65537, 100003, 1u << 20};
	uint64_t n;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		check_bijection(sizes[i], 1);
		check_bijection(sizes[i], 0xdeadbeefcafef00dull);
	}
	for (n = 1; n < 300; n++)
		check_bijection(n, n * 7919);
}

static void test_perm_keyed(void **state)
{
	struct perm a, b, c;
	uint64_t i, same_ab = 0, same_ac = 0;

	(void)state;
	perm_init(&a, 10000, 42);
	perm_init(&b, 10000, 43);
	perm_init(&c, 10000, 42);
	for (i = 0; i < 10000; i++) {
		same_ab += perm_at(&a, i) == perm_at(&b, i);
		same_ac += perm_at(&a, i) == perm_at(&c, i);
	}
	assert_int_equal(same_ac, 10000); /* same key, same order */
	assert_true(same_ab < 100);	  /* another key, another one */
	/* neighbours are spread: consecutive positions rarely adjacent */
	for (i = 1, same_ab = 0; i < 10000; i++) {
		int64_t d =
			(int64_t)perm_at(&a, i) - (int64_t)perm_at(&a, i - 1);

		same_ab += d == 1 || d == -1;
	}
	assert_true(same_ab < 100);
}

/* ---- timer heap ---- */

static void test_timer_heap_order(void **state)
{
	struct timer_heap h;
	struct timer t[500], *x;
	uint64_t last = 0, fired = 0;
	int i;

	(void)state;
	timer_heap_init(&h);
	srand(7);
	for (i = 0; i < 500; i++) {
		timer_init(&t[i], NULL, NULL);
		timer_heap_add(&h, &t[i], (uint64_t)(rand() % 1000) + 1);
	}
	/* cancel every third, re-arm every fifth later */
	for (i = 0; i < 500; i += 3)
		timer_heap_remove(&h, &t[i]);
	for (i = 0; i < 500; i += 5)
		timer_heap_add(&h, &t[i], 2000 + (uint64_t)i);
	assert_false(timer_armed(&t[3]));
	assert_true(timer_armed(&t[5]));
	assert_null(timer_heap_pop_due(&h, 0));
	while ((x = timer_heap_pop_due(&h, UINT64_MAX))) {
		assert_true(x->deadline >= last);
		assert_false(timer_armed(x));
		last = x->deadline;
		fired++;
	}
	/* 500 - 167 cancelled + 67 of those re-armed by the fifth rule
	 * (multiples of 15 were cancelled and re-armed) */
	{
		uint64_t want = 0;

		for (i = 0; i < 500; i++)
			want += (i % 3 != 0) || (i % 5 == 0);
		assert_int_equal(fired, want);
	}
	assert_int_equal(h.n, 0);
	timer_heap_free(&h);
}

static void test_timer_heap_fifo_ties(void **state)
{
	struct timer_heap h;
	struct timer t[10];
	int i;

	(void)state;
	timer_heap_init(&h);
	for (i = 0; i < 10; i++) {
		timer_init(&t[i], NULL, NULL);
		timer_heap_add(&h, &t[i], 100);
	}
	for (i = 0; i < 10; i++)
		assert_ptr_equal(timer_heap_pop_due(&h, 100), &t[i]);
	timer_heap_free(&h);
}

/* ---- token bucket ---- */

static void test_pace_fake_clock(void **state)
{
	struct pace p;
	uint64_t now = 1000000000ull, sent = 0, end;

	(void)state;
	pace_init(&p, 1000, now);
	/* 10 simulated seconds, polling every 0.1 ms */
	end = now + 10 * 1000000000ull;
	for (; now < end; now += 100000)
		while (pace_take(&p, now))
			sent++;
	/* 1000/s for 10 s, plus the initial burst (100 packets) */
	assert_true(sent >= 9990 && sent <= 10000 + 100);

	/* a coarse clock (10 ms steps) still holds the rate */
	pace_init(&p, 5000, 0);
	for (now = 0, sent = 0; now < 2000000000ull; now += 10000000ull)
		while (pace_take(&p, now))
			sent++;
	assert_true(sent >= 9900 && sent <= 10000 + 500);
}

/* A busy machine wakes the sender late: what was owed since the last
 * wake-up goes at once (up to the 100 ms bucket), so the rate holds. */
static void test_pace_late_wakeups_catch_up(void **state)
{
	struct pace p;
	uint64_t now, sent = 0, step = 80000000ull; /* 80 ms late each time */

	(void)state;
	pace_init(&p, 2400, 0);
	assert_int_equal(pace_burst(&p), 240);
	for (now = 0; now < 4000000000ull; now += step)
		while (pace_take(&p, now))
			sent++;
	/* 4 s at 2400/s plus the first bucket: every packet owed went */
	assert_true(sent >= 9600 - 192 && sent <= 9600 + 240);

	/* later than the bucket: the excess is dropped, not made up */
	pace_init(&p, 2400, 0);
	for (now = 0, sent = 0; now < 4000000000ull; now += 500000000ull)
		while (pace_take(&p, now))
			sent++;
	assert_int_equal(sent, 8 * 240);
}

static void test_pace_wait_and_unlimited(void **state)
{
	struct pace p;

	(void)state;
	pace_init(&p, 10, 0); /* burst is 1 packet at 10 pps */
	assert_int_equal(pace_take(&p, 0), 1);
	assert_int_equal(pace_take(&p, 0), 0);
	assert_int_equal(pace_wait(&p, 0), 100000000ull);
	assert_int_equal(pace_take(&p, 99999999ull), 0);
	assert_int_equal(pace_take(&p, 100000000ull), 1);
	/* an idle second refills only to the burst, not to 10 packets */
	assert_int_equal(pace_take(&p, 5000000000ull), 1);
	assert_int_equal(pace_take(&p, 5000000000ull), 0);

	/* a set burst: that many at once, then the rate */
	pace_init(&p, 10, 0);
	pace_set_burst(&p, 256);
	for (int i = 0; i < 256; i++)
		assert_int_equal(pace_take(&p, 0), 1);
	assert_int_equal(pace_take(&p, 0), 0);
	assert_int_equal(pace_take(&p, 100000000ull), 1);
	assert_int_equal(pace_take(&p, 100000000ull), 0);

	pace_init(&p, 0, 0);
	for (int i = 0; i < 100000; i++)
		assert_int_equal(pace_take(&p, 0), 1);
	assert_int_equal(pace_wait(&p, 0), 0);
}

/* ---- worker pool ---- */

struct gate {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int open;
	atomic_int running[POOL_KINDS];
	atomic_int max_running[POOL_KINDS];
	atomic_int finished;
};

struct job {
	struct gate *g;
	enum pool_kind kind;
	int done, cancelled;
};

static void job_run(void *arg)
{
	struct job *j = arg;
	struct gate *g = j->g;
	int now = atomic_fetch_add(&g->running[j->kind], 1) + 1;
	int max = atomic_load(&g->max_running[j->kind]);

	while (now > max && !atomic_compare_exchange_weak(
				    &g->max_running[j->kind], &max, now))
		;
	pthread_mutex_lock(&g->mu);
	while (!g->open)
		pthread_cond_wait(&g->cv, &g->mu);
	pthread_mutex_unlock(&g->mu);
	atomic_fetch_sub(&g->running[j->kind], 1);
	atomic_fetch_add(&g->finished, 1);
}

static void job_done(void *arg, int cancelled)
{
	struct job *j = arg;

	j->done++;
	j->cancelled = cancelled;
}

static void gate_open(struct gate *g)
{
	pthread_mutex_lock(&g->mu);
	g->open = 1;
	pthread_cond_broadcast(&g->cv);
	pthread_mutex_unlock(&g->mu);
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

static void test_pool_bounded_queue(void **state)
{
	struct pool_opts o = {
		.threads = 2, .queue_max = 3, .kind_cap = {[POOL_OTHER] = 2}};
	struct gate g = {.mu = PTHREAD_MUTEX_INITIALIZER,
			 .cv = PTHREAD_COND_INITIALIZER};
	struct job jobs[6];
	struct pool *p = pool_new(&o);
	int i, accepted = 0, drained = 0;

	(void)state;
	assert_non_null(p);
	for (i = 0; i < 6; i++)
		jobs[i] = (struct job){.g = &g, .kind = POOL_OTHER};
	/* two start running (blocked on the gate), three queue, one is
	 * refused and stays ours */
	for (i = 0; i < 2; i++)
		assert_int_equal(
			pool_submit(p, POOL_OTHER, job_run, job_done, &jobs[i]),
			0);
	for (int k = 0; k < 12000 && pool_queued(p) > 0; k++) /* 60 s */
		sleep_ms(5);
	for (i = 2; i < 6; i++)
		accepted += pool_submit(p, POOL_OTHER, job_run, job_done,
					&jobs[i]) == 0;
	assert_int_equal(accepted, 3);
	assert_int_equal(pool_queued(p), 3);
	assert_int_equal(pool_pending(p), 5);
	gate_open(&g);
	while (drained < 5) {
		drained += (int)pool_drain(p);
		sleep_ms(2);
	}
	assert_int_equal(atomic_load(&g.finished), 5);
	for (i = 0; i < 5; i++) {
		assert_int_equal(jobs[i].done, 1);
		assert_int_equal(jobs[i].cancelled, 0);
	}
	assert_int_equal(jobs[5].done, 0);
	assert_int_equal(pool_pending(p), 0);
	pool_free(p);
}

static void test_pool_kind_caps(void **state)
{
	/* 4 threads; SSH may take 2 of them. 8 slow SSH jobs queued first
	 * must not stop the SNMP jobs queued after them. */
	struct pool_opts o = {.threads = 4, .queue_max = 64};
	struct gate g = {.mu = PTHREAD_MUTEX_INITIALIZER,
			 .cv = PTHREAD_COND_INITIALIZER};
	struct job jobs[12];
	struct pool *p;
	int i;

	(void)state;
	o.kind_cap[POOL_SSH] = 2;
	p = pool_new(&o);
	assert_non_null(p);
	for (i = 0; i < 12; i++) {
		jobs[i] = (struct job){.g = &g,
				       .kind = i < 8 ? POOL_SSH : POOL_SNMP};
		assert_int_equal(pool_submit(p, jobs[i].kind, job_run, job_done,
					     &jobs[i]),
				 0);
	}
	/* with the gate shut: 2 SSH + 2 SNMP running, the rest queued */
	for (int k = 0; k < 12000 && atomic_load(&g.running[POOL_SNMP]) < 2;
	     k++) /* 60 s */
		sleep_ms(5);
	assert_int_equal(atomic_load(&g.running[POOL_SSH]), 2);
	assert_int_equal(atomic_load(&g.running[POOL_SNMP]), 2);
	gate_open(&g);
	for (int k = 0; k < 12000 && atomic_load(&g.finished) < 12; k++)
		sleep_ms(5);
	assert_int_equal(atomic_load(&g.finished), 12);
	assert_int_equal(atomic_load(&g.max_running[POOL_SSH]), 2);
	pool_drain(p);
	pool_free(p);
	for (i = 0; i < 12; i++)
		assert_int_equal(jobs[i].done, 1);
}

static void test_pool_free_cancels_queued(void **state)
{
	struct pool_opts o = {.threads = 1, .queue_max = 8};
	struct gate g = {.mu = PTHREAD_MUTEX_INITIALIZER,
			 .cv = PTHREAD_COND_INITIALIZER};
	struct job jobs[4];
	struct pool *p = pool_new(&o);
	int i, cancelled = 0, done = 0;

	(void)state;
	for (i = 0; i < 4; i++) {
		jobs[i] = (struct job){.g = &g, .kind = POOL_SNMP};
		assert_int_equal(
			pool_submit(p, POOL_SNMP, job_run, job_done, &jobs[i]),
			0);
	}
	for (int k = 0; k < 12000 && atomic_load(&g.running[POOL_SNMP]) < 1;
	     k++) /* 60 s */
		sleep_ms(5);
	gate_open(&g); /* the running one finishes; pool_free races it */
	pool_free(p);
	for (i = 0; i < 4; i++) {
		assert_int_equal(jobs[i].done, 1);
		cancelled += jobs[i].cancelled;
		done += !jobs[i].cancelled;
	}
	assert_true(done >= 1);
	assert_int_equal(cancelled + done, 4);
}

/* The threads of this process (/proc/self/task). */
static int task_count(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

static void test_pool_threads_on_demand(void **state)
{
	/* a sweep that submits no job (host discovery alone) must not pay
	 * for starting and joining a pool's worth of threads; one job
	 * starts one worker, and a second job while it is busy another */
	struct pool_opts o = {.threads = 8, .queue_max = 8};
	struct gate g = {.mu = PTHREAD_MUTEX_INITIALIZER,
			 .cv = PTHREAD_COND_INITIALIZER};
	struct job jobs[2];
	int before = task_count(), i;
	struct pool *p = pool_new(&o);

	(void)state;
	assert_non_null(p);
	assert_int_equal(task_count(), before);
	for (i = 0; i < 2; i++) {
		jobs[i] = (struct job){.g = &g, .kind = POOL_SNMP};
		assert_int_equal(
			pool_submit(p, POOL_SNMP, job_run, job_done, &jobs[i]),
			0);
	}
	for (int k = 0; k < 12000 && atomic_load(&g.running[POOL_SNMP]) < 2;
	     k++) /* 60 s */
		sleep_ms(5);
	assert_int_equal(atomic_load(&g.running[POOL_SNMP]), 2);
	assert_int_equal(task_count(), before + 2);
	gate_open(&g);
	pool_free(p);
	assert_int_equal(jobs[0].done + jobs[1].done, 2);
	assert_int_equal(task_count(), before);
}

/* ---- reactor ---- */

struct rt {
	struct reactor *r;
	int order[4], n;
	struct timer t[3];
	atomic_int woken;
};

/* cppcheck-suppress constParameter ; the timer callback's signature */
static void rt_fire(struct timer *t, void *arg)
{
	struct rt *x = arg;

	x->order[x->n++] = (int)(t - x->t);
	if (x->n == 3)
		reactor_stop(x->r);
}

static void test_reactor_timers(void **state)
{
	struct rt x = {0};
	uint64_t t0;
	int i;

	(void)state;
	x.r = reactor_new();
	assert_non_null(x.r);
	for (i = 0; i < 3; i++)
		timer_init(&x.t[i], rt_fire, &x);
	reactor_timer_start(x.r, &x.t[0], 30000000ull);
	reactor_timer_start(x.r, &x.t[1], 10000000ull);
	reactor_timer_start(x.r, &x.t[2], 20000000ull);
	t0 = reactor_clock();
	assert_int_equal(reactor_run(x.r), 0);
	assert_int_equal(x.order[0], 1);
	assert_int_equal(x.order[1], 2);
	assert_int_equal(x.order[2], 0);
	assert_true(reactor_clock() - t0 >= 30000000ull);
	reactor_free(x.r);
}

static void rt_woken(void *arg)
{
	struct rt *x = arg;

	atomic_fetch_add(&x->woken, 1);
	reactor_stop(x->r);
}

static void *rt_waker(void *arg)
{
	sleep_ms(20);
	reactor_wake(((struct rt *)arg)->r);
	return NULL;
}

static void test_reactor_wake_from_thread(void **state)
{
	struct rt x = {0};
	pthread_t th;

	(void)state;
	x.r = reactor_new();
	reactor_set_wake(x.r, rt_woken, &x);
	pthread_create(&th, NULL, rt_waker, &x);
	assert_int_equal(reactor_run(x.r), 0); /* no timers: only the wake */
	pthread_join(th, NULL);
	assert_int_equal(atomic_load(&x.woken), 1);
	reactor_free(x.r);
}

/* ---- ports ---- */

static void test_ports_parse(void **state)
{
	struct port_list l;

	(void)state;
	assert_int_equal(ports_parse("22,80,443,1000-1100,80,161/udp", &l), 0);
	assert_int_equal(l.n_tcp, 3 + 101);
	assert_int_equal(l.tcp[0], 22);
	assert_int_equal(l.tcp[3], 1000);
	assert_int_equal(l.tcp[103], 1100);
	assert_int_equal(l.n_udp, 1);
	assert_int_equal(l.udp[0], 161);
	ports_clear(&l);

	assert_int_equal(ports_parse("T:22,23,U:53,161,T:80", &l), 0);
	assert_int_equal(l.n_tcp, 3);
	assert_int_equal(l.tcp[2], 80);
	assert_int_equal(l.n_udp, 2);
	ports_clear(&l);

	assert_int_equal(ports_parse("1-65535", &l), 0);
	assert_int_equal(l.n_tcp, 65535);
	ports_clear(&l);

	assert_int_equal(ports_parse("22,8o", &l), -1);
	assert_int_equal(ports_parse("0", &l), -1);
	assert_int_equal(ports_parse("65536", &l), -1);
	assert_int_equal(ports_parse("100-90", &l), -1);
	assert_int_equal(ports_parse("22,,80", &l), -1);
	assert_int_equal(ports_parse("", &l), -1);
	assert_int_equal(ports_parse("22/sctp", &l), -1);
	assert_int_equal(ports_parse("22;id", &l), -1);
	assert_int_equal(l.n_tcp, 0);
	assert_null(l.tcp);
}

static void test_ports_presets(void **state)
{
	struct port_list l;

	(void)state;
	assert_int_equal(ports_preset("ultrafast", &l), 0);
	assert_int_equal(l.n_tcp, 6);
	assert_int_equal(l.tcp[0], 22);
	assert_int_equal(l.tcp[1], 135);
	assert_int_equal(l.tcp[2], 139);
	assert_int_equal(l.tcp[3], 445);
	assert_int_equal(l.tcp[4], 3389);
	assert_int_equal(l.tcp[5], 62078);
	assert_int_equal(l.n_udp, 1);
	assert_int_equal(l.udp[0], 161);
	ports_clear(&l);

	assert_int_equal(ports_preset("superfast", &l), 0);
	/* top 10 (80 first; 22, 139, 445, 3389 among them) + 135 + 62078 */
	assert_int_equal(l.tcp[0], 80);
	assert_true(ports_has_tcp(&l, 443));
	assert_true(ports_has_tcp(&l, 445));
	assert_true(ports_has_tcp(&l, 62078));
	assert_int_equal(l.n_tcp, 12);
	ports_clear(&l);

	assert_int_equal(ports_preset("fast", &l), 0);
	assert_true(l.n_tcp >= 100 && l.n_tcp <= 102);
	ports_clear(&l);

	assert_int_equal(ports_preset("medium", &l), 0);
	assert_true(l.n_tcp >= 1000 && l.n_tcp <= 1002);
	assert_true(ports_has_tcp(&l, 3389));
	ports_clear(&l);

	assert_int_equal(ports_preset("ludicrous", &l), -1);
}

/* Without nmap's table the frequency presets fail clearly and ultrafast,
 * which needs no file, still works. */
static void test_ports_presets_no_table(void **state)
{
	struct port_list l;
	char *old = getenv("NETCENSUS_NMAP_SERVICES");

	(void)state;
	old = old ? xstrdup(old) : NULL;
	setenv("NETCENSUS_NMAP_SERVICES", "/nonexistent/nmap-services", 1);
	assert_int_equal(ports_preset("fast", &l), -1);
	assert_int_equal(ports_preset("ultrafast", &l), 0);
	assert_int_equal(l.n_tcp, 6);
	ports_clear(&l);
	if (old)
		setenv("NETCENSUS_NMAP_SERVICES", old, 1);
	else
		unsetenv("NETCENSUS_NMAP_SERVICES");
	free(old);
}

/* ---- RTT estimator ---- */

#define MS 1000000ull

static void test_rtt_first_sample_and_clamp(void **state)
{
	struct rtt r;

	(void)state;
	rtt_init(&r, 100 * MS, 1000 * MS);
	/* nothing heard yet: the whole --timeout */
	assert_int_equal(rtt_timeout(&r), 1000 * MS);
	/* RFC 6298: srtt = R, rttvar = R/2, so the wait is 3 x R */
	rtt_sample(&r, 50 * MS);
	assert_int_equal(r.srtt, 50 * MS);
	assert_int_equal(r.rttvar, 25 * MS);
	assert_int_equal(rtt_timeout(&r), 150 * MS);
	/* a LAN's sub-millisecond answers: the floor, not 1 ms */
	rtt_init(&r, 100 * MS, 1000 * MS);
	rtt_sample(&r, 300000);
	assert_int_equal(rtt_timeout(&r), 100 * MS);
	/* a slow path: never more than the ceiling */
	rtt_init(&r, 100 * MS, 1000 * MS);
	rtt_sample(&r, 900 * MS);
	assert_int_equal(rtt_timeout(&r), 1000 * MS);
	/* a floor above the ceiling is the ceiling */
	rtt_init(&r, 500 * MS, 200 * MS);
	rtt_sample(&r, 1 * MS);
	assert_int_equal(rtt_timeout(&r), 200 * MS);
}

static void test_rtt_converges_and_reacts(void **state)
{
	struct rtt r;
	uint64_t before;
	int i;

	(void)state;
	rtt_init(&r, 1 * MS, 5000 * MS);
	for (i = 0; i < 200; i++)
		rtt_sample(&r, 20 * MS);
	/* steady 20 ms: srtt 20 ms, the deviation decays towards 0 */
	assert_true(r.srtt > 19 * MS && r.srtt < 21 * MS);
	assert_true(rtt_timeout(&r) < 22 * MS);
	assert_true(rtt_timeout(&r) >= 20 * MS);
	/* one 300 ms straggler widens the wait at once (4 x rttvar)... */
	before = rtt_timeout(&r);
	rtt_sample(&r, 300 * MS);
	assert_true(rtt_timeout(&r) > before + 250 * MS);
	/* ...and steady answers bring it back down */
	for (i = 0; i < 100; i++)
		rtt_sample(&r, 20 * MS);
	assert_true(rtt_timeout(&r) < 25 * MS);
	/* alternating 10/30 ms: srtt near 20, wait covers the spread */
	rtt_init(&r, 1 * MS, 5000 * MS);
	for (i = 0; i < 400; i++)
		rtt_sample(&r, (i & 1 ? 30 : 10) * MS);
	assert_true(r.srtt > 17 * MS && r.srtt < 23 * MS);
	assert_true(rtt_timeout(&r) > 30 * MS);
	assert_true(rtt_timeout(&r) < 80 * MS);
	/* a zero sample (clock granularity) counts as the smallest time */
	rtt_init(&r, 0, 5000 * MS);
	rtt_sample(&r, 0);
	assert_int_equal(r.samples, 1);
	assert_true(rtt_timeout(&r) >= 1);
}

/* ---- ARP / NDP: the subnet a target is asked through, the packets ---- */

static struct targets_addr addr_of(const char *s)
{
	struct targets_addr a;

	assert_int_equal(targets_addr_parse(s, &a), 0);
	return a;
}

static struct iface_net net_of(int ifindex, const char *addr, unsigned prefix)
{
	static const uint8_t mac[6] = {0x02, 0x18, 0x08, 0, 0, 2};
	struct iface_net n;

	memset(&n, 0, sizeof(n));
	n.ifindex = ifindex;
	snprintf(n.name, sizeof(n.name), "eth%d", ifindex);
	memcpy(n.mac, mac, 6);
	n.addr = addr_of(addr);
	n.prefix = prefix;
	return n;
}

static void test_iface_find(void **state)
{
	struct iface_table t;
	struct iface_net a = net_of(2, "198.18.8.2", 22);
	struct iface_net b = net_of(3, "198.18.9.1", 24);
	struct iface_net c = net_of(2, "2001:2:0:8::2", 64);
	struct targets_addr lo = addr_of("127.0.0.1"), x;
	const struct iface_net *f;

	memset(&t, 0, sizeof(t));
	iface_table_add(&t, &a);
	iface_table_add(&t, &b);
	iface_table_add(&t, &c);
	iface_table_add_own(&t, &lo);
	x = addr_of("198.18.10.7");
	f = iface_table_find(&t, &x);
	assert_non_null(f);
	assert_int_equal(f->ifindex, 2);
	x = addr_of("198.18.9.7"); /* the longest prefix wins */
	f = iface_table_find(&t, &x);
	assert_non_null(f);
	assert_int_equal(f->ifindex, 3);
	x = addr_of("198.18.8.0"); /* the network address is asked */
	assert_non_null(iface_table_find(&t, &x));
	x = addr_of("198.18.9.255"); /* a broadcast address never */
	assert_null(iface_table_find(&t, &x));
	x = addr_of("198.18.8.2"); /* nor our own */
	assert_null(iface_table_find(&t, &x));
	assert_null(iface_table_find(&t, &lo));
	x = addr_of("198.18.12.1"); /* off every subnet */
	assert_null(iface_table_find(&t, &x));
	x = addr_of("198.19.8.1");
	assert_null(iface_table_find(&t, &x));
	x = addr_of("2001:2:0:8::abcd");
	f = iface_table_find(&t, &x);
	assert_non_null(f);
	assert_int_equal(f->addr.family, AF_INET6);
	x = addr_of("2001:2:0:9::1");
	assert_null(iface_table_find(&t, &x));
	iface_table_free(&t);
	/* an empty table knows no subnet */
	x = addr_of("198.18.8.7");
	assert_null(iface_table_find(&t, &x));
}

static void test_arp_request(void **state)
{
	struct iface_net n = net_of(2, "198.18.8.2", 22);
	struct iface_net n6 = net_of(2, "2001:2:0:8::2", 64);
	struct targets_addr t = addr_of("198.18.9.77");
	struct targets_addr off = addr_of("198.18.12.77");
	struct targets_addr t6 = addr_of("2001:2:0:8::1:2345");
	static const uint8_t want[28] = {
		0,    1,    8,	  0, 6, 4, 0,	1,	    /* who-has */
		0x02, 0x18, 0x08, 0, 0, 2, 198, 18, 8, 2,   /* us */
		0,    0,    0,	  0, 0, 0, 198, 18, 9, 77}; /* them */
	uint8_t buf[ARP_FRAME_MAX], dst[6], pseudo[40 + 32];

	assert_int_equal(arp_request_build(buf, &n, &t, dst), 28);
	assert_memory_equal(buf, want, sizeof(want));
	assert_memory_equal(dst, "\xff\xff\xff\xff\xff\xff", 6);
	/* a target outside the interface's subnet is never asked there */
	assert_int_equal(arp_request_build(buf, &n, &off, dst), 0);
	assert_int_equal(arp_request_build(buf, &n, &t6, dst), 0);

	assert_int_equal(arp_request_build(buf, &n6, &t6, dst), 40 + 32);
	assert_int_equal(buf[0] >> 4, 6);
	assert_int_equal(buf[6], 58);	/* ICMPv6 */
	assert_int_equal(buf[7], 255);	/* hop limit */
	assert_int_equal(buf[40], 135); /* NS */
	assert_memory_equal(buf + 48, t6.a, 16);
	/* to ff02::1:ff01:2345, on 33:33:ff:01:23:45 */
	assert_memory_equal(
		buf + 24, "\xff\x02\0\0\0\0\0\0\0\0\0\x01\xff\x01\x23\x45", 16);
	assert_memory_equal(dst, "\x33\x33\xff\x01\x23\x45", 6);
	/* the source link-layer option carries our MAC */
	assert_int_equal(buf[64], 1);
	assert_memory_equal(buf + 66, n6.mac, 6);
	/* the checksum over the pseudo-header holds */
	memset(pseudo, 0, sizeof(pseudo));
	memcpy(pseudo, buf + 8, 32);
	pseudo[35] = 32;
	pseudo[39] = 58;
	memcpy(pseudo + 40, buf + 40, 32);
	assert_int_equal(icmp_checksum(pseudo, sizeof(pseudo)), 0);
}

/* An ARP reply from mac for ip to us (198.18.8.2, 02:18:08:00:00:02). */
static void arp_reply_frame(uint8_t p[28], const uint8_t mac[6],
			    const uint8_t ip[4])
{
	static const uint8_t head[8] = {0, 1, 8, 0, 6, 4, 0, 2};

	memcpy(p, head, 8);
	memcpy(p + 8, mac, 6);
	memcpy(p + 14, ip, 4);
	memcpy(p + 18, "\x02\x18\x08\0\0\x02", 6);
	memcpy(p + 24, "\xc6\x12\x08\x02", 4);
}

static void test_arp_reply_checks(void **state)
{
	struct iface_net n = net_of(2, "198.18.8.2", 22);
	struct iface_net other = net_of(3, "198.18.12.2", 22);
	static const uint8_t mac[6] = {0xf4, 0xbd, 0x9e, 8, 1, 0x4d};
	static const uint8_t ip[4] = {198, 18, 9, 77};
	struct arp_answer a;
	uint8_t p[28];

	arp_reply_frame(p, mac, ip);
	assert_int_equal(arp_reply_parse(p, sizeof(p), AF_INET, mac, &a), 1);
	assert_memory_equal(a.mac, mac, 6);
	assert_memory_equal(a.from.a, ip, 4);
	assert_int_equal(arp_answer_for(&a, &n), 1);
	assert_int_equal(arp_answer_for(&a, &other), 0);
	/* short, a request, another sender than the frame's source */
	assert_int_equal(arp_reply_parse(p, 27, AF_INET, mac, &a), 0);
	p[7] = 1;
	assert_int_equal(arp_reply_parse(p, sizeof(p), AF_INET, mac, &a), 0);
	p[7] = 2;
	assert_int_equal(arp_reply_parse(p, sizeof(p), AF_INET,
					 (const uint8_t *)"\2\2\2\2\2\2", &a),
			 0);
	/* addressed to our IP but another MAC: not for us */
	arp_reply_frame(p, mac, ip);
	p[23] = 9;
	assert_int_equal(arp_reply_parse(p, sizeof(p), AF_INET, mac, &a), 1);
	assert_int_equal(arp_answer_for(&a, &n), 0);
	/* a multicast sender MAC, a 0.0.0.0 sender */
	arp_reply_frame(p, (const uint8_t *)"\x01\0\x5e\0\0\1", ip);
	assert_int_equal(arp_reply_parse(p, sizeof(p), AF_INET,
					 (const uint8_t *)"\x01\0\x5e\0\0\1",
					 &a),
			 0);
	arp_reply_frame(p, mac, (const uint8_t *)"\0\0\0\0");
	assert_int_equal(arp_reply_parse(p, sizeof(p), AF_INET, mac, &a), 0);
}

/* A Neighbour Advertisement for target from mac to us (2001:2:0:8::2):
 * flags, hop limit and the target link-layer option as given, checksum
 * right. Its length. */
static size_t na_frame(uint8_t *p, const struct targets_addr *target,
		       const uint8_t mac[6], uint8_t flags, uint8_t hops,
		       int opt)
{
	struct targets_addr src = *target, dst = addr_of("2001:2:0:8::2");
	size_t plen = 24 + (opt ? 8 : 0);
	uint8_t pseudo[40 + 32];
	uint16_t sum;

	memset(p, 0, 40 + plen);
	p[0] = 0x60;
	p[5] = (uint8_t)plen;
	p[6] = 58;
	p[7] = hops;
	memcpy(p + 8, src.a, 16);
	memcpy(p + 24, dst.a, 16);
	p[40] = 136;
	p[44] = flags;
	memcpy(p + 48, target->a, 16);
	if (opt) {
		p[64] = 2;
		p[65] = (uint8_t)opt;
		memcpy(p + 66, mac, 6);
	}
	memset(pseudo, 0, sizeof(pseudo));
	memcpy(pseudo, p + 8, 32);
	pseudo[35] = (uint8_t)plen;
	pseudo[39] = 58;
	memcpy(pseudo + 40, p + 40, plen);
	sum = icmp_checksum(pseudo, 40 + plen);
	p[42] = (uint8_t)(sum >> 8);
	p[43] = (uint8_t)sum;
	return 40 + plen;
}

static void test_ndp_reply_checks(void **state)
{
	struct iface_net n6 = net_of(2, "2001:2:0:8::2", 64);
	struct targets_addr t = addr_of("2001:2:0:8::4d");
	static const uint8_t mac[6] = {0xf4, 0xbd, 0x9e, 8, 0, 0x4d};
	static const uint8_t eth[6] = {0x02, 0x99, 0, 0, 0, 1};
	struct arp_answer a;
	uint8_t p[80];
	size_t len;

	/* solicited, with the target's link-layer address */
	len = na_frame(p, &t, mac, 0x60, 255, 1);
	assert_int_equal(arp_reply_parse(p, len, AF_INET6, eth, &a), 1);
	assert_true(targets_addr_equal(&a.from, &t));
	assert_memory_equal(a.mac, mac, 6);
	assert_int_equal(arp_answer_for(&a, &n6), 1);
	/* without the option: the frame's source */
	len = na_frame(p, &t, mac, 0x40, 255, 0);
	assert_int_equal(arp_reply_parse(p, len, AF_INET6, eth, &a), 1);
	assert_memory_equal(a.mac, eth, 6);
	/* unsolicited (no S flag), routed (hop limit 254) */
	len = na_frame(p, &t, mac, 0x20, 255, 1);
	assert_int_equal(arp_reply_parse(p, len, AF_INET6, eth, &a), 0);
	len = na_frame(p, &t, mac, 0x40, 254, 1);
	assert_int_equal(arp_reply_parse(p, len, AF_INET6, eth, &a), 0);
	/* a wrong checksum, an option of length 0, a truncated packet */
	len = na_frame(p, &t, mac, 0x40, 255, 1);
	p[43] ^= 1;
	assert_int_equal(arp_reply_parse(p, len, AF_INET6, eth, &a), 0);
	len = na_frame(p, &t, mac, 0x40, 255, 1);
	p[65] = 0;
	assert_int_equal(arp_reply_parse(p, len, AF_INET6, eth, &a), 0);
	len = na_frame(p, &t, mac, 0x40, 255, 1);
	assert_int_equal(arp_reply_parse(p, len - 9, AF_INET6, eth, &a), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_perm_bijective),
		cmocka_unit_test(test_perm_keyed),
		cmocka_unit_test(test_timer_heap_order),
		cmocka_unit_test(test_timer_heap_fifo_ties),
		cmocka_unit_test(test_pace_fake_clock),
		cmocka_unit_test(test_pace_wait_and_unlimited),
		cmocka_unit_test(test_pace_late_wakeups_catch_up),
		cmocka_unit_test(test_rtt_first_sample_and_clamp),
		cmocka_unit_test(test_rtt_converges_and_reacts),
		cmocka_unit_test(test_pool_bounded_queue),
		cmocka_unit_test(test_pool_kind_caps),
		cmocka_unit_test(test_pool_free_cancels_queued),
		cmocka_unit_test(test_pool_threads_on_demand),
		cmocka_unit_test(test_reactor_timers),
		cmocka_unit_test(test_reactor_wake_from_thread),
		cmocka_unit_test(test_ports_parse),
		cmocka_unit_test(test_ports_presets),
		cmocka_unit_test(test_ports_presets_no_table),
		cmocka_unit_test(test_iface_find),
		cmocka_unit_test(test_arp_request),
		cmocka_unit_test(test_arp_reply_checks),
		cmocka_unit_test(test_ndp_reply_checks),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
