/* gotmpl_printf.c - Go's fmt.Sprintf for the template function printf, on
 * JSON values: the verbs, flags, width and precision of Go's fmt package
 * (%v %s %q %d %x %X %o %b %c %U %e %E %f %F %g %G %t %%), and Go's
 * in-band complaints (%!d(string=x), %!v(MISSING), %!(EXTRA ...)) instead
 * of errors, as Go prints them. */

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "gotmpl_int.h"

struct spec {
	bool minus, plus, sharp, zero, space;
	int width, prec; /* -1: not given */
	char verb;
};

static size_t runes(const char *s, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xc0) != 0x80;
	return n;
}

/* @s padded to the width, as Go pads: spaces, or zeros with the 0 flag */
static void put_padded(FILE *f, const struct spec *sp, const char *s, size_t len)
{
	size_t n = runes(s, len);
	int pad = sp->width > 0 && (size_t)sp->width > n ? sp->width - (int)n : 0;

	if (!sp->minus)
		for (int i = 0; i < pad; i++)
			fputc(sp->zero ? '0' : ' ', f);
	fwrite(s, 1, len, f);
	if (sp->minus)
		for (int i = 0; i < pad; i++)
			fputc(' ', f);
}

/* strconv.Quote: Go's double-quoted form */
static void put_quoted(FILE *f, const char *s, size_t len)
{
	fputc('"', f);
	for (size_t i = 0; i < len; i++) {
		static const char ctl[] = "\a\b\f\n\r\t\v", name[] = "abfnrtv";
		unsigned char c = (unsigned char)s[i];
		const char *esc = c ? strchr(ctl, c) : NULL;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (esc)
			fprintf(f, "\\%c", name[esc - ctl]);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* the C conversion for @sp with @conv ("lld", "e", ...) */
static void c_format(char *out, size_t size, const struct spec *sp, const char *conv)
{
	int n =
	    snprintf(out, size, "%%%s%s%s%s%s", sp->minus ? "-" : "", sp->plus ? "+" : "",
	             sp->sharp ? "#" : "", sp->zero && !sp->minus ? "0" : "", sp->space ? " " : "");
	if (sp->width >= 0)
		n += snprintf(out + n, size - (size_t)n, "%d", sp->width);
	if (sp->prec >= 0)
		n += snprintf(out + n, size - (size_t)n, ".%d", sp->prec);
	snprintf(out + n, size - (size_t)n, "%s", conv);
}

static void put_value_string(FILE *f, const struct spec *sp, json_t *v)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	if (!m)
		return;
	gt_print_value(m, v == gt_novalue ? json_null() : v);
	fclose(m);
	if (sp->prec >= 0 && (size_t)sp->prec < runes(buf, len)) {
		size_t i = 0;
		for (int r = 0; r <= sp->prec && i < len; i++)
			r += ((unsigned char)buf[i] & 0xc0) != 0x80;
		len = i ? i - 1 : 0;
	}
	put_padded(f, sp, buf, len);
	free(buf);
}

/* %!VERB(TYPE=VALUE): what Go prints for a verb the value has not */
static void put_bad_verb(FILE *f, const struct spec *sp, json_t *v)
{
	fprintf(f, "%%!%c(", sp->verb);
	if (json_is_null(v) || v == gt_novalue) {
		fputs("<nil>)", f);
		return;
	}
	fprintf(f, "%s=", gt_type_name(v));
	gt_print_value(f, v);
	fputc(')', f);
}

/* @v (an integer or a real) through C's printf with @sp and @conv: Go's
 * flags, width and precision mean what C's do for these verbs, so the
 * checked spec is handed to printf as a format of its own making */
static void put_c_number(FILE *f, const struct spec *sp, const char *conv, json_t *v)
{
	char cf[48];

	c_format(cf, sizeof(cf), sp, conv);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	if (json_is_integer(v))
		fprintf(f, cf, (long long)json_integer_value(v));
	else
		fprintf(f, cf, json_real_value(v));
#pragma GCC diagnostic pop
}

static void put_int(FILE *f, const struct spec *sp, json_t *v)
{
	long long i = json_integer_value(v);
	char buf[80];
	const char *conv = NULL;

	switch (sp->verb) {
	case 'd':
	case 'v': conv = "lld"; break;
	case 'x': conv = "llx"; break;
	case 'X': conv = "llX"; break;
	case 'o': conv = "llo"; break;
	case 'c': {
		char rune[4];
		size_t len = i >= 0 && i <= 0x10ffff ? gt_utf8_put(rune, (uint32_t)i) : 0;
		put_padded(f, sp, rune, len);
		return;
	}
	case 'U':
		snprintf(buf, sizeof(buf), "U+%04llX", i);
		put_padded(f, sp, buf, strlen(buf));
		return;
	case 'b': {
		int n = 0;
		unsigned long long u = i < 0 ? 0ULL - (unsigned long long)i : (unsigned long long)i;
		char bits[72];
		do
			bits[n++] = (char)('0' + (u & 1));
		while (u >>= 1);
		snprintf(buf, sizeof(buf), "%s", i < 0 ? "-" : "");
		for (size_t k = strlen(buf); n > 0; k++)
			buf[k] = bits[--n], buf[k + 1] = 0;
		put_padded(f, sp, buf, strlen(buf));
		return;
	}
	}
	if (conv)
		put_c_number(f, sp, conv, v);
	else
		put_bad_verb(f, sp, v);
}

static void put_float(FILE *f, const struct spec *sp, json_t *v)
{
	char conv[2] = { sp->verb == 'F' ? 'f' : sp->verb, 0 };
	double d = json_real_value(v);

	if ((sp->verb == 'v' || sp->verb == 'g' || sp->verb == 'G') && sp->prec < 0) {
		/* Go's %g is the shortest form, not C's six digits */
		char buf[48];
		size_t o = sp->plus && d >= 0;
		buf[0] = '+';
		gt_format_float(buf + o, sizeof(buf) - o, d);
		for (size_t k = 0; sp->verb == 'G' && buf[k]; k++)
			buf[k] = (char)toupper((unsigned char)buf[k]);
		put_padded(f, sp, buf, strlen(buf));
	} else if (strchr("eEfFgG", sp->verb)) {
		put_c_number(f, sp, conv, v);
	} else {
		put_bad_verb(f, sp, v);
	}
}

static void put_string(FILE *f, const struct spec *sp, json_t *v)
{
	const char *s = json_string_value(v);
	size_t len = json_string_length(v);

	if (sp->verb == 's' || sp->verb == 'v') {
		put_value_string(f, sp, v);
	} else if (sp->verb == 'q') {
		char *buf = NULL;
		size_t blen = 0;
		FILE *m = open_memstream(&buf, &blen);
		if (!m)
			return;
		put_quoted(m, s, len);
		fclose(m);
		put_padded(f, sp, buf, blen);
		free(buf);
	} else if (sp->verb == 'x' || sp->verb == 'X') {
		for (size_t i = 0; i < len; i++)
			fprintf(f, sp->verb == 'x' ? "%02x" : "%02X", (unsigned char)s[i]);
	} else {
		put_bad_verb(f, sp, v);
	}
}

static void put_arg(FILE *f, const struct spec *sp, json_t *v);

/* arrays and maps: the verb applied to each element, as Go does */
static void put_container(FILE *f, const struct spec *sp, json_t *v)
{
	struct spec inner = *sp;
	json_t *e;
	size_t i;

	inner.width = -1;
	if (json_is_array(v)) {
		fputc('[', f);
		json_array_foreach(v, i, e)
		{
			if (i)
				fputc(' ', f);
			put_arg(f, &inner, e);
		}
		fputc(']', f);
		return;
	}
	put_value_string(f, sp, v);
}

static void put_arg(FILE *f, const struct spec *sp, json_t *v)
{
	if (json_is_integer(v))
		put_int(f, sp, v);
	else if (json_is_real(v))
		put_float(f, sp, v);
	else if (json_is_string(v))
		put_string(f, sp, v);
	else if (json_is_boolean(v) && (sp->verb == 't' || sp->verb == 'v'))
		put_padded(f, sp, json_is_true(v) ? "true" : "false", json_is_true(v) ? 4 : 5);
	else if (json_is_array(v) || (gt_is_map(v) && sp->verb == 'v'))
		put_container(f, sp, v);
	else if ((json_is_null(v) || v == gt_novalue) && sp->verb == 'v')
		put_padded(f, sp, "<nil>", 5);
	else
		put_bad_verb(f, sp, v);
}

/* flags, width and precision after '%'; Return: the verb's position */
static const char *parse_spec(const char *p, struct spec *sp, json_t **args, size_t n, size_t *next)
{
	*sp = (struct spec){ .width = -1, .prec = -1 };
	for (;; p++) {
		if (*p == '-')
			sp->minus = true;
		else if (*p == '+')
			sp->plus = true;
		else if (*p == '#')
			sp->sharp = true;
		else if (*p == '0')
			sp->zero = true;
		else if (*p == ' ')
			sp->space = true;
		else
			break;
	}
	if (*p == '*') {
		sp->width = *next < n && json_is_integer(args[*next])
		                ? (int)json_integer_value(args[(*next)++])
		                : 0;
		p++;
	}
	for (; isdigit((unsigned char)*p); p++)
		sp->width = (sp->width < 0 ? 0 : sp->width) * 10 + (*p - '0');
	if (*p == '.') {
		sp->prec = 0;
		if (*++p == '*') {
			sp->prec = *next < n && json_is_integer(args[*next])
			               ? (int)json_integer_value(args[(*next)++])
			               : 0;
			p++;
		}
		for (; isdigit((unsigned char)*p); p++)
			sp->prec = sp->prec * 10 + (*p - '0');
	}
	if (sp->width > 4096)
		sp->width = 4096;
	if (sp->prec > 4096)
		sp->prec = 4096;
	return p;
}

void gt_sprintf_into(FILE *f, json_t **all, size_t count)
{
	const char *fmt = json_string_value(all[0]);
	json_t **args = all + 1;
	size_t n = count - 1, next = 0;
	struct spec sp;

	for (const char *p = fmt; *p; p++) {
		if (*p != '%') {
			fputc(*p, f);
			continue;
		}
		p = parse_spec(p + 1, &sp, args, n, &next);
		if (!*p) {
			fputs("%!(NOVERB)", f);
			break;
		}
		sp.verb = *p;
		if (*p == '%')
			fputc('%', f);
		else if (next >= n)
			fprintf(f, "%%!%c(MISSING)", *p);
		else
			put_arg(f, &sp, args[next++]);
	}
	if (next < n) {
		fputs("%!(EXTRA ", f);
		for (size_t i = next; i < n; i++) {
			fprintf(f, "%s%s=", i > next ? ", " : "", gt_type_name(args[i]));
			gt_print_value(f, args[i]);
		}
		fputc(')', f);
	}
}
