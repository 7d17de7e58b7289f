/*
 * Checking and printing the boot configuration with Debian's libfdt (see
 * config.h). The blob comes from a GRUB module, so it is untrusted input:
 * nothing is read from it before fdt_check_header has looked at the header
 * and fdt_check_full has walked the whole structure block within the
 * module's size (libfdt's own bounds checks, devicetree specification
 * v0.4 §5 "Flattened Devicetree (DTB) Format").
 */
#include <ctype.h>
#include <libfdt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "config.h"

/* Longest path printed, and how much of one property value to show. */
#define PATH_MAX_LENGTH 256
#define SHOW_STRING_MAX 48
#define SHOW_CELLS_MAX 8
#define SHOW_BYTES_MAX 16

int config_check(const void *blob, size_t size, const char **what)
{
	int error;

	/* fdt_check_header reads the whole fixed header. */
	if (size < sizeof(struct fdt_header)) {
		*what = "size: shorter than a device tree header";
		return -FDT_ERR_TRUNCATED;
	}
	error = fdt_check_header(blob);
	if (error != 0) {
		*what = "header";
		return error;
	}
	if (fdt_totalsize(blob) > size) {
		*what = "size: header's totalsize is past the module's end";
		return -FDT_ERR_TRUNCATED;
	}
	error = fdt_check_full(blob, size);
	if (error != 0) {
		*what = "structure";
		return error;
	}
	*what = "";
	return 0;
}

/* Print a name from the blob, with bytes that are not printable ASCII as
 * \xNN: the names come from untrusted input and go to a serial log. */
static void print_name(const char *name)
{
	for (; *name != '\0'; name++) {
		unsigned char c = (unsigned char)*name;
		if (c < 0x80 && isprint(c) && c != '\\')
			putchar(c);
		else
			printf("\\x%02x", c);
	}
}

/*
 * True when value[0..len) is one or more non-empty NUL-terminated strings
 * of printable characters, like `compatible = "a", "b"`.
 */
static bool is_string_list(const char *value, int len)
{
	if (len <= 0 || value[len - 1] != '\0' || value[0] == '\0')
		return false;
	for (int i = 0; i < len; i++) {
		if (value[i] == '\0') {
			if (i > 0 && value[i - 1] == '\0')
				return false;
		} else if ((unsigned char)value[i] >= 0x80 ||
			   !isprint((unsigned char)value[i])) {
			return false;
		}
	}
	return true;
}

static void print_string_list(const char *value, int len)
{
	int shown = 0;

	for (int i = 0; i < len - 1; i += (int)strlen(value + i) + 1) {
		if (shown >= SHOW_STRING_MAX) {
			printf(",...");
			return;
		}
		int room = SHOW_STRING_MAX - shown;
		int length = (int)strlen(value + i);
		printf("%s\"%.*s%s\"", i > 0 ? "," : "", room, value + i,
		       length > room ? "..." : "");
		shown += length;
	}
}

static void print_value(const void *value, int len)
{
	if (len == 0)
		return; /* a boolean property: its name says it all */
	printf("=");
	if (is_string_list(value, len)) {
		print_string_list(value, len);
	} else if (len % 4 == 0) {
		const fdt32_t *cells = value;
		int count = len / 4;
		printf("<");
		for (int i = 0; i < count && i < SHOW_CELLS_MAX; i++)
			printf("%s0x%x", i > 0 ? " " : "",
			       (unsigned)fdt32_to_cpu(cells[i]));
		printf("%s>", count > SHOW_CELLS_MAX ? " ..." : "");
	} else {
		const unsigned char *bytes = value;
		printf("[");
		for (int i = 0; i < len && i < SHOW_BYTES_MAX; i++)
			printf("%s%02x", i > 0 ? " " : "", bytes[i]);
		printf("%s]", len > SHOW_BYTES_MAX ? " ..." : "");
	}
}

void config_print(const void *blob)
{
	char path[PATH_MAX_LENGTH];
	int depth = 0;

	/* fdt_next_node returns a positive offset past the root's end once
	 * depth drops below zero, so both conditions are needed. */
	for (int node = 0; node >= 0 && depth >= 0;
	     node = fdt_next_node(blob, node, &depth)) {
		int property;

		if (fdt_get_path(blob, node, path, sizeof(path)) != 0)
			snprintf(path, sizeof(path), "(path too long)");
		printf("root: config: ");
		print_name(path);
		fdt_for_each_property_offset(property, blob, node) {
			const char *name;
			int len;
			const void *value =
				fdt_getprop_by_offset(blob, property, &name, &len);
			if (value == NULL)
				continue;
			printf(" ");
			print_name(name);
			print_value(value, len);
		}
		printf("\n");
	}
}
