/*
 * The console server's protocol (servers/console/, doc/servers.md) and its
 * client side in the runtime (user/console.c). A task whose configuration
 * says `connect = "console"` has an endpoint to the console server; the
 * runtime's write() for stdout and stderr sends the bytes there, and the
 * server prints them on COM1 line by line, each line tagged with the
 * task's name: `[client] text`.
 *
 * Requests are calls; the reply is one word, an enum status.
 *   CONSOLE_WRITE  word 1: n, 1..CONSOLE_BYTES_MAX; words 2..: n bytes of
 *                  text, packed 8 per word in memory order. The server
 *                  prints every line they complete before it replies.
 *   CONSOLE_FLUSH  no more words: print the unfinished line, if any, as if
 *                  it ended here (the runtime sends it when the task ends).
 * Status BAD_ARG: unknown request, n out of range or words missing;
 * BAD_CAP: the badge is no client's.
 */
#ifndef VIREO_CONSOLE_H
#define VIREO_CONSOLE_H

#include <stddef.h>
#include <vireo/sys.h>

/* The connection's name in a task's configuration (`connect`). */
#define CONSOLE_CONNECTION "console"

enum console_request {
	CONSOLE_WRITE = 1,
	CONSOLE_FLUSH = 2,
};

enum console_word {
	CONSOLE_WORD_REQUEST, /* enum console_request */
	CONSOLE_WORD_LENGTH,  /* CONSOLE_WRITE: bytes that follow */
	CONSOLE_WORD_TEXT,    /* CONSOLE_WRITE: the first word of text */
};

#define CONSOLE_BYTES_MAX ((UTCB_MESSAGE_WORDS - CONSOLE_WORD_TEXT) * 8)

/*
 * Send len bytes of buf to the console server at `console` (a SEND
 * endpoint), in calls of up to CONSOLE_BYTES_MAX bytes through the
 * message registers of `utcb` (the calling thread's). Returns OK, or the
 * first call's or reply's failure (e.g. BAD_CAP when the server is gone);
 * *taken (not NULL) is then the number of bytes the server took.
 */
enum status console_write(cap_selector console, struct utcb *utcb, const char *buf, size_t len,
			  size_t *taken);

/* Ask the console server to print this task's unfinished line. Returns
 * the call's or the reply's status. */
enum status console_flush(cap_selector console, struct utcb *utcb);

#endif
