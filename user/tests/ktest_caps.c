/*
 * ktest: capabilities. endpoint_create, cap_copy and cap_delete with good
 * and bad selectors (out of range, ~0, empty slots, occupied slots), the
 * wrong object type, rights that only ever narrow on a copy, and badges
 * that can be set once, on endpoints only.
 */
#include "ktest.h"

static void test_endpoint_create(void)
{
	cap_selector e = ktest_slot();
	ktest_status("endpoint-create", sys_endpoint_create(e), STATUS_OK);
	ktest_status("endpoint-create-busy", sys_endpoint_create(e), STATUS_BUSY);
	ktest_status("endpoint-create-self-slot", sys_endpoint_create(CAP_SELF_TASK),
		     STATUS_BUSY);
	ktest_status("endpoint-create-out-of-range", sys_endpoint_create(BAD_SELECTOR),
		     STATUS_BAD_CAP);
	ktest_status("endpoint-create-all-ones", sys_endpoint_create(NO_SELECTOR),
		     STATUS_BAD_CAP);
	/* The endpoint works: nobody waits, so a poll times out. */
	ktest_status("endpoint-usable", sys_ipc_send(e, 0, 0), STATUS_TIMEOUT);
}

static void test_cap_copy(void)
{
	cap_selector e = ktest_endpoint("cap-copy"), empty = ktest_slot();
	cap_selector copy = ktest_slot();
	ktest_status("cap-copy", sys_cap_copy(e, CAP_SELF_TASK, copy, RIGHTS_ALL, 0), STATUS_OK);
	ktest_status("cap-copy-usable", sys_ipc_receive(copy, 0, NULL, NULL), STATUS_TIMEOUT);
	ktest_status("cap-copy-dst-busy", sys_cap_copy(e, CAP_SELF_TASK, copy, RIGHTS_ALL, 0),
		     STATUS_BUSY);
	ktest_status("cap-copy-onto-itself", sys_cap_copy(e, CAP_SELF_TASK, e, RIGHTS_ALL, 0),
		     STATUS_BUSY);
	ktest_status("cap-copy-src-empty",
		     sys_cap_copy(empty, CAP_SELF_TASK, ktest_slot(), RIGHTS_ALL, 0),
		     STATUS_BAD_CAP);
	ktest_status("cap-copy-src-out-of-range",
		     sys_cap_copy(BAD_SELECTOR, CAP_SELF_TASK, ktest_slot(), RIGHTS_ALL, 0),
		     STATUS_BAD_CAP);
	ktest_status("cap-copy-src-all-ones",
		     sys_cap_copy(NO_SELECTOR, CAP_SELF_TASK, ktest_slot(), RIGHTS_ALL, 0),
		     STATUS_BAD_CAP);
	ktest_status("cap-copy-dst-out-of-range",
		     sys_cap_copy(e, CAP_SELF_TASK, BAD_SELECTOR, RIGHTS_ALL, 0), STATUS_BAD_CAP);
	ktest_status("cap-copy-dst-all-ones",
		     sys_cap_copy(e, CAP_SELF_TASK, NO_SELECTOR, RIGHTS_ALL, 0), STATUS_BAD_CAP);
	ktest_status("cap-copy-task-empty", sys_cap_copy(e, empty, ktest_slot(), RIGHTS_ALL, 0),
		     STATUS_BAD_CAP);
	ktest_status("cap-copy-task-all-ones",
		     sys_cap_copy(e, NO_SELECTOR, ktest_slot(), RIGHTS_ALL, 0), STATUS_BAD_CAP);
	ktest_status("cap-copy-task-is-endpoint", sys_cap_copy(e, e, ktest_slot(), RIGHTS_ALL, 0),
		     STATUS_BAD_TYPE);
	ktest_status("cap-copy-task-is-thread",
		     sys_cap_copy(e, CAP_SELF_THREAD, ktest_slot(), RIGHTS_ALL, 0),
		     STATUS_BAD_TYPE);

	/* A task capability without CONTROL cannot receive copies. */
	cap_selector weak_task = ktest_slot();
	ktest_status("cap-copy-task-narrowed",
		     sys_cap_copy(CAP_SELF_TASK, CAP_SELF_TASK, weak_task, RIGHT_SEND, 0),
		     STATUS_OK);
	ktest_status("cap-copy-task-no-control",
		     sys_cap_copy(e, weak_task, ktest_slot(), RIGHTS_ALL, 0), STATUS_NO_RIGHTS);

	/* Badges: endpoints only, and only once. */
	ktest_status("cap-copy-badge-on-task",
		     sys_cap_copy(CAP_SELF_TASK, CAP_SELF_TASK, ktest_slot(), RIGHTS_ALL, 5),
		     STATUS_BAD_ARG);
	ktest_status("cap-copy-badge-on-thread",
		     sys_cap_copy(CAP_SELF_THREAD, CAP_SELF_TASK, ktest_slot(), RIGHTS_ALL, 5),
		     STATUS_BAD_ARG);
	cap_selector badged = ktest_slot();
	ktest_status("cap-copy-badge", sys_cap_copy(e, CAP_SELF_TASK, badged, RIGHT_SEND, 7),
		     STATUS_OK);
	ktest_status("cap-copy-rebadge", sys_cap_copy(badged, CAP_SELF_TASK, ktest_slot(),
						     RIGHT_SEND, 8),
		     STATUS_BAD_ARG);
	ktest_status("cap-copy-badged-keeps", sys_cap_copy(badged, CAP_SELF_TASK, ktest_slot(),
							  RIGHT_SEND, 0),
		     STATUS_OK);
}

