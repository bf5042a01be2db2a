/*
 * CAA properties, RFC 8659 §4 (tag syntax §4.1, issue/issuewild §4.2-4.3, iodef §4.4),
 * RFC 8657 (validationmethods), RFC 9495 (issuemail, contactemail, contactphone).
 * See caa_parse.h.
 */
#include "checks/caa_parse.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alnum(char c)
{
	return is_alpha(c) || is_digit(c);
}

static bool is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

static const struct {
	const char *name;
	enum caa_tag tag;
} known_tags[] = {
	{ "issue", CAA_TAG_ISSUE },
	{ "issuewild", CAA_TAG_ISSUEWILD },
	{ "iodef", CAA_TAG_IODEF },
	{ "contactemail", CAA_TAG_CONTACTEMAIL },
	{ "contactphone", CAA_TAG_CONTACTPHONE },
	{ "issuemail", CAA_TAG_ISSUEMAIL },
	{ "issuevmc", CAA_TAG_ISSUEVMC },
};

const char *caa_tag_name(enum caa_tag tag)
{
	for (size_t i = 0; i < sizeof(known_tags) / sizeof(known_tags[0]); i++)
		if (known_tags[i].tag == tag)
			return known_tags[i].name;
	return NULL;
}

/* label = (ALPHA / DIGIT) *( *("-") (ALPHA / DIGIT) ); returns the end or NULL. */
static const char *scan_label(const char *p, const char *end)
{
	if (p >= end || !is_alnum(*p))
		return NULL;
	p++;
	while (p < end) {
		const char *q = p;
		while (q < end && *q == '-')
			q++;
		if (q < end && is_alnum(*q))
			p = q + 1;
		else
			break;
	}
	return p;
}

/* RFC 8657 §4: value = [*(label ",") label], label = 1*(ALPHA / DIGIT / "-"). */
static bool validation_methods_valid(const char *v, size_t n)
{
	if (n == 0)
		return true;
	size_t lab = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i == n || v[i] == ',') {
			if (lab == 0)
				return false;
			lab = 0;
		} else if (is_alnum(v[i]) || v[i] == '-') {
			lab++;
		} else {
			return false;
		}
	}
	return true;
}

bool caa_issue_value_valid(const char *v, size_t n, char *issuer, size_t issuer_max,
			   size_t *n_params, char *why, size_t why_max)
{
	const char *p = v, *end = v + n;
	if (issuer && issuer_max)
		issuer[0] = '\0';
	*n_params = 0;
	while (p < end && is_wsp(*p))
		p++;
	/* [issuer-domain-name *WSP] */
	if (p < end && *p != ';') {
		const char *start = p;
		for (;;) {
			const char *q = scan_label(p, end);
			if (!q) {
				snprintf(why, why_max, "invalid issuer domain name at position %zu",
					 (size_t)(p - v) + 1);
				return false;
			}
			p = q;
			if (p < end && *p == '.' && p + 1 < end && is_alnum(p[1]))
				p++;
			else
				break;
		}
		if (issuer && issuer_max) {
			size_t len = (size_t)(p - start);
			if (len >= issuer_max)
				len = issuer_max - 1;
			for (size_t i = 0; i < len; i++) {
				char c = start[i];
				issuer[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
			}
			issuer[len] = '\0';
		}
		while (p < end && is_wsp(*p))
			p++;
	}
	if (p == end)
		return true;
	if (*p != ';') {
		snprintf(why, why_max, "unexpected character at position %zu (expected ';')",
			 (size_t)(p - v) + 1);
		return false;
	}
	p++;
	while (p < end && is_wsp(*p))
		p++;
	if (p == end)
		return true;
	/* parameters = (parameter *WSP ";" *WSP parameters) / parameter */
	for (;;) {
		const char *tag = p;
		const char *q = scan_label(p, end);
		if (!q) {
			snprintf(why, why_max, "invalid parameter tag at position %zu",
				 (size_t)(p - v) + 1);
			return false;
		}
		size_t tag_len = (size_t)(q - tag);
		p = q;
		while (p < end && is_wsp(*p))
			p++;
		if (p == end || *p != '=') {
			snprintf(why, why_max, "parameter without '=' at position %zu",
				 (size_t)(p - v) + 1);
			return false;
		}
		p++;
		while (p < end && is_wsp(*p))
			p++;
		const char *val = p;
		/* value = *(%x21-3A / %x3C-7E) */
		while (p < end && (unsigned char)*p >= 0x21 && (unsigned char)*p <= 0x7e &&
		       *p != ';')
			p++;
		size_t val_len = (size_t)(p - val);
		if (tag_len == 17 && strncasecmp(tag, "validationmethods", 17) == 0 &&
		    !validation_methods_valid(val, val_len)) {
			snprintf(why, why_max, "invalid validationmethods value (RFC 8657)");
			return false;
		}
		(*n_params)++;
		while (p < end && is_wsp(*p))
			p++;
		if (p == end)
			return true;
		if (*p != ';') {
			snprintf(why, why_max, "unexpected character at position %zu",
				 (size_t)(p - v) + 1);
			return false;
		}
		p++;
		while (p < end && is_wsp(*p))
			p++;
		if (p == end) {
			/* a trailing ';' after parameters is not in the grammar */
			snprintf(why, why_max, "trailing ';' after the parameters");
			return false;
		}
	}
}

/* An e-mail address: local@domain, no spaces, one '@', both sides non-empty, ASCII. */
static bool email_valid(const char *v, size_t n)
{
	if (n == 0 || n > 254)
		return false;
	size_t at = n, ats = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];
		if (c <= 0x20 || c >= 0x7f)
			return false;
		if (c == '@') {
			at = i;
			ats++;
		}
	}
	return ats == 1 && at > 0 && at + 1 < n;
}

