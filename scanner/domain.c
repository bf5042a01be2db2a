/* Domain name normalisation; see domain.h. */
#include "scanner/domain.h"
#include "scanner/util.h"

#include <arpa/inet.h>
#include <idn2.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool valid_utf8(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned char c = s[i];
		size_t k;
		if (c < 0x80)
			k = 1;
		else if (c >= 0xc2 && c <= 0xdf)
			k = 2;
		else if (c >= 0xe0 && c <= 0xef)
			k = 3;
		else if (c >= 0xf0 && c <= 0xf4)
			k = 4;
		else
			return false;
		if (i + k > n)
			return false;
		for (size_t j = 1; j < k; j++)
			if ((s[i + j] & 0xc0) != 0x80)
				return false;
		i += k;
	}
	return true;
}

static int fail(char **why, const char *fmt, const char *arg)
{
	*why = xasprintf(fmt, arg);
	return -1;
}

int domain_normalize(const char *in, size_t len, char **out, char **why)
{
	*out = NULL;
	*why = NULL;
	/* trim ASCII whitespace */
	while (len && (*in == ' ' || *in == '\t' || *in == '\r' || *in == '\n')) {
		in++;
		len--;
	}
	while (len && (in[len - 1] == ' ' || in[len - 1] == '\t' || in[len - 1] == '\r' ||
		       in[len - 1] == '\n'))
		len--;
	if (len && in[len - 1] == '.')
		len--;
	if (len == 0)
		return fail(why, "%sempty domain name", "");
	if (memchr(in, '\0', len))
		return fail(why, "%scontains a NUL byte", "");
	if (len > 1024)
		return fail(why, "%sname longer than 253 octets", "");
	if (!valid_utf8((const unsigned char *)in, len))
		return fail(why, "%snot valid UTF-8", "");
	char *s = xstrndup(in, len);
	bool ascii = true;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] >= 0x80)
			ascii = false;
	if (!ascii) {
		char *a = NULL;
		int rc = idn2_to_ascii_8z(s, &a, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT);
		if (rc != IDN2_OK) {
			free(s);
			return fail(why, "not a valid internationalised name (%s)",
				    idn2_strerror(rc));
		}
		free(s);
		s = xstrdup(a);
		idn2_free(a);
	}
	char *l = str_lower(s);
	free(s);
	s = l;
	size_t n = strlen(s);
	if (n > 253) {
		free(s);
		return fail(why, "%sname longer than 253 octets", "");
	}
	unsigned char ipbuf[16];
	if (inet_pton(AF_INET, s, ipbuf) == 1 || inet_pton(AF_INET6, s, ipbuf) == 1) {
		free(s);
		return fail(why, "%san IP address, not a domain name", "");
	}
	size_t labels = 0;
	const char *p = s;
	bool all_numeric_last = false;
	while (*p) {
		const char *dot = strchr(p, '.');
		size_t ll = dot ? (size_t)(dot - p) : strlen(p);
		if (ll == 0) {
			free(s);
			return fail(why, "%sempty label (two dots in a row)", "");
		}
		if (ll > 63) {
			free(s);
			return fail(why, "%slabel longer than 63 octets", "");
		}
		if (p[0] == '-' || p[ll - 1] == '-') {
			free(s);
			return fail(why, "%slabel starts or ends with a hyphen", "");
		}
		bool numeric = true;
		for (size_t i = 0; i < ll; i++) {
			char c = p[i];
			if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
				char bad[8];
				if ((unsigned char)c < 0x20 || (unsigned char)c >= 0x7f)
					snprintf(bad, sizeof(bad), "\\x%02x", (unsigned char)c);
				else
					snprintf(bad, sizeof(bad), "'%c'", c);
				free(s);
				return fail(
					why,
					"invalid character %s (only letters, digits and hyphens)",
					bad);
			}
			if (c < '0' || c > '9')
				numeric = false;
		}
		if (ll >= 4 && strncmp(p, "xn--", 4) == 0) {
			char *label = xstrndup(p, ll), *u = NULL;
			int rc = idn2_to_unicode_8z8z(label, &u, 0);
			free(label);
			if (rc != IDN2_OK) {
				free(s);
				return fail(why, "invalid A-label (%s)", idn2_strerror(rc));
			}
			idn2_free(u);
		} else if (ll >= 4 && p[2] == '-' && p[3] == '-') {
			free(s);
			return fail(why, "%slabel has hyphens in the 3rd and 4th position", "");
		}
		all_numeric_last = numeric;
		labels++;
		p += ll;
		if (*p == '.')
			p++;
	}
	if (labels < 2) {
		free(s);
		return fail(why, "%snot a domain name (a single label)", "");
	}
	if (all_numeric_last) {
		free(s);
		return fail(why, "%sthe top-level label is numeric", "");
	}
	*out = s;
	return 0;
}
