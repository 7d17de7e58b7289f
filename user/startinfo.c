/*
 * A started task's view of its start-up block (<vireo/startinfo.h>): its
 * connections, clients, interrupts and device registers by name, and the
 * end of the program, which tells the console and the root task. In the
 * root task (no start-up block) every lookup finds nothing and the end is
 * just the end of the thread.
 */
#include <string.h>
#include <vireo/console.h>
#include <vireo/runtime.h>
#include <vireo/sys.h>

cap_selector runtime_connection(const char *name)
{
	const struct startinfo *si = runtime_startinfo;

	for (uint32_t i = 0; si && i < si->connection_count; i++)
		if (strncmp(si->connections[i].name, name, STARTINFO_NAME_MAX) == 0)
			return si->connections[i].endpoint;
	return NO_SELECTOR;
}

const char *runtime_client_name(uint64_t badge)
{
	const struct startinfo *si = runtime_startinfo;

	for (uint32_t i = 0; si && i < si->client_count; i++)
		if (si->clients[i].badge == badge)
			return si->clients[i].name;
	return NULL;
}

const struct startinfo_interrupt *runtime_interrupt(const char *name)
{
	const struct startinfo *si = runtime_startinfo;

	for (uint32_t i = 0; si && i < si->interrupt_count; i++)
		if (strncmp(si->interrupts[i].name, name, STARTINFO_NAME_MAX) == 0)
			return &si->interrupts[i];
	return NULL;
}

volatile void *runtime_mmio(uint64_t physical, uint64_t size)
{
	const struct startinfo *si = runtime_startinfo;

	for (uint32_t i = 0; si && i < si->mmio_count; i++) {
		const struct startinfo_mmio *m = &si->mmio[i];
		/* Written so that nothing wraps: physical - base <= m->size. */
		if (physical >= m->physical && physical - m->physical <= m->size &&
		    size <= m->size - (physical - m->physical))
			return (volatile void *)(uintptr_t)(m->address + (physical - m->physical));
	}
	return NULL;
}

void runtime_exit(int code)
{
	const struct startinfo *si = runtime_startinfo;

	if (si) {
		cap_selector console = runtime_connection(CONSOLE_CONNECTION);
		if (console != NO_SELECTOR)
			console_flush(console, runtime_utcb);
		/* The root task destroys the task when it has the report, so
		 * this call normally does not come back. */
		runtime_utcb->message[STARTINFO_EXIT_REQUEST] = STARTINFO_EXIT;
		runtime_utcb->message[STARTINFO_EXIT_CODE] = (uint64_t)(int64_t)code;
		sys_ipc_call(si->parent, STARTINFO_EXIT_WORDS, TIMEOUT_NEVER, NULL);
	}
	sys_thread_exit(code);
}
