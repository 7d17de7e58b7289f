/*
 * Host tests of kernel/cap.c: lookups fail with the right status for every
 * kind of bad selector, copies narrow rights and badge only unbadged
 * endpoints, and reference counts say when an object dies.
 */
#include "host_test.h"

#include <cap.h>

#define SLOTS 8

static struct cap slots_a[CAP_SLOTS_PER_LEAF], slots_b[CAP_SLOTS_PER_LEAF];
static struct cap *leaves_a[] = {slots_a}, *leaves_b[] = {slots_b};
static struct cap_space a = {leaves_a, SLOTS}, b = {leaves_b, SLOTS};
static struct object endpoint = {.type = OBJECT_ENDPOINT}, thread = {.type = OBJECT_THREAD};

static int setup(void **state)
{
	(void)state;
	memset(slots_a, 0, sizeof(slots_a));
	memset(slots_b, 0, sizeof(slots_b));
	endpoint.references = thread.references = 0;
	endpoint.dead = thread.dead = false;
	cap_install(&slots_a[1], &endpoint, RIGHT_SEND | RIGHT_RECEIVE | RIGHT_GRANT, 0);
	cap_install(&slots_a[2], &thread, RIGHT_CONTROL, 0);
	return 0;
}

static void test_lookup_statuses(void **state)
{
	(void)state;
	struct cap *c = NULL;
	assert_int_equal(cap_lookup(&a, 1, OBJECT_ENDPOINT, RIGHT_SEND, &c), STATUS_OK);
	assert_ptr_equal(c, &slots_a[1]);
	assert_int_equal(cap_lookup(&a, 0, OBJECT_ENDPOINT, 0, &c), STATUS_BAD_CAP);
	assert_int_equal(cap_lookup(&a, SLOTS, OBJECT_ENDPOINT, 0, &c), STATUS_BAD_CAP);
	assert_int_equal(cap_lookup(&a, ~0ull, OBJECT_ENDPOINT, 0, &c), STATUS_BAD_CAP);
	assert_int_equal(cap_lookup(&a, 2, OBJECT_ENDPOINT, 0, &c), STATUS_BAD_TYPE);
	assert_int_equal(cap_lookup(&a, 2, OBJECT_THREAD, RIGHT_SEND, &c), STATUS_NO_RIGHTS);
}

/* A destroyed object's remaining capabilities name nothing usable. */
static void test_dead_object(void **state)
{
	(void)state;
	struct cap *c = NULL;
	thread.dead = true;
	assert_int_equal(cap_lookup(&a, 2, OBJECT_THREAD, RIGHT_CONTROL, &c), STATUS_BAD_CAP);
	assert_int_equal(cap_copy(&a, 2, &b, 1, RIGHTS_ALL, 0), STATUS_BAD_CAP);
	assert_null(b.leaves[0][1].object);
	assert_ptr_equal(cap_clear(&slots_a[2]), &thread);
}

static void test_empty_slot(void **state)
{
	(void)state;
	struct cap *c = NULL;
	assert_int_equal(cap_empty_slot(&a, 3, &c), STATUS_OK);
	assert_ptr_equal(c, &slots_a[3]);
	assert_int_equal(cap_empty_slot(&a, 1, &c), STATUS_BUSY);
	assert_int_equal(cap_empty_slot(&a, SLOTS, &c), STATUS_BAD_CAP);
}

static void test_copy_narrows_rights(void **state)
{
	(void)state;
	assert_int_equal(cap_copy(&a, 1, &b, 4, RIGHT_SEND, 0), STATUS_OK);
	assert_ptr_equal(slots_b[4].object, &endpoint);
	assert_int_equal(slots_b[4].rights, RIGHT_SEND);
	assert_int_equal(endpoint.references, 2);
	/* Asking for more than the source has gives no more. */
	assert_int_equal(cap_copy(&b, 4, &b, 5, RIGHTS_ALL, 0), STATUS_OK);
	assert_int_equal(slots_b[5].rights, RIGHT_SEND);
}

