/*
 * Host tests of kernel/ipc_items.c: the word count's layout, where
 * capability and memory items land in the receiver's window, every layout
 * rule that makes a message BAD_ARG, and random messages whose decoded
 * items must always stay inside the window and apart from each other.
 */
#include "host_test.h"

#include <stdbool.h>

#include <ipc_items.h>
#include <uapi/vireo/cap.h>

#define PAGE	  4096ull
#define SLOTS	  64
#define WINDOW_VA 0x40000000ull

static const struct utcb_window window = {
    .cap_first = 10, .cap_count = 4, .mem_va = WINDOW_VA, .mem_pages = 32};

/* The message: an allocation of exactly UTCB_MESSAGE_WORDS words, so that
 * ASan sees a read past the registers; a fresh one for each test. */
static uint64_t *m;

static int message_new(void **state)
{
	(void)state;
	m = calloc(UTCB_MESSAGE_WORDS, sizeof(uint64_t));
	return m ? 0 : -1;
}

static int message_free(void **state)
{
	(void)state;
	free(m);
	return 0;
}

static void put(unsigned at, uint64_t w0, uint64_t w1, uint64_t w2)
{
	m[at] = w0;
	m[at + 1] = w1;
	m[at + 2] = w2;
}

static enum status decode(uint64_t words, struct ipc_items *out)
{
	return ipc_items_decode(words, m, &window, SLOTS, out);
}

static void test_word_count_layout(void **state)
{
	(void)state;
	assert_int_equal(ipc_items_check_words(IPC_MSG(64, 0)), STATUS_OK);
	assert_int_equal(ipc_items_check_words(IPC_MSG(65, 0)), STATUS_BAD_ARG);
	assert_int_equal(ipc_items_check_words(IPC_MSG(0xff, 0)), STATUS_BAD_ARG);
	assert_int_equal(ipc_items_check_words(IPC_MSG(0, IPC_ITEMS_MAX)), STATUS_OK);
	assert_int_equal(ipc_items_check_words(IPC_MSG(1, IPC_ITEMS_MAX)), STATUS_OK);
	assert_int_equal(ipc_items_check_words(IPC_MSG(2, IPC_ITEMS_MAX)), STATUS_BAD_ARG);
	assert_int_equal(ipc_items_check_words(IPC_MSG(0, IPC_ITEMS_MAX + 1)), STATUS_BAD_ARG);
	assert_int_equal(ipc_items_check_words(IPC_MSG(0, 0xff)), STATUS_BAD_ARG);
	assert_int_equal(ipc_items_check_words(IPC_MSG(1, 1) | 1ull << 16), STATUS_BAD_ARG);
	assert_int_equal(ipc_items_check_words(IPC_MSG(1, 1) | 1ull << 63), STATUS_BAD_ARG);
	assert_int_equal(ipc_items_check_words(~0ull), STATUS_BAD_ARG);
	assert_int_equal(IPC_ITEMS_MAX, 21);
}

static void test_caps_land_in_order(void **state)
{
	(void)state;
	struct ipc_items items;
	m[0] = 0xaa;
	m[1] = 0xbb;
	put(2, IPC_CAP_ITEM(RIGHT_SEND | RIGHT_GRANT), 5, 0x77);
	put(5, IPC_CAP_ITEM(RIGHTS_ALL), 6, 0);
	assert_int_equal(decode(IPC_MSG(2, 2), &items), STATUS_OK);
	assert_int_equal(items.untyped, 2);
	assert_int_equal(items.count, 2);
	assert_int_equal(items.item[0].type, IPC_ITEM_CAP);
	assert_int_equal(items.item[0].flags, RIGHT_SEND | RIGHT_GRANT);
	assert_int_equal(items.item[0].source, 5);
	assert_int_equal(items.item[0].badge, 0x77);
	assert_int_equal(items.item[0].target, 10);
	assert_int_equal(items.item[1].flags, RIGHTS_ALL);
	assert_int_equal(items.item[1].source, 6);
	assert_int_equal(items.item[1].target, 11);
}

