/* dnsmsg.c - reading a DNS query's question and writing an answer of A or
 * PTR records (RFC 1035 4.1). Trusts nothing of the message: every length
 * is checked against the buffer before it is read. */
#include "dnsmsg.h"

#include <ctype.h>
#include <stdbool.h>
#include <errno.h>
#include <string.h>

#define DNSMSG_TTL 60 /* aardvark-dns's: containers come and go */

static uint16_t dnsmsg_u16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void dnsmsg_put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

uint16_t dnsmsg_id(const uint8_t *msg)
{
	return dnsmsg_u16(msg);
}

void dnsmsg_set_id(uint8_t *msg, uint16_t id)
{
	dnsmsg_put16(msg, id);
}

int dnsmsg_parse_query(const uint8_t *msg, size_t len, struct dnsmsg_question *q)
{
	size_t off = DNSMSG_HEADER, out = 0;
	bool usable = true;

	if (len < DNSMSG_HEADER || (msg[2] & 0x80) || (msg[2] & 0x78) || dnsmsg_u16(msg + 4) != 1)
		return -EINVAL;
	for (;;) {
		size_t l;
		if (off >= len)
			return -EINVAL;
		l = msg[off++];
		if (l == 0)
			break;
		/* compression (0xc0) or the reserved label types: not in a question we answer */
		if (l > 63 || off + l > len || out + l + 1 > DNSMSG_NAME_MAX)
			return -EINVAL;
		if (out)
			q->name[out++] = '.';
		for (size_t i = 0; i < l; i++) {
			uint8_t c = msg[off + i];
			usable &= c != '.' && c != '\0';
			q->name[out++] = (char)tolower(c);
		}
		off += l;
	}
	if (off + 4 > len)
		return -EINVAL;
	q->name[usable ? out : 0] = '\0';
	q->type = dnsmsg_u16(msg + off);
	q->qclass = dnsmsg_u16(msg + off + 2);
	q->end = off + 4;
	return 0;
}

/* @name as labels into @out (@size bytes). Return: its length, 0 if it does not fit */
static size_t dnsmsg_put_name(const char *name, uint8_t *out, size_t size)
{
	size_t len = 0;

	while (*name) {
		size_t l = strcspn(name, ".");
		if (l == 0 || l > 63 || len + l + 1 >= size)
			return 0;
		out[len++] = (uint8_t)l;
		memcpy(out + len, name, l);
		len += l;
		name += l + (name[l] == '.');
	}
	if (len + 1 > size)
		return 0;
	out[len++] = 0;
	return len;
}

/* record @rr at @out (@size bytes), its owner the question's name.
 * Return: its length, 0 if it does not fit */
static size_t dnsmsg_put_rr(const struct dnsmsg_rr *rr, uint8_t *out, size_t size)
{
	size_t rdlen;

	if (size < 12)
		return 0;
	dnsmsg_put16(out, 0xc000 | DNSMSG_HEADER); /* the question's name */
	dnsmsg_put16(out + 2, rr->type);
	dnsmsg_put16(out + 4, DNSMSG_CLASS_IN);
	dnsmsg_put16(out + 6, 0);
	dnsmsg_put16(out + 8, DNSMSG_TTL);
	if (rr->type == DNSMSG_TYPE_A) {
		if (size < 16)
			return 0;
		memcpy(out + 12, rr->addr, 4);
		rdlen = 4;
	} else {
		rdlen = dnsmsg_put_name(rr->target, out + 12, size - 12);
		if (rdlen == 0)
			return 0;
	}
	dnsmsg_put16(out + 10, (unsigned)rdlen);
	return 12 + rdlen;
}

size_t dnsmsg_answer(const uint8_t *msg, const struct dnsmsg_question *q, unsigned rcode,
                     const struct dnsmsg_rr *rrs, size_t n, uint8_t *out, size_t size)
{
	size_t len = q->end, count = 0;

	if (size < len)
		return 0;
	memcpy(out, msg, len);
	out[2] = (uint8_t)(0x80 | 0x04 | (msg[2] & 0x01)); /* QR, AA, RD as asked */
	out[3] = (uint8_t)(0x80 | (rcode & 0x0f));         /* RA */
	dnsmsg_put16(out + 4, 1);
	dnsmsg_put16(out + 8, 0);
	dnsmsg_put16(out + 10, 0);
	for (size_t i = 0; i < n; i++) {
		size_t l = dnsmsg_put_rr(&rrs[i], out + len, size - len);
		if (l == 0) {
			out[2] |= 0x02; /* TC */
			break;
		}
		len += l;
		count++;
	}
	dnsmsg_put16(out + 6, (unsigned)count);
	return len;
}