static void test_copy_failures_change_nothing(void **state)
{
	(void)state;
	assert_int_equal(cap_copy(&a, 0, &b, 4, RIGHTS_ALL, 0), STATUS_BAD_CAP);
	assert_int_equal(cap_copy(&a, 1, &b, SLOTS, RIGHTS_ALL, 0), STATUS_BAD_CAP);
	assert_int_equal(cap_copy(&a, 1, &a, 2, RIGHTS_ALL, 0), STATUS_BUSY);
	assert_int_equal(cap_copy(&a, 2, &b, 4, RIGHTS_ALL, 7), STATUS_BAD_ARG);
	assert_int_equal(endpoint.references, 1);
	assert_int_equal(thread.references, 1);
	for (int i = 0; i < SLOTS; i++)
		assert_null(slots_b[i].object);
}

static void test_badge_once(void **state)
{
	(void)state;
	assert_int_equal(cap_copy(&a, 1, &b, 1, RIGHT_SEND, 42), STATUS_OK);
	assert_int_equal(slots_b[1].badge, 42);
	/* A badged capability keeps its badge and cannot be re-badged. */
	assert_int_equal(cap_copy(&b, 1, &b, 2, RIGHT_SEND, 0), STATUS_OK);
	assert_int_equal(slots_b[2].badge, 42);
	assert_int_equal(cap_copy(&b, 1, &b, 3, RIGHT_SEND, 43), STATUS_BAD_ARG);
}

/* The check an IPC capability item makes: cap_copy's statuses, the right
 * it needs (GRANT) right after the source, and no change either way. */
static void test_copy_check(void **state)
{
	(void)state;
	assert_int_equal(cap_copy_check(&a, 1, &b, 4, 0, RIGHT_GRANT), STATUS_OK);
	assert_int_equal(cap_copy_check(&a, 2, &b, 4, 0, RIGHT_GRANT), STATUS_NO_RIGHTS);
	assert_int_equal(cap_copy_check(&a, 2, &b, 4, 0, 0), STATUS_OK);
	assert_int_equal(cap_copy_check(&a, 3, &b, 4, 0, RIGHT_GRANT), STATUS_BAD_CAP);
	/* The source is checked before the destination. */
	assert_int_equal(cap_copy_check(&a, 2, &a, 1, 0, RIGHT_GRANT), STATUS_NO_RIGHTS);
	assert_int_equal(cap_copy_check(&a, 1, &a, 2, 0, RIGHT_GRANT), STATUS_BUSY);
	assert_int_equal(cap_copy_check(&a, 1, &b, SLOTS, 0, RIGHT_GRANT), STATUS_BAD_CAP);
	assert_int_equal(cap_copy_check(&a, 1, &b, 4, 7, RIGHT_GRANT), STATUS_OK);
	assert_int_equal(cap_copy_check(&a, 2, &b, 4, 7, 0), STATUS_BAD_ARG);
	assert_int_equal(endpoint.references, 1);
	for (int i = 0; i < SLOTS; i++)
		assert_null(slots_b[i].object);
}

static void test_clear_returns_dead_object(void **state)
{
	(void)state;
	assert_int_equal(cap_copy(&a, 1, &b, 0, RIGHTS_ALL, 0), STATUS_OK);
	assert_null(cap_clear(&slots_a[1]));
	assert_null(slots_a[1].object);
	assert_ptr_equal(cap_clear(&slots_b[0]), &endpoint);
	assert_null(cap_clear(&slots_b[0])); /* clearing an empty slot is harmless */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_lookup_statuses, setup),
		cmocka_unit_test_setup(test_empty_slot, setup),
		cmocka_unit_test_setup(test_dead_object, setup),
		cmocka_unit_test_setup(test_copy_narrows_rights, setup),
		cmocka_unit_test_setup(test_copy_failures_change_nothing, setup),
		cmocka_unit_test_setup(test_badge_once, setup),
		cmocka_unit_test_setup(test_copy_check, setup),
		cmocka_unit_test_setup(test_clear_returns_dead_object, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