static void test_cap_window_limits(void **state)
{
	(void)state;
	struct ipc_items items;
	for (unsigned i = 0; i < 5; i++)
		put(i * IPC_ITEM_WORDS, IPC_CAP_ITEM(RIGHTS_ALL), i, 0);
	assert_int_equal(decode(IPC_MSG(0, 4), &items), STATUS_OK);
	assert_int_equal(items.item[3].target, 13);
	/* A fifth capability does not fit a window of four. */
	assert_int_equal(decode(IPC_MSG(0, 5), &items), STATUS_BAD_ARG);
	/* No window, or one past the end of the space, takes nothing. */
	struct utcb_window none = {0};
	assert_int_equal(ipc_items_decode(IPC_MSG(0, 1), m, &none, SLOTS, &items), STATUS_BAD_ARG);
	struct utcb_window edge = {.cap_first = SLOTS - 1, .cap_count = 5};
	assert_int_equal(ipc_items_decode(IPC_MSG(0, 1), m, &edge, SLOTS, &items), STATUS_OK);
	assert_int_equal(items.item[0].target, SLOTS - 1);
	assert_int_equal(ipc_items_decode(IPC_MSG(0, 2), m, &edge, SLOTS, &items), STATUS_BAD_ARG);
	struct utcb_window past = {.cap_first = SLOTS, .cap_count = 5};
	assert_int_equal(ipc_items_decode(IPC_MSG(0, 1), m, &past, SLOTS, &items), STATUS_BAD_ARG);
	struct utcb_window wraps = {.cap_first = ~0ull, .cap_count = ~0ull};
	assert_int_equal(ipc_items_decode(IPC_MSG(0, 1), m, &wraps, SLOTS, &items), STATUS_BAD_ARG);
	/* Bits 32-63 of a capability item's word 0 are not its to use. */
	m[0] = IPC_CAP_ITEM(RIGHTS_ALL) | 1ull << 32;
	assert_int_equal(decode(IPC_MSG(0, 1), &items), STATUS_BAD_ARG);
}

static void test_unknown_types(void **state)
{
	(void)state;
	struct ipc_items items;
	static const uint64_t types[] = {0, 3, 4, 0x81, 0xff};
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		put(0, types[i] | (uint64_t)RIGHTS_ALL << 8, 1, 0);
		assert_int_equal(decode(IPC_MSG(0, 1), &items), STATUS_BAD_ARG);
	}
}

static void test_memory_lands_at_offset(void **state)
{
	(void)state;
	struct ipc_items items;
	m[0] = 7;
	put(1, IPC_MEM_ITEM(2, MEM_WRITE), 0x500000, 0);
	put(4, IPC_MEM_ITEM(3, MEM_EXECUTE), 0x600000, 5 * PAGE);
	put(7, IPC_MEM_ITEM(1, MEM_GRANT), 0x700000, 31 * PAGE);
	assert_int_equal(decode(IPC_MSG(1, 3), &items), STATUS_OK);
	assert_int_equal(items.item[0].type, IPC_ITEM_MEM);
	assert_int_equal(items.item[0].flags, MEM_WRITE);
	assert_int_equal(items.item[0].pages, 2);
	assert_int_equal(items.item[0].source, 0x500000);
	assert_int_equal(items.item[0].target, WINDOW_VA);
	assert_int_equal(items.item[1].flags, MEM_EXECUTE);
	assert_int_equal(items.item[1].target, WINDOW_VA + 5 * PAGE);
	assert_int_equal(items.item[2].flags, MEM_GRANT);
	assert_int_equal(items.item[2].target, WINDOW_VA + 31 * PAGE);
	/* The window of a thread waiting for an exception reply: the whole
	 * space, the offset is the address. */
	struct utcb_window space = {.mem_pages = 0x00007fffffffe000ull / PAGE};
	put(0, IPC_MEM_ITEM(1, 0), 0x500000, 0x7fff0000);
	assert_int_equal(ipc_items_decode(IPC_MSG(0, 1), m, &space, SLOTS, &items), STATUS_OK);
	assert_int_equal(items.item[0].target, 0x7fff0000);
}

