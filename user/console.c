/*
 * The console server's client side (protocol in <vireo/console.h>): what
 * the runtime's write() uses for stdout and stderr in a task that has a
 * connection to the console server.
 */
#include <string.h>
#include <vireo/console.h>

/* One call; the reply's word 0 is the server's status. */
static enum status call(cap_selector console, struct utcb *utcb, uint64_t words)
{
	uint64_t reply_words = 0;
	enum status s = sys_ipc_call(console, words, TIMEOUT_NEVER, &reply_words);

	if (s != STATUS_OK)
		return s;
	if (reply_words < 1)
		return STATUS_BAD_ARG;
	return (enum status)utcb->message[0];
}

enum status console_write(cap_selector console, struct utcb *utcb, const char *buf, size_t len,
			  size_t *taken)
{
	size_t done = 0;
	enum status s = STATUS_OK;

	while (done < len && s == STATUS_OK) {
		size_t n = len - done < CONSOLE_BYTES_MAX ? len - done : CONSOLE_BYTES_MAX;
		utcb->message[CONSOLE_WORD_REQUEST] = CONSOLE_WRITE;
		utcb->message[CONSOLE_WORD_LENGTH] = n;
		memcpy(&utcb->message[CONSOLE_WORD_TEXT], buf + done, n);
		s = call(console, utcb, CONSOLE_WORD_TEXT + (n + 7) / 8);
		if (s == STATUS_OK)
			done += n;
	}
	if (taken)
		*taken = done;
	return s;
}

enum status console_flush(cap_selector console, struct utcb *utcb)
{
	utcb->message[CONSOLE_WORD_REQUEST] = CONSOLE_FLUSH;
	return call(console, utcb, 1);
}
