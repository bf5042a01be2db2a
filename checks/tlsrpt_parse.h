/*
 * SMTP TLS Reporting record parser (RFC 8460 §3).
 *
 *   tlsrpt-record = tlsrpt-version 1*(field-delim tlsrpt-field) [field-delim]
 *   field-delim   = *WSP ";" *WSP
 *   tlsrpt-field  = tlsrpt-rua / tlsrpt-extension   (rua exactly once)
 *   tlsrpt-rua    = "rua=" tlsrpt-uri *(*WSP "," *WSP tlsrpt-uri)   ("mailto:" or "https:")
 *   tlsrpt-extension = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".") "="
 *                      1*(%x21-3A / %x3C / %x3E-7E)
 *
 * Pure functions: no I/O, no global state.
 * Ownership: tlsrpt_parse() fills a caller-provided struct whose strings it owns; release
 * with tlsrpt_record_free(). *err is malloc'd (caller frees) and may quote record text:
 * treat it as untrusted (store it with json_str()).
 */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define TLSRPT_MAX_URIS       32
#define TLSRPT_MAX_EXTENSIONS 32

struct tlsrpt_ext {
	char *name, *value;
};

struct tlsrpt_record {
	char **rua; /* the URIs, as written */
	size_t n_rua;
	struct tlsrpt_ext *ext; /* extension fields, in order */
	size_t n_ext;
};

/**
 * True when the TXT text starts, case-insensitively, with "v=TLSRPTv1" followed by the end,
 * ';' or a space: such records count as TLS-RPT records (and are then parsed; the version
 * itself is case-sensitive, so "v=tlsrptv1" is kept but malformed).
 */
bool tlsrpt_is_candidate(const char *text, size_t len);

/**
 * Parse a TLS-RPT record of `len` bytes. Returns 0 and fills *out on success; -1 with *err
 * (may be NULL) on a malformed record (*out is then zeroed and needs no free).
 */
int tlsrpt_parse(const char *text, size_t len, struct tlsrpt_record *out, char **err);

void tlsrpt_record_free(struct tlsrpt_record *r);

/** {"rua": [...], "extensions": {name: value}} as a new JSON object. */
json_t *tlsrpt_record_json(const struct tlsrpt_record *r);