static void test_rights(void)
{
	cap_selector e = ktest_endpoint("rights");
	cap_selector send_only = ktest_slot(), widened = ktest_slot();
	cap_selector receive_only = ktest_slot(), none = ktest_slot();
	sys_cap_copy(e, CAP_SELF_TASK, send_only, RIGHT_SEND, 0);
	sys_cap_copy(send_only, CAP_SELF_TASK, widened, RIGHTS_ALL, 0);
	sys_cap_copy(e, CAP_SELF_TASK, receive_only, RIGHT_RECEIVE, 0);
	ktest_status("rights-none-copy", sys_cap_copy(e, CAP_SELF_TASK, none, 0, 0), STATUS_OK);

	ktest_status("rights-send-only-sends", sys_ipc_send(send_only, 0, 0), STATUS_TIMEOUT);
	ktest_status("rights-send-only-calls", sys_ipc_call(send_only, 0, 0, NULL),
		     STATUS_TIMEOUT);
	ktest_status("rights-send-only-no-receive", sys_ipc_receive(send_only, 0, NULL, NULL),
		     STATUS_NO_RIGHTS);
	ktest_status("rights-send-only-no-reply-wait",
		     sys_ipc_reply_wait(send_only, 0, 0, NULL, NULL), STATUS_NO_RIGHTS);
	ktest_status("rights-never-widen", sys_ipc_receive(widened, 0, NULL, NULL),
		     STATUS_NO_RIGHTS);
	ktest_status("rights-receive-only-receives", sys_ipc_receive(receive_only, 0, NULL, NULL),
		     STATUS_TIMEOUT);
	ktest_status("rights-receive-only-no-send", sys_ipc_send(receive_only, 0, 0),
		     STATUS_NO_RIGHTS);
	ktest_status("rights-receive-only-no-call", sys_ipc_call(receive_only, 0, 0, NULL),
		     STATUS_NO_RIGHTS);
	ktest_status("rights-none-no-send", sys_ipc_send(none, 0, 0), STATUS_NO_RIGHTS);
	ktest_status("rights-none-no-receive", sys_ipc_receive(none, 0, NULL, NULL),
		     STATUS_NO_RIGHTS);
}

static void test_cap_delete(void)
{
	cap_selector e = ktest_endpoint("cap-delete"), copy = ktest_slot();
	sys_cap_copy(e, CAP_SELF_TASK, copy, RIGHTS_ALL, 0);
	ktest_status("cap-delete-out-of-range", sys_cap_delete(BAD_SELECTOR), STATUS_BAD_CAP);
	ktest_status("cap-delete-all-ones", sys_cap_delete(NO_SELECTOR), STATUS_BAD_CAP);
	ktest_status("cap-delete-empty", sys_cap_delete(ktest_slot()), STATUS_BAD_CAP);
	ktest_status("cap-delete", sys_cap_delete(copy), STATUS_OK);
	ktest_status("cap-delete-twice", sys_cap_delete(copy), STATUS_BAD_CAP);
	ktest_status("cap-delete-then-use", sys_ipc_send(copy, 0, 0), STATUS_BAD_CAP);
	ktest_status("cap-delete-copy-keeps-object", sys_ipc_send(e, 0, 0), STATUS_TIMEOUT);
	ktest_status("cap-delete-last", sys_cap_delete(e), STATUS_OK);
	ktest_status("cap-delete-slot-reusable", sys_endpoint_create(e), STATUS_OK);
	ktest_status("cap-delete-new-object-works", sys_ipc_receive(e, 0, NULL, NULL),
		     STATUS_TIMEOUT);
}

static void test_wrong_types(void)
{
	cap_selector e = ktest_endpoint("wrong-type");
	ktest_status("wrong-type-send-to-task", sys_ipc_send(CAP_SELF_TASK, 0, 0),
		     STATUS_BAD_TYPE);
	ktest_status("wrong-type-receive-on-thread", sys_ipc_receive(CAP_SELF_THREAD, 0, NULL, NULL),
		     STATUS_BAD_TYPE);
	ktest_status("wrong-type-call-task", sys_ipc_call(CAP_SELF_TASK, 0, 0, NULL),
		     STATUS_BAD_TYPE);
	ktest_status("wrong-type-reply-wait-thread",
		     sys_ipc_reply_wait(CAP_SELF_THREAD, 0, 0, NULL, NULL), STATUS_BAD_TYPE);
	ktest_status("wrong-type-start-endpoint", sys_thread_start(e, 0x400000, 0x400000, 0),
		     STATUS_BAD_TYPE);
	ktest_status("wrong-type-start-task", sys_thread_start(CAP_SELF_TASK, 0x400000, 0x400000, 0),
		     STATUS_BAD_TYPE);
	ktest_status("wrong-type-thread-in-endpoint",
		     sys_thread_create(ktest_slot(), e, runtime_bootinfo->utcb + 0x100000, 1),
		     STATUS_BAD_TYPE);
}

void test_caps(void)
{
	test_endpoint_create();
	test_cap_copy();
	test_rights();
	test_cap_delete();
	test_wrong_types();
}
