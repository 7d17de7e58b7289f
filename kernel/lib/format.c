/*
 * A small snprintf for the kernel (see format.h for what it supports).
 *
 * Everything goes through format_to(), which emits one character at a
 * time through a callback; vformat() is format_to() with a callback that
 * fills a bounded buffer. Numbers are converted into a local buffer of 24
 * characters, enough for 2^64 - 1 in decimal (20 digits) plus a sign.
 * Widths are capped at FORMAT_MAX_WIDTH so a hostile "%999999999d" in a
 * message cannot spin for long.
 */
#include <format.h>
#include <stdbool.h>
#include <stdint.h>

#define FORMAT_MAX_WIDTH 256

struct sink {
	void (*put)(char c, void *ctx);
	void *ctx;
	size_t count;
};

static void emit(struct sink *s, char c)
{
	s->put(c, s->ctx);
	s->count++;
}

static void emit_padding(struct sink *s, char c, size_t n)
{
	while (n--)
		emit(s, c);
}

/* Digits of v in base 10 or 16, least significant first, into buf; returns count. */
static size_t convert(uint64_t v, unsigned base, bool upper, char *buf)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	size_t n = 0;

	do {
		buf[n++] = digits[v % base];
		v /= base;
	} while (v);
	return n;
}

struct spec {
	bool left;
	bool zero;
	size_t width;
};

static void emit_number(struct sink *s, const struct spec *sp, uint64_t v,
			bool negative, unsigned base, bool upper,
			const char *prefix)
{
	char digits[24];
	size_t n = convert(v, base, upper, digits);
	size_t plen = 0;
	size_t len;

	while (prefix && prefix[plen])
		plen++;
	len = n + plen + (negative ? 1 : 0);

	if (!sp->left && !sp->zero && sp->width > len)
		emit_padding(s, ' ', sp->width - len);
	if (negative)
		emit(s, '-');
	for (size_t i = 0; i < plen; i++)
		emit(s, prefix[i]);
	if (!sp->left && sp->zero && sp->width > len)
		emit_padding(s, '0', sp->width - len);
	while (n)
		emit(s, digits[--n]);
	if (sp->left && sp->width > len)
		emit_padding(s, ' ', sp->width - len);
}

static void emit_string(struct sink *s, const struct spec *sp, const char *str,
			size_t precision)
{
	size_t len = 0;

	if (!str)
		str = "(null)";
	while (len < precision && str[len])
		len++;
	if (!sp->left && sp->width > len)
		emit_padding(s, ' ', sp->width - len);
	for (size_t i = 0; i < len; i++)
		emit(s, str[i]);
	if (sp->left && sp->width > len)
		emit_padding(s, ' ', sp->width - len);
}

/* Parse a decimal number at *p (capped at FORMAT_MAX_WIDTH). */
static size_t parse_count(const char **p)
{
	size_t n = 0;

	while (**p >= '0' && **p <= '9') {
		n = n * 10 + (size_t)(**p - '0');
		if (n > FORMAT_MAX_WIDTH)
			n = FORMAT_MAX_WIDTH;
		(*p)++;
	}
	return n;
}

enum length { LEN_INT, LEN_LONG, LEN_LONG_LONG, LEN_SIZE };

