/*
 * The console server's line assembly, kept apart from the UART and IPC so
 * that the host tests (servers/console/tests/test_lines.c) can drive it.
 * Each client has one unfinished line. Bytes are added as they arrive;
 * every line they complete is handed to an emit function whole, so two
 * clients' text never mixes inside a line. A line longer than
 * CONSOLE_LINE_MAX bytes is handed over in pieces of that size, each piece
 * after the first marked as a continuation; nothing is dropped.
 *
 * What the bytes become: '\n' ends the line; '\r' is dropped (so CR LF
 * ends a line once); any other control byte (below 0x20 except tab, and
 * 0x7f) becomes '?', so a task cannot move the cursor or change the
 * terminal under another task's output.
 */
#ifndef CONSOLE_LINES_H
#define CONSOLE_LINES_H

#include <stdbool.h>
#include <stddef.h>

/* Bytes of text per printed line (the tag comes on top). */
#define CONSOLE_LINE_MAX 120

struct console_line {
	size_t length;	/* bytes in text */
	bool continued; /* the text continues a piece handed over already */
	char text[CONSOLE_LINE_MAX];
};

/*
 * Called once per line or piece: `name` is the client's, text[0..length)
 * is the text (not NUL-terminated, may be empty), `continuation` says it
 * continues the piece before.
 */
typedef void console_emit_fn(void *context, const char *name, const char *text, size_t length,
			     bool continuation);

/* Add n bytes of a client's output to its line; emits what they finish. */
void console_line_add(struct console_line *line, const char *name, const char *bytes, size_t n,
		      console_emit_fn *emit, void *context);

/* Emit the unfinished line, if there is text in it, and start a new one. */
void console_line_flush(struct console_line *line, const char *name, console_emit_fn *emit,
			void *context);

#endif