static void test_memory_rules(void **state)
{
	(void)state;
	struct ipc_items items;
	/* Flags: W^X and no unknown bits. */
	put(0, IPC_MEM_ITEM(1, MEM_WRITE | MEM_EXECUTE), 0x500000, 0);
	assert_int_equal(decode(IPC_MSG(0, 1), &items), STATUS_BAD_ARG);
	put(0, IPC_MEM_ITEM(1, 1u << 2), 0x500000, 0);
	assert_int_equal(decode(IPC_MSG(0, 1), &items), STATUS_BAD_ARG);
	put(0, IPC_MEM_ITEM(1, 1u << 23), 0x500000, 0);
	assert_int_equal(decode(IPC_MSG(0, 1), &items), STATUS_BAD_ARG);
	/* Page counts: not 0, at most IPC_MAP_PAGES_MAX in all. */
	put(0, IPC_MEM_ITEM(0, 0), 0x500000, 0);
	assert_int_equal(decode(IPC_MSG(0, 1), &items), STATUS_BAD_ARG);
	put(0, IPC_MEM_ITEM(IPC_MAP_PAGES_MAX, 0), 0x500000, 0);
	assert_int_equal(decode(IPC_MSG(0, 1), &items), STATUS_OK);
	put(0, IPC_MEM_ITEM(IPC_MAP_PAGES_MAX + 1, 0), 0x500000, 0);
	assert_int_equal(decode(IPC_MSG(0, 1), &items), STATUS_BAD_ARG);
	put(0, IPC_MEM_ITEM(10, 0), 0x500000, 0);
	put(3, IPC_MEM_ITEM(7, 0), 0x600000, 10 * PAGE);
	assert_int_equal(decode(IPC_MSG(0, 2), &items), STATUS_BAD_ARG);
	put(3, IPC_MEM_ITEM(6, 0), 0x600000, 10 * PAGE);
	assert_int_equal(decode(IPC_MSG(0, 2), &items), STATUS_OK);
	/* Offsets: page aligned, inside the window, increasing. */
	put(3, IPC_MEM_ITEM(1, 0), 0x600000, 10 * PAGE + 8);
	assert_int_equal(decode(IPC_MSG(0, 2), &items), STATUS_BAD_ARG);
	put(3, IPC_MEM_ITEM(1, 0), 0x600000, 9 * PAGE);
	assert_int_equal(decode(IPC_MSG(0, 2), &items), STATUS_BAD_ARG);
	put(0, IPC_MEM_ITEM(1, 0), 0x500000, 5 * PAGE);
	put(3, IPC_MEM_ITEM(1, 0), 0x600000, 4 * PAGE);
	assert_int_equal(decode(IPC_MSG(0, 2), &items), STATUS_BAD_ARG);
	put(0, IPC_MEM_ITEM(2, 0), 0x500000, 31 * PAGE);
	assert_int_equal(decode(IPC_MSG(0, 1), &items), STATUS_BAD_ARG);
	put(0, IPC_MEM_ITEM(1, 0), 0x500000, 32 * PAGE);
	assert_int_equal(decode(IPC_MSG(0, 1), &items), STATUS_BAD_ARG);
	put(0, IPC_MEM_ITEM(1, 0), 0x500000, ~0ull & ~(PAGE - 1));
	assert_int_equal(decode(IPC_MSG(0, 1), &items), STATUS_BAD_ARG);
	/* No memory window: nothing fits. */
	struct utcb_window caps_only = {.cap_first = 1, .cap_count = 1};
	put(0, IPC_MEM_ITEM(1, 0), 0x500000, 0);
	assert_int_equal(ipc_items_decode(IPC_MSG(0, 1), m, &caps_only, SLOTS, &items),
			 STATUS_BAD_ARG);
}

/* A granted page must not be used by another item of the message. */
static void test_grant_overlap(void **state)
{
	(void)state;
	struct ipc_items items;
	put(0, IPC_MEM_ITEM(2, 0), 0x500000, 0);
	put(3, IPC_MEM_ITEM(2, 0), 0x501000, 2 * PAGE);
	assert_int_equal(decode(IPC_MSG(0, 2), &items), STATUS_OK); /* maps may share */
	put(3, IPC_MEM_ITEM(2, MEM_GRANT), 0x501000, 2 * PAGE);
	assert_int_equal(decode(IPC_MSG(0, 2), &items), STATUS_BAD_ARG);
	put(0, IPC_MEM_ITEM(2, MEM_GRANT), 0x500000, 0);
	put(3, IPC_MEM_ITEM(1, 0), 0x4ff000, 2 * PAGE);
	assert_int_equal(decode(IPC_MSG(0, 2), &items), STATUS_OK); /* adjacent */
	put(3, IPC_MEM_ITEM(1, 0), 0x501000, 2 * PAGE);
	assert_int_equal(decode(IPC_MSG(0, 2), &items), STATUS_BAD_ARG);
	/* A capability item in between changes nothing. */
	put(3, IPC_CAP_ITEM(RIGHTS_ALL), 0x501000, 0);
	put(6, IPC_MEM_ITEM(1, 0), 0x501000, 2 * PAGE);
	assert_int_equal(decode(IPC_MSG(0, 3), &items), STATUS_BAD_ARG);
}

static void test_mixed(void **state)
{
	(void)state;
	struct ipc_items items;
	put(0, IPC_MEM_ITEM(1, MEM_WRITE), 0x500000, PAGE);
	put(3, IPC_CAP_ITEM(RIGHT_SEND), 3, 0);
	put(6, IPC_MEM_ITEM(1, 0), 0x500000, 2 * PAGE);
	put(9, IPC_CAP_ITEM(RIGHT_RECEIVE), 4, 9);
	assert_int_equal(decode(IPC_MSG(0, 4), &items), STATUS_OK);
	assert_int_equal(items.item[0].target, WINDOW_VA + PAGE);
	assert_int_equal(items.item[1].target, 10);
	assert_int_equal(items.item[2].target, WINDOW_VA + 2 * PAGE);
	assert_int_equal(items.item[3].target, 11);
	assert_int_equal(items.item[3].badge, 9);
}

