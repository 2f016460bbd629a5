/* SPDX-License-Identifier: MIT */
/*
 * Strings on their way into JSON: RFC 8259 text is UTF-8, so a name the
 * report did not make (a handler's, a device's, a scenario's) is made
 * well-formed first. A byte that does not start or continue a well-formed
 * sequence (RFC 3629: no overlong form, no surrogate, nothing past
 * U+10FFFF, no truncated sequence) becomes U+FFFD, one per byte, as the
 * WHATWG decoder and Python's errors="replace" do.
 */
#include <msikit/report.h>

#include <string.h>

static const char replacement[] = "\xef\xbf\xbd"; /* U+FFFD */

/* The length of the well-formed sequence at s (1..4), or 0 if s[0] starts none. */
static size_t sequence_len(const unsigned char *s)
{
	unsigned char c = s[0];
	size_t n;
	unsigned char lo = 0x80, hi = 0xbf; /* the range of the second byte */
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		if (c == 0xe0)
			lo = 0xa0; /* overlong */
		else if (c == 0xed)
			hi = 0x9f; /* surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		if (c == 0xf0)
			lo = 0x90; /* overlong */
		else if (c == 0xf4)
			hi = 0x8f; /* past U+10FFFF */
	} else {
		return 0;
	}
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0; /* also stops at the terminating NUL */
	return n;
}

size_t msk_report_utf8_clean(const char *s, char *out, size_t size)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = 0;
	while (*p) {
		size_t n = sequence_len(p);
		const char *src = n ? (const char *)p : replacement;
		size_t put = n ? n : sizeof(replacement) - 1;
		if (out && len + put < size)
			memcpy(out + len, src, put);
		else if (out && len < size)
			size = len + 1; /* no partial sequence: stop copying here */
		len += put;
		p += n ? n : 1;
	}
	if (out && size)
		out[len < size ? len : size - 1] = '\0';
	return len;
}
