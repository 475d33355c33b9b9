/* gotmpl_printf.h - Go's fmt.Sprintf on JSON values, for the template
 * function printf (gotmpl_printf.c). */
#ifndef WARREN_GOTMPL_PRINTF_H
#define WARREN_GOTMPL_PRINTF_H

#include <jansson.h>

/* a new JSON string: @fmt with @n arguments, as Go's fmt.Sprintf */
json_t *gt_sprintf(const char *fmt, json_t **args, size_t n);

#endif
