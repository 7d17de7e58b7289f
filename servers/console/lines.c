/*
 * Line assembly for the console server (see lines.h). Pure logic: no
 * system calls, so it builds for the host tests too.
 */
#include "lines.h"

static void emit_line(struct console_line *line, const char *name, console_emit_fn *emit,
		      void *context)
{
	emit(context, name, line->text, line->length, line->continued);
	line->length = 0;
}

/* What a byte of client output is printed as; -1: nothing. */
static int printable(unsigned char c)
{
	if (c == '\r')
		return -1;
	if ((c < 0x20 && c != '\t') || c == 0x7f)
		return '?';
	return c;
}

void console_line_add(struct console_line *line, const char *name, const char *bytes, size_t n,
		      console_emit_fn *emit, void *context)
{
	for (size_t i = 0; i < n; i++) {
		if (bytes[i] == '\n') {
			emit_line(line, name, emit, context);
			line->continued = false;
			continue;
		}
		int c = printable((unsigned char)bytes[i]);
		if (c < 0)
			continue;
		/* A full line goes out only when more text follows, so a line
		 * of exactly CONSOLE_LINE_MAX bytes is not followed by an
		 * empty continuation. */
		if (line->length == CONSOLE_LINE_MAX) {
			emit_line(line, name, emit, context);
			line->continued = true;
		}
		line->text[line->length++] = (char)c;
	}
}

void console_line_flush(struct console_line *line, const char *name, console_emit_fn *emit,
			void *context)
{
	if (line->length > 0)
		emit_line(line, name, emit, context);
	line->continued = false;
}