size_t format_to(void (*put)(char c, void *ctx), void *ctx, const char *fmt,
		 va_list args)
{
	struct sink s = { put, ctx, 0 };
	va_list ap;

	/* A copy so that va_arg works on it whether va_list is an array or not. */
	va_copy(ap, args);
	while (*fmt) {
		const char *start = fmt;
		struct spec sp = { false, false, 0 };
		size_t precision = SIZE_MAX;
		enum length length = LEN_INT;
		uint64_t u;
		int64_t i;

		if (*fmt != '%') {
			emit(&s, *fmt++);
			continue;
		}
		fmt++;
		for (;; fmt++) {
			if (*fmt == '-')
				sp.left = true;
			else if (*fmt == '0')
				sp.zero = true;
			else
				break;
		}
		if (*fmt == '*') {
			int w = va_arg(ap, int);

			fmt++;
			if (w < 0) {
				sp.left = true;
				w = w == INT32_MIN ? FORMAT_MAX_WIDTH : -w;
			}
			sp.width = (size_t)w < FORMAT_MAX_WIDTH ? (size_t)w :
								  FORMAT_MAX_WIDTH;
		} else {
			sp.width = parse_count(&fmt);
		}
		if (*fmt == '.') {
			fmt++;
			if (*fmt == '*') {
				int p = va_arg(ap, int);

				fmt++;
				/* A negative precision means none (C11 §7.21.6.1p5). */
				if (p >= 0)
					precision = (size_t)p;
			} else {
				precision = 0;
				while (*fmt >= '0' && *fmt <= '9') {
					size_t d = (size_t)(*fmt++ - '0');

					if (precision <= (SIZE_MAX - d) / 10)
						precision = precision * 10 + d;
				}
			}
		}
		if (*fmt == 'l') {
			fmt++;
			length = LEN_LONG;
			if (*fmt == 'l') {
				fmt++;
				length = LEN_LONG_LONG;
			}
		} else if (*fmt == 'z') {
			fmt++;
			length = LEN_SIZE;
		}

		switch (*fmt) {
		case 'd':
		case 'i':
			if (length == LEN_INT)
				i = va_arg(ap, int);
			else if (length == LEN_LONG)
				i = va_arg(ap, long);
			else if (length == LEN_LONG_LONG)
				i = va_arg(ap, long long);
			else
				i = (int64_t)va_arg(ap, size_t);
			/* Negate in unsigned arithmetic: -INT64_MIN overflows. */
			u = i < 0 ? 0 - (uint64_t)i : (uint64_t)i;
			emit_number(&s, &sp, u, i < 0, 10, false, NULL);
			break;
		case 'u':
		case 'x':
		case 'X':
			if (length == LEN_INT)
				u = va_arg(ap, unsigned int);
			else if (length == LEN_LONG)
				u = va_arg(ap, unsigned long);
			else if (length == LEN_LONG_LONG)
				u = va_arg(ap, unsigned long long);
			else
				u = va_arg(ap, size_t);
			emit_number(&s, &sp, u, false, *fmt == 'u' ? 10 : 16,
				    *fmt == 'X', NULL);
			break;
		case 'p':
			u = (uintptr_t)va_arg(ap, void *);
			emit_number(&s, &sp, u, false, 16, false, "0x");
			break;
		case 'c':
			emit_padding(&s, ' ', !sp.left && sp.width > 1 ? sp.width - 1 : 0);
			emit(&s, (char)va_arg(ap, int));
			emit_padding(&s, ' ', sp.left && sp.width > 1 ? sp.width - 1 : 0);
			break;
		case 's':
			emit_string(&s, &sp, va_arg(ap, const char *), precision);
			break;
		case '%':
			emit(&s, '%');
			break;
		default:
			/* Unknown or truncated conversion: print it verbatim. */
			while (start < fmt)
				emit(&s, *start++);
			if (*fmt)
				emit(&s, *fmt);
			else
				continue;
			break;
		}
		fmt++;
	}
	va_end(ap);
	return s.count;
}

struct buffer {
	char *buf;
	size_t size;
	size_t used;
};

static void put_buffer(char c, void *ctx)
{
	struct buffer *b = ctx;

	if (b->used + 1 < b->size)
		b->buf[b->used++] = c;
}

size_t vformat(char *buf, size_t size, const char *fmt, va_list args)
{
	struct buffer b = { buf, size, 0 };
	size_t n = format_to(put_buffer, &b, fmt, args);

	if (size)
		buf[b.used] = '\0';
	return n;
}

size_t format(char *buf, size_t size, const char *fmt, ...)
{
	va_list args;
	size_t n;

	va_start(args, fmt);
	n = vformat(buf, size, fmt, args);
	va_end(args);
	return n;
}

const char *format_error(char *err, size_t errlen, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	vformat(err, errlen, fmt, args);
	va_end(args);
	return err;
}
