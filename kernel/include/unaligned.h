/*
 * Reading little-endian integers at any alignment from untrusted buffers
 * (boot information, firmware tables). memcpy keeps the compiler from
 * assuming alignment; x86 is little-endian, so no byte swapping.
 */
#ifndef VIREO_UNALIGNED_H
#define VIREO_UNALIGNED_H

#include <stdint.h>

#include "kstring.h"

#define DEFINE_READ(bits)                                                     \
	static inline uint##bits##_t read_u##bits(const uint8_t *p)           \
	{                                                                     \
		uint##bits##_t v;                                             \
		memcpy(&v, p, sizeof(v));                                     \
		return v;                                                     \
	}
DEFINE_READ(16)
DEFINE_READ(32)
DEFINE_READ(64)
#undef DEFINE_READ

#endif
