/*
 * Helpers for the programs the root task starts, most of them servers:
 * the receive-serve-reply loop and numeric options (<vireo/runtime.h>).
 */
#include <stdlib.h>
#include <string.h>
#include <vireo/runtime.h>
#include <vireo/sys.h>

enum status runtime_serve(cap_selector endpoint, runtime_serve_fn *serve)
{
	uint64_t reply_words = 0, badge = 0, words = 0;

	for (;;) {
		enum status s =
		    sys_ipc_reply_wait(endpoint, reply_words, TIMEOUT_NEVER, &badge, &words);
		if (s != STATUS_OK)
			return s;
		reply_words = serve(badge, words);
	}
}

bool runtime_number_option(int argc, char **argv, const char *name, unsigned long max,
			   unsigned long *value)
{
	for (int i = 1; i + 1 < argc; i++) {
		if (strcmp(argv[i], name) != 0)
			continue;
		char *end;
		const char *word = argv[i + 1];
		unsigned long n = strtoul(word, &end, 10);
		if (*word < '0' || *word > '9' || *end != '\0' || n == 0 || n > max)
			return false;
		*value = n;
		return true;
	}
	return false;
}
