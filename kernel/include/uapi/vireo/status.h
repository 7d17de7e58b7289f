/*
 * The one status code every Vireo system call returns, shared by the kernel
 * and user level. Zero is success; every failure has its own value so a
 * caller can tell a bad selector from a bad address without guessing.
 * doc/syscalls.md lists which call returns which code.
 */
#ifndef VIREO_UAPI_STATUS_H
#define VIREO_UAPI_STATUS_H

enum status {
	STATUS_OK = 0,
	STATUS_BAD_SYSCALL,  /* no system call with this number */
	STATUS_BAD_CAP,      /* selector names no object */
	STATUS_BAD_TYPE,     /* object is of the wrong type */
	STATUS_NO_RIGHTS,    /* capability lacks a needed right */
	STATUS_BAD_ARG,      /* an argument is out of range */
	STATUS_BAD_ADDRESS,  /* a user pointer is unmapped, kernel or misaligned */
	STATUS_NO_MEM,       /* out of (quota) memory */
	STATUS_TIMEOUT,      /* an IPC timeout expired */
	STATUS_BUSY,         /* object in use */
	STATUS_NOT_FOUND,    /* looked-up thing does not exist */
	STATUS_COUNT
};

/* A short name for each status, for messages: "BAD_ADDRESS". */
static inline const char *status_name(enum status s)
{
	static const char *const names[STATUS_COUNT] = {
		[STATUS_OK] = "OK",
		[STATUS_BAD_SYSCALL] = "BAD_SYSCALL",
		[STATUS_BAD_CAP] = "BAD_CAP",
		[STATUS_BAD_TYPE] = "BAD_TYPE",
		[STATUS_NO_RIGHTS] = "NO_RIGHTS",
		[STATUS_BAD_ARG] = "BAD_ARG",
		[STATUS_BAD_ADDRESS] = "BAD_ADDRESS",
		[STATUS_NO_MEM] = "NO_MEM",
		[STATUS_TIMEOUT] = "TIMEOUT",
		[STATUS_BUSY] = "BUSY",
		[STATUS_NOT_FOUND] = "NOT_FOUND",
	};
	return (unsigned)s < STATUS_COUNT ? names[s] : "?";
}

#endif