/* Random messages: decoding never reads past the registers, and what it
 * accepts lands inside the window, each page and slot once. */
static void test_fuzz(void **state)
{
	(void)state;
	struct rng r = {0x1a2b3c4d5e6f7788ull};
	unsigned accepted = 0;
	for (unsigned round = 0; round < 200000; round++) {
		struct utcb_window w = {.cap_first = rng_below(&r, SLOTS + 4),
					.cap_count = rng_below(&r, 8),
					.mem_va = WINDOW_VA,
					.mem_pages = rng_below(&r, 24)};
		unsigned items_count = (unsigned)rng_below(&r, 8);
		unsigned untyped = (unsigned)rng_below(&r, 4);
		for (unsigned i = 0; i < UTCB_MESSAGE_WORDS; i++)
			m[i] = 0;
		for (unsigned i = 0; i < items_count && untyped + i * 3 + 2 < UTCB_MESSAGE_WORDS;
		     i++) {
			uint64_t *it = &m[untyped + i * 3];
			bool cap = rng_below(&r, 2);
			uint64_t flags = rng_below(&r, 10) ? rng_below(&r, 16) : rng_next(&r);
			it[0] = cap ? IPC_CAP_ITEM(flags & 0xffffff)
				    : IPC_MEM_ITEM(rng_below(&r, 6), flags & 0xffffff);
			it[1] = cap ? rng_below(&r, SLOTS) : 0x500000 + rng_below(&r, 8) * PAGE;
			it[2] = cap ? rng_below(&r, 3) : rng_below(&r, 24) * PAGE;
			if (!rng_below(&r, 20))
				it[2] = rng_next(&r);
		}
		uint64_t words = IPC_MSG(untyped, items_count);
		if (!rng_below(&r, 50))
			words = rng_next(&r);
		struct ipc_items items;
		if (ipc_items_decode(words, m, &w, SLOTS, &items) != STATUS_OK)
			continue;
		accepted++;
		uint64_t pages = 0, caps = 0, used[24] = {0};
		for (unsigned i = 0; i < items.count; i++) {
			const struct ipc_item *it = &items.item[i];
			if (it->type == IPC_ITEM_CAP) {
				assert_int_equal(it->target, w.cap_first + caps);
				assert_true(++caps <= w.cap_count && it->target < SLOTS);
				continue;
			}
			assert_int_equal(it->type, IPC_ITEM_MEM);
			assert_true(it->pages > 0 && it->target >= w.mem_va);
			uint64_t first = (it->target - w.mem_va) / PAGE;
			assert_true(first + it->pages <= w.mem_pages);
			for (uint64_t p = first; p < first + it->pages; p++)
				assert_int_equal(used[p]++, 0);
			pages += it->pages;
			assert_true((it->flags & (MEM_WRITE | MEM_EXECUTE)) !=
				    (MEM_WRITE | MEM_EXECUTE));
		}
		assert_true(pages <= IPC_MAP_PAGES_MAX);
		for (unsigned i = 0; i < items.count; i++)
			for (unsigned j = 0; j < items.count; j++) {
				const struct ipc_item *a = &items.item[i], *b = &items.item[j];
				if (i == j || a->type != IPC_ITEM_MEM || b->type != IPC_ITEM_MEM ||
				    !(a->flags & MEM_GRANT))
					continue;
				assert_true(a->source + a->pages * PAGE <= b->source ||
					    b->source + b->pages * PAGE <= a->source);
			}
	}
	/* The generator must reach the accepting side often enough to mean
	 * something. */
	assert_true(accepted > 20000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_word_count_layout, message_new, message_free),
	    cmocka_unit_test_setup_teardown(test_caps_land_in_order, message_new, message_free),
	    cmocka_unit_test_setup_teardown(test_cap_window_limits, message_new, message_free),
	    cmocka_unit_test_setup_teardown(test_unknown_types, message_new, message_free),
	    cmocka_unit_test_setup_teardown(test_memory_lands_at_offset, message_new, message_free),
	    cmocka_unit_test_setup_teardown(test_memory_rules, message_new, message_free),
	    cmocka_unit_test_setup_teardown(test_grant_overlap, message_new, message_free),
	    cmocka_unit_test_setup_teardown(test_mixed, message_new, message_free),
	    cmocka_unit_test_setup_teardown(test_fuzz, message_new, message_free),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
