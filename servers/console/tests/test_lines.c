/*
 * Host tests of the console server's line assembly
 * (servers/console/lines.c): whole lines, lines written in many pieces,
 * two clients interleaving without mixing, long lines split into
 * continuation pieces with nothing lost (every length around the limit),
 * flushing an unfinished line, CR and control bytes.
 */
#include "host_test.h"

#include <stdbool.h>

#include "lines.h"

#define MAX_OUT 64

/* What the emit function saw, as "[name] text" / "[name]+ text". */
struct output {
	unsigned count;
	char lines[MAX_OUT][CONSOLE_LINE_MAX + 64];
};

static void record(void *context, const char *name, const char *text, size_t length,
		   bool continuation)
{
	struct output *out = context;

	assert_true(length <= CONSOLE_LINE_MAX);
	assert_true(out->count < MAX_OUT);
	snprintf(out->lines[out->count++], sizeof(out->lines[0]), "[%s]%s %.*s", name,
		 continuation ? "+" : "", (int)length, text);
}

static void add(struct console_line *line, struct output *out, const char *name, const char *text)
{
	console_line_add(line, name, text, strlen(text), record, out);
}

static void test_whole_lines(void **state)
{
	(void)state;
	struct console_line line = {0};
	struct output out = {0};

	add(&line, &out, "client", "one\ntwo\n\n");
	assert_int_equal(out.count, 3);
	assert_string_equal(out.lines[0], "[client] one");
	assert_string_equal(out.lines[1], "[client] two");
	assert_string_equal(out.lines[2], "[client] ");
}

static void test_pieces_make_one_line(void **state)
{
	(void)state;
	struct console_line line = {0};
	struct output out = {0};

	add(&line, &out, "client", "asking ");
	add(&line, &out, "client", "the timer");
	assert_int_equal(out.count, 0);
	add(&line, &out, "client", " for 10 ticks\nnext");
	assert_int_equal(out.count, 1);
	assert_string_equal(out.lines[0], "[client] asking the timer for 10 ticks");
	assert_int_equal(line.length, 4);
}

/* Two clients' halves arrive interleaved: each line comes out whole. */
static void test_clients_do_not_mix(void **state)
{
	(void)state;
	struct console_line a = {0}, b = {0};
	struct output out = {0};

	add(&a, &out, "timer", "HPET comparator ");
	add(&b, &out, "client", "asking the ");
	add(&a, &out, "timer", "2 ready\n");
	add(&b, &out, "client", "timer\n");
	assert_int_equal(out.count, 2);
	assert_string_equal(out.lines[0], "[timer] HPET comparator 2 ready");
	assert_string_equal(out.lines[1], "[client] asking the timer");
}

/* Every length around the limit: the pieces, joined, are the line, each
 * piece is full but the last, and only pieces after the first are
 * continuations. */
static void test_long_lines_split_never_cut(void **state)
{
	(void)state;
	for (size_t length = 1; length <= 3 * CONSOLE_LINE_MAX + 1; length++) {
		struct console_line line = {0};
		struct output out = {0};
		char text[3 * CONSOLE_LINE_MAX + 3], joined[3 * CONSOLE_LINE_MAX + 3] = "";

		for (size_t i = 0; i < length; i++)
			text[i] = (char)('a' + i % 26);
		text[length] = '\n';
		text[length + 1] = '\0';
		add(&line, &out, "t", text);
		assert_int_equal(out.count, (length + CONSOLE_LINE_MAX - 1) / CONSOLE_LINE_MAX);
		for (unsigned i = 0; i < out.count; i++) {
			const char *prefix = i ? "[t]+ " : "[t] ";
			assert_memory_equal(out.lines[i], prefix, strlen(prefix));
			const char *piece = out.lines[i] + strlen(prefix);
			if (i + 1 < out.count)
				assert_int_equal(strlen(piece), CONSOLE_LINE_MAX);
			strcat(joined, piece);
		}
		text[length] = '\0';
		assert_string_equal(joined, text);
		assert_int_equal(line.length, 0);
		assert_false(line.continued);
	}
}

static void test_flush(void **state)
{
	(void)state;
	struct console_line line = {0};
	struct output out = {0};

	console_line_flush(&line, "client", record, &out);
	assert_int_equal(out.count, 0); /* nothing unfinished: nothing printed */
	add(&line, &out, "client", "no newline at the end");
	console_line_flush(&line, "client", record, &out);
	assert_int_equal(out.count, 1);
	assert_string_equal(out.lines[0], "[client] no newline at the end");
	add(&line, &out, "client", "after\n");
	assert_string_equal(out.lines[1], "[client] after");
}

static void test_control_bytes(void **state)
{
	(void)state;
	struct console_line line = {0};
	struct output out = {0};
	/* Split literals: a hex escape takes every hex digit after it. */
	const char text[] = "a\r\n\tb\x1b[2Jc\x7f\x00"
			    "d\r\n";

	console_line_add(&line, "x", text, sizeof(text) - 1, record, &out);
	assert_int_equal(out.count, 2);
	assert_string_equal(out.lines[0], "[x] a");
	assert_string_equal(out.lines[1], "[x] \tb?[2Jc??d");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_whole_lines),
	    cmocka_unit_test(test_pieces_make_one_line),
	    cmocka_unit_test(test_clients_do_not_mix),
	    cmocka_unit_test(test_long_lines_split_never_cut),
	    cmocka_unit_test(test_flush),
	    cmocka_unit_test(test_control_bytes),
	};
	return cmocka_run_group_tests_name("lines", tests, NULL, NULL);
}