/* RFC 3966 global-number-digits: "+" *phonedigit DIGIT *phonedigit, with - . ( ) visual. */
static bool phone_valid(const char *v, size_t n)
{
	if (n < 2 || v[0] != '+')
		return false;
	bool digit = false;
	for (size_t i = 1; i < n; i++) {
		if (is_digit(v[i]))
			digit = true;
		else if (!strchr("-.()", v[i]) || v[i] == '\0')
			return false;
	}
	return digit;
}

static bool iprefix(const char *v, size_t n, const char *prefix)
{
	size_t pl = strlen(prefix);
	return n >= pl && strncasecmp(v, prefix, pl) == 0;
}

static void judge_iodef(const char *v, size_t n, struct caa_property *out)
{
	if (iprefix(v, n, "mailto:")) {
		if (email_valid(v + 7, n - 7))
			return;
		out->verdict = VERDICT_WARNING;
		snprintf(out->finding, sizeof(out->finding),
			 "iodef mailto: without a valid address");
		return;
	}
	if (iprefix(v, n, "https:")) {
		/* https://host[...]: a host must follow */
		if (n > 8 && v[6] == '/' && v[7] == '/' && v[8] != '/') {
			for (size_t i = 8; i < n; i++)
				if ((unsigned char)v[i] <= 0x20 || (unsigned char)v[i] >= 0x7f)
					goto bad_https;
			return;
		}
	bad_https:
		out->verdict = VERDICT_WARNING;
		snprintf(out->finding, sizeof(out->finding),
			 "iodef https: URL without a valid host");
		return;
	}
	out->verdict = VERDICT_WARNING;
	snprintf(out->finding, sizeof(out->finding), "iodef is neither mailto: nor https:");
}

void caa_parse_property(uint8_t flags, const char *tag, size_t tag_len, const char *value,
			size_t value_len, struct caa_property *out)
{
	memset(out, 0, sizeof(*out));
	out->verdict = VERDICT_PASS;
	out->critical = (flags & 0x80) != 0;

	/* §4.1.1: tag is 1-15 ASCII letters and digits; matching is case-insensitive. */
	bool tag_ok = tag_len >= 1 && tag_len <= 15;
	for (size_t i = 0; tag_ok && i < tag_len; i++)
		tag_ok = is_alnum(tag[i]);
	if (!tag_ok) {
		out->tag = CAA_TAG_INVALID;
		out->verdict = VERDICT_FAIL;
		snprintf(out->finding, sizeof(out->finding),
			 "invalid tag (RFC 8659 4.1: 1-15 letters and digits)");
		return;
	}
	out->tag = CAA_TAG_OTHER;
	for (size_t i = 0; i < sizeof(known_tags) / sizeof(known_tags[0]); i++)
		if (strlen(known_tags[i].name) == tag_len &&
		    strncasecmp(known_tags[i].name, tag, tag_len) == 0)
			out->tag = known_tags[i].tag;

	if (flags != 0 && flags != 128) {
		out->verdict = VERDICT_FAIL;
		snprintf(out->finding, sizeof(out->finding),
			 "flags %u: only 0 and 128 are defined (reserved bits set)", flags);
		return;
	}
	char why[120] = "";
	switch (out->tag) {
	case CAA_TAG_OTHER:
		if (out->critical) {
			out->verdict = VERDICT_FAIL;
			snprintf(out->finding, sizeof(out->finding),
				 "unknown tag with the critical flag: blocks all issuance");
		}
		return;
	case CAA_TAG_ISSUE:
	case CAA_TAG_ISSUEWILD:
	case CAA_TAG_ISSUEMAIL:
	case CAA_TAG_ISSUEVMC:
		if (!caa_issue_value_valid(value, value_len, out->issuer, sizeof(out->issuer),
					   &out->n_params, why, sizeof(why))) {
			out->verdict = VERDICT_FAIL;
			snprintf(out->finding, sizeof(out->finding), "%s value does not parse: %s",
				 caa_tag_name(out->tag), why);
		}
		return;
	case CAA_TAG_IODEF:
		judge_iodef(value, value_len, out);
		return;
	case CAA_TAG_CONTACTEMAIL:
		if (!email_valid(value, value_len)) {
			out->verdict = VERDICT_FAIL;
			snprintf(out->finding, sizeof(out->finding),
				 "contactemail value is not an e-mail address");
		}
		return;
	case CAA_TAG_CONTACTPHONE:
		if (!phone_valid(value, value_len)) {
			out->verdict = VERDICT_FAIL;
			snprintf(out->finding, sizeof(out->finding),
				 "contactphone value is not a global phone number (RFC 3966)");
		}
		return;
	case CAA_TAG_INVALID:
		return;
	}
}

enum verdict caa_judge_set(const struct caa_property *props, size_t n, const char **reason)
{
	enum verdict v = VERDICT_PASS;
	bool issue = false;
	const char *why = NULL;
	for (size_t i = 0; i < n; i++) {
		if (props[i].tag == CAA_TAG_ISSUE)
			issue = true;
		if (props[i].verdict > v) {
			v = props[i].verdict;
			why = props[i].verdict == VERDICT_FAIL
				      ? "a record does not parse or blocks all issuance"
				      : "an iodef is neither mailto: nor https:";
		}
	}
	if (!issue && v == VERDICT_PASS) {
		v = VERDICT_WARNING;
		why = "no issue record";
	} else if (!issue && v == VERDICT_WARNING) {
		why = "no issue record; an iodef is neither mailto: nor https:";
	}
	if (reason)
		*reason = why;
	return v;
}
