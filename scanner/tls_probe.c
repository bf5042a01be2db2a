/* SMTP STARTTLS connections, TLS enumeration, certificate and DANE helpers; see tls_probe.h. */
#include "scanner/tls_probe.h"
#include "scanner/result.h"
#include "scanner/smtp.h"
#include "scanner/util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define TLS13_SUITES \
	"TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256:" \
	"TLS_AES_128_CCM_SHA256:TLS_AES_128_CCM_8_SHA256"
#define FULL_CIPHERS "ALL:COMPLEMENTOFALL:!PSK:!SRP:!kRSAPSK:!kECDHEPSK:!kDHEPSK"

/* Groups offered one by one when enumerating (those this OpenSSL accepts are kept). */
static const char *const probe_groups[] = {
	"x25519",          "secp256r1",       "x448",
	"secp521r1",       "secp384r1",       "brainpoolP256r1",
	"brainpoolP384r1", "brainpoolP512r1", "secp224r1",
	"secp192r1",       "secp256k1",       "sect571r1",
	"sect283k1",       "ffdhe2048",       "ffdhe3072",
	"ffdhe4096",       "ffdhe6144",       "ffdhe8192",
};

enum outcome {
	OUT_TLS_OK,
	OUT_TLS_FAIL,         /* TLS handshake refused or broken */
	OUT_NO_STARTTLS,      /* EHLO reply without STARTTLS */
	OUT_STARTTLS_REFUSED, /* STARTTLS answered with something other than 220 */
	OUT_UNREACHABLE,      /* TCP connect failed or timed out */
	OUT_TEMP,             /* 4xx, reset or EOF during the SMTP dialogue: worth one retry */
	OUT_SMTP_ERROR,       /* 5xx, malformed or silent SMTP dialogue */
	OUT_BUDGET,           /* no connection left in the budget */
};

struct hs_params {
	int version; /* pinned TLS version */
	const char *cipher_list;
	const char *ciphersuites;
	const char *groups;
	const char *sigalgs;
	bool collect_cert;
	bool try_reneg;
};

struct hs_result {
	enum outcome out;
	char reason[256];
	json_t *banner, *ehlo;
	char version[16];
	char cipher[128], cipher_ossl[64];
	char group[64]; /* negotiated named group, "" for none */
	char kex[64];   /* "x25519", "ffdhe3072", "DH-1024", "" (RSA key exchange) */
	int kex_bits;
	bool kex_dh_custom;
	char sig_hash[32]; /* peer's key-exchange signature hash, "" for none */
	int ems, secure_reneg, client_reneg;
	json_t *cert;
};

struct conn {
	int fd;
	double deadline;
	struct buf rb;
};

static double step_deadline(const struct tls_probe_env *env, const struct conn *c)
{
	double d = now_mono() + env->timeout;
	return d < c->deadline ? d : c->deadline;
}

static int wait_fd(int fd, short ev, double deadline)
{
	for (;;) {
		double left = deadline - now_mono();
		if (left <= 0)
			return 0;
		struct pollfd p = { .fd = fd, .events = ev };
		int ms = (int)(left * 1000) + 1;
		int r = poll(&p, 1, ms);
		if (r < 0 && errno == EINTR)
			continue;
		return r;
	}
}

static enum outcome tcp_connect(const struct tls_probe_env *env, struct conn *c, const char *ip,
				char *reason, size_t rlen)
{
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST, .ai_socktype = SOCK_STREAM };
	struct addrinfo *ai = NULL;
	if (getaddrinfo(ip, "25", &hints, &ai) != 0 || !ai) {
		snprintf(reason, rlen, "not an IP address");
		return OUT_UNREACHABLE;
	}
	c->fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		freeaddrinfo(ai);
		snprintf(reason, rlen, "socket: %s", strerror(errno));
		return OUT_UNREACHABLE;
	}
	int r = connect(c->fd, ai->ai_addr, ai->ai_addrlen);
	freeaddrinfo(ai);
	if (r < 0 && errno != EINPROGRESS) {
		snprintf(reason, rlen, "connect: %s", strerror(errno));
		return OUT_UNREACHABLE;
	}
	if (r < 0) {
		if (wait_fd(c->fd, POLLOUT, step_deadline(env, c)) <= 0) {
			snprintf(reason, rlen, "connect: timeout");
			return OUT_UNREACHABLE;
		}
		int err = 0;
		socklen_t el = sizeof(err);
		getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &el);
		if (err) {
			snprintf(reason, rlen, "connect: %s", strerror(err));
			return OUT_UNREACHABLE;
		}
	}
	return OUT_TLS_OK;
}

static int send_all(struct conn *c, const char *s, double deadline)
{
	size_t len = strlen(s), off = 0;
	while (off < len) {
		ssize_t n = send(c->fd, s + off, len - off, MSG_NOSIGNAL);
		if (n > 0) {
			off += (size_t)n;
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
			if (wait_fd(c->fd, POLLOUT, deadline) <= 0)
				return -1;
			continue;
		}
		return -1;
	}
	return 0;
}

/* Read one reply; 0 ok, else an outcome with reason. */
static enum outcome read_reply(struct conn *c, double deadline, struct smtp_reply *rep,
			       char *reason, size_t rlen)
{
	for (;;) {
		enum smtp_reply_status st = smtp_reply_parse(c->rb.data, c->rb.len, rep);
		if (st == SMTP_REPLY_OK) {
			memmove(c->rb.data, c->rb.data + rep->consumed, c->rb.len - rep->consumed);
			c->rb.len -= rep->consumed;
			return OUT_TLS_OK;
		}
		if (st == SMTP_REPLY_MALFORMED) {
			snprintf(reason, rlen, "malformed SMTP reply");
			return OUT_SMTP_ERROR;
		}
		if (st == SMTP_REPLY_TOO_LONG) {
			snprintf(reason, rlen, "SMTP reply too long");
			return OUT_SMTP_ERROR;
		}
		if (wait_fd(c->fd, POLLIN, deadline) <= 0) {
			snprintf(reason, rlen, "timeout waiting for the SMTP reply");
			return OUT_SMTP_ERROR;
		}
		char tmp[4096];
		ssize_t n = recv(c->fd, tmp, sizeof(tmp), 0);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0) {
			snprintf(reason, rlen, "connection %s during the SMTP dialogue",
				 n == 0 ? "closed" : "reset");
			return OUT_TEMP;
		}
		if (buf_add(&c->rb, tmp, (size_t)n) < 0) {
			snprintf(reason, rlen, "SMTP reply too long");
			return OUT_SMTP_ERROR;
		}
	}
}

static enum outcome classify_code(int code, const char *what, char *reason, size_t rlen)
{
	snprintf(reason, rlen, "%s answered %d", what, code);
	return code >= 400 && code < 500 ? OUT_TEMP : OUT_SMTP_ERROR;
}

static void quit_plain(struct conn *c)
{
	double d = now_mono() + 1.0;
	if (d > c->deadline)
		d = c->deadline;
	if (send_all(c, "QUIT\r\n", d) == 0) {
		struct smtp_reply rep;
		char reason[64];
		if (read_reply(c, d, &rep, reason, sizeof(reason)) == OUT_TLS_OK)
			smtp_reply_clear(&rep);
	}
}

/* Drive a non-blocking SSL call until done or deadline. Returns 1 ok, 0 failed. */
static int ssl_drive(SSL *ssl, int fd, int (*fn)(SSL *), double deadline)
{
	for (;;) {
		ERR_clear_error();
		int r = fn(ssl);
		if (r == 1)
			return 1;
		int e = SSL_get_error(ssl, r);
		short ev;
		if (e == SSL_ERROR_WANT_READ)
			ev = POLLIN;
		else if (e == SSL_ERROR_WANT_WRITE)
			ev = POLLOUT;
		else
			return 0;
		if (wait_fd(fd, ev, deadline) <= 0)
			return 0;
	}
}

static int do_reneg(SSL *ssl)
{
	return SSL_do_handshake(ssl);
}

static void lower_copy(char *dst, size_t n, const char *src)
{
	size_t i = 0;
	for (; src && src[i] && i + 1 < n; i++)
		dst[i] = (char)((src[i] >= 'A' && src[i] <= 'Z') ? src[i] + 32 : src[i]);
	dst[i] = '\0';
}

static const char *key_type_name(int id)
{
	switch (id) {
	case EVP_PKEY_RSA:
		return "rsa";
	case EVP_PKEY_RSA_PSS:
		return "rsa-pss";
	case EVP_PKEY_EC:
		return "ec";
	case EVP_PKEY_ED25519:
		return "ed25519";
	case EVP_PKEY_ED448:
		return "ed448";
	case EVP_PKEY_DSA:
		return "dsa";
	case EVP_PKEY_DH:
		return "dh";
	case EVP_PKEY_X25519:
		return "x25519";
	case EVP_PKEY_X448:
		return "x448";
	default:
		return "unknown";
	}
}

static char *time_iso(const ASN1_TIME *t)
{
	struct tm tm;
	if (!t || !ASN1_TIME_to_tm(t, &tm))
		return xstrdup("");
	char out[32];
	strftime(out, sizeof(out), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return xstrdup(out);
}

static json_t *name_json(const X509_NAME *n)
{
	char buf[512];
	X509_NAME_oneline(n, buf, sizeof(buf));
	return json_text(buf, strlen(buf), 512);
}

/* Facts about one certificate (classification included). */
static json_t *cert_facts(const struct tls_tables *tab, X509 *x, bool leaf)
{
	json_t *o = json_object();
	unsigned char *der = NULL;
	int dl = i2d_X509(x, &der);
	if (dl > 0) {
		char *b64 = xmalloc((size_t)dl * 4 / 3 + 8);
		EVP_EncodeBlock((unsigned char *)b64, der, dl);
		json_object_set_new(o, "der", json_string(b64));
		free(b64);
		OPENSSL_free(der);
	}
	json_object_set_new(o, "subject", name_json(X509_get_subject_name(x)));
	json_object_set_new(o, "issuer", name_json(X509_get_issuer_name(x)));
	char *nb = time_iso(X509_get0_notBefore(x)), *na = time_iso(X509_get0_notAfter(x));
	json_object_set_new(o, "not_before", json_string(nb));
	json_object_set_new(o, "not_after", json_string(na));
	free(nb);
	free(na);
	json_object_set_new(o, "expired",
			    json_boolean(X509_cmp_current_time(X509_get0_notAfter(x)) < 0));
	bool self = X509_check_issued(x, x) == X509_V_OK;
	json_object_set_new(o, "self_issued", json_boolean(self));

	EVP_PKEY *pk = X509_get0_pubkey(x);
	const char *kt = pk ? key_type_name(EVP_PKEY_get_base_id(pk)) : "unknown";
	int bits = pk ? EVP_PKEY_get_bits(pk) : 0;
	char curve[64] = "";
	if (pk && EVP_PKEY_get_base_id(pk) == EVP_PKEY_EC) {
		char g[64];
		if (EVP_PKEY_get_utf8_string_param(pk, OSSL_PKEY_PARAM_GROUP_NAME, g, sizeof(g),
						   NULL)) {
			int nid = OBJ_sn2nid(g);
			if (nid == NID_undef)
				nid = EC_curve_nist2nid(g);
			const char *sn = nid != NID_undef ? OBJ_nid2sn(nid) : g;
			snprintf(curve, sizeof(curve), "%s",
				 strcmp(sn, "prime256v1") == 0 ? "secp256r1" : sn);
		}
	}
	enum tls_class kc = tls_class_certkey(tab, kt, curve[0] ? curve : NULL, bits);
	json_object_set_new(o, "key_type", json_string(kt));
	json_object_set_new(o, "key_bits", json_integer(bits));
	if (curve[0])
		json_object_set_new(o, "curve", json_string(curve));
	json_object_set_new(o, "key_class", json_string(tls_class_name(kc)));

	int mdnid = NID_undef, pknid = NID_undef;
	char alg[32] = "unknown", hash[32] = "unknown";
	if (X509_get_signature_info(x, &mdnid, &pknid, NULL, NULL)) {
		switch (pknid) {
		case EVP_PKEY_RSA:
			snprintf(alg, sizeof(alg), "rsa");
			break;
		case EVP_PKEY_RSA_PSS:
			snprintf(alg, sizeof(alg), "rsa-pss");
			break;
		case EVP_PKEY_EC:
			snprintf(alg, sizeof(alg), "ecdsa");
			break;
		case EVP_PKEY_ED25519:
			snprintf(alg, sizeof(alg), "ed25519");
			break;
		case EVP_PKEY_ED448:
			snprintf(alg, sizeof(alg), "ed448");
			break;
		case EVP_PKEY_DSA:
			snprintf(alg, sizeof(alg), "dsa");
			break;
		default:
			break;
		}
		if (mdnid == NID_undef && (pknid == EVP_PKEY_ED25519 || pknid == EVP_PKEY_ED448))
			snprintf(hash, sizeof(hash), "intrinsic");
		else if (mdnid != NID_undef)
			lower_copy(hash, sizeof(hash), OBJ_nid2sn(mdnid));
	}
	enum tls_class sc = tls_class_worst(tls_class_sigalg(tab, alg), tls_class_hash(tab, hash));
	json_object_set_new(o, "sig_alg", json_string(alg));
	json_object_set_new(o, "sig_hash", json_string(hash));
	json_object_set_new(o, "sig_class", json_string(tls_class_name(sc)));
	/* A self-signed certificate above the leaf is a trust anchor: not judged (Internet.nl). */
	json_object_set_new(o, "judged", json_boolean(leaf || !self));
	return o;
}

static json_t *collect_cert(const struct tls_tables *tab, SSL *ssl)
{
	json_t *o = json_object(), *arr = json_array();
	STACK_OF(X509) *chain = SSL_get_peer_cert_chain(ssl);
	for (int i = 0; chain && i < sk_X509_num(chain) && i < 16; i++)
		json_array_append_new(arr, cert_facts(tab, sk_X509_value(chain, i), i == 0));
	json_object_set_new(o, "chain", arr);
	long v = SSL_get_verify_result(ssl);
	json_object_set_new(o, "verify_code", json_integer(v));
	json_object_set_new(o, "verify_error", json_string(X509_verify_cert_error_string(v)));
	json_object_set_new(o, "trusted", json_boolean(v == X509_V_OK));
	return o;
}

/* The RFC 7919 group whose prime and generator equal the DH key's, or NULL. */
static const char *ffdhe_name(EVP_PKEY *dh)
{
	static const char *const names[] = { "ffdhe2048", "ffdhe3072", "ffdhe4096", "ffdhe6144",
					     "ffdhe8192" };
	BIGNUM *p = NULL, *g = NULL;
	const char *found = NULL;
	if (!EVP_PKEY_get_bn_param(dh, OSSL_PKEY_PARAM_FFC_P, &p) ||
	    !EVP_PKEY_get_bn_param(dh, OSSL_PKEY_PARAM_FFC_G, &g))
		goto out;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]) && !found; i++) {
		EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL);
		EVP_PKEY *ref = NULL;
		BIGNUM *rp = NULL, *rg = NULL;
		if (ctx && EVP_PKEY_paramgen_init(ctx) > 0 &&
		    EVP_PKEY_CTX_set_group_name(ctx, names[i]) > 0 &&
		    EVP_PKEY_paramgen(ctx, &ref) > 0 &&
		    EVP_PKEY_get_bn_param(ref, OSSL_PKEY_PARAM_FFC_P, &rp) &&
		    EVP_PKEY_get_bn_param(ref, OSSL_PKEY_PARAM_FFC_G, &rg) && BN_cmp(p, rp) == 0 &&
		    BN_cmp(g, rg) == 0)
			found = names[i];
		BN_free(rp);
		BN_free(rg);
		EVP_PKEY_free(ref);
		EVP_PKEY_CTX_free(ctx);
	}
out:
	BN_free(p);
	BN_free(g);
	return found;
}

static void collect_kex(SSL *ssl, struct hs_result *r)
{
	int gid = SSL_get_negotiated_group(ssl);
	if (gid > 0) {
		const char *gn = SSL_group_to_name(ssl, gid);
		if (gn)
			snprintf(r->group, sizeof(r->group), "%s", gn);
	}
	EVP_PKEY *tk = NULL;
	if (SSL_get_peer_tmp_key(ssl, &tk) && tk) {
		r->kex_bits = EVP_PKEY_get_bits(tk);
		int id = EVP_PKEY_get_base_id(tk);
		if (id == EVP_PKEY_DH) {
			const char *ff = NULL;
			if (r->group[0] && strncasecmp(r->group, "ffdhe", 5) == 0) {
				snprintf(r->kex, sizeof(r->kex), "%s", r->group);
			} else if ((ff = ffdhe_name(tk)) != NULL) {
				snprintf(r->kex, sizeof(r->kex), "%s", ff);
			} else {
				snprintf(r->kex, sizeof(r->kex), "DH-%d", r->kex_bits);
				r->kex_dh_custom = true;
			}
		} else if (r->group[0]) {
			snprintf(r->kex, sizeof(r->kex), "%s", r->group);
		} else {
			snprintf(r->kex, sizeof(r->kex), "%s", key_type_name(id));
		}
		EVP_PKEY_free(tk);
	} else if (r->group[0]) {
		snprintf(r->kex, sizeof(r->kex), "%s", r->group);
	}
	int hn = NID_undef;
	if (SSL_get_peer_signature_nid(ssl, &hn) && hn != NID_undef)
		lower_copy(r->sig_hash, sizeof(r->sig_hash), OBJ_nid2sn(hn));
}

static void hs_result_clear(struct hs_result *r)
{
	json_decref(r->banner);
	json_decref(r->ehlo);
	json_decref(r->cert);
	memset(r, 0, sizeof(*r));
}

/* One connection: TCP, banner, EHLO, STARTTLS, TLS handshake, QUIT; over by conn_deadline
 * seconds and never past `limit` (the enumeration's total deadline), however the server
 * trickles its bytes. */
static void one_connection(const struct tls_probe_env *env, const char *ip, const char *sni,
			   const struct hs_params *hp, struct hs_result *r, double limit)
{
	memset(r, 0, sizeof(*r));
	r->ems = r->secure_reneg = r->client_reneg = -1;
	struct conn c = { .fd = -1, .deadline = now_mono() + env->conn_deadline };
	if (limit > 0 && c.deadline > limit)
		c.deadline = limit;
	buf_init(&c.rb, SMTP_REPLY_MAX_BYTES + 4096);
	struct smtp_reply rep = { 0 };
	SSL *ssl = NULL;
	r->out = tcp_connect(env, &c, ip, r->reason, sizeof(r->reason));
	if (r->out != OUT_TLS_OK)
		goto out;
	r->out = read_reply(&c, step_deadline(env, &c), &rep, r->reason, sizeof(r->reason));
	if (r->out != OUT_TLS_OK)
		goto out;
	{
		struct buf bb;
		buf_init(&bb, 2048);
		for (size_t i = 0; i < rep.n_lines && i < 8; i++)
			buf_printf(&bb, "%s%s", i ? "\n" : "", rep.lines[i]);
		r->banner = json_text(bb.data ? bb.data : "", bb.len, 2048);
		buf_free(&bb);
	}
	if (rep.code != 220) {
		r->out = classify_code(rep.code, "banner", r->reason, sizeof(r->reason));
		smtp_reply_clear(&rep);
		quit_plain(&c);
		goto out;
	}
	smtp_reply_clear(&rep);
	char line[300];
	snprintf(line, sizeof(line), "EHLO %s\r\n", env->ehlo);
	if (send_all(&c, line, step_deadline(env, &c)) < 0) {
		r->out = OUT_TEMP;
		snprintf(r->reason, sizeof(r->reason), "could not send EHLO");
		goto out;
	}
	r->out = read_reply(&c, step_deadline(env, &c), &rep, r->reason, sizeof(r->reason));
	if (r->out != OUT_TLS_OK)
		goto out;
	if (rep.code != 250) {
		r->out = classify_code(rep.code, "EHLO", r->reason, sizeof(r->reason));
		smtp_reply_clear(&rep);
		quit_plain(&c);
		goto out;
	}
	r->ehlo = json_array();
	for (size_t i = 1; i < rep.n_lines && i < 64; i++)
		json_array_append_new(r->ehlo, json_text(rep.lines[i], strlen(rep.lines[i]), 256));
	bool has_starttls = smtp_reply_has_ext(&rep, "STARTTLS");
	smtp_reply_clear(&rep);
	if (!has_starttls) {
		r->out = OUT_NO_STARTTLS;
		snprintf(r->reason, sizeof(r->reason), "STARTTLS not offered");
		quit_plain(&c);
		goto out;
	}
	if (send_all(&c, "STARTTLS\r\n", step_deadline(env, &c)) < 0) {
		r->out = OUT_TEMP;
		snprintf(r->reason, sizeof(r->reason), "could not send STARTTLS");
		goto out;
	}
	r->out = read_reply(&c, step_deadline(env, &c), &rep, r->reason, sizeof(r->reason));
	if (r->out != OUT_TLS_OK)
		goto out;
	if (rep.code != 220) {
		r->out = rep.code >= 400 && rep.code < 500 ? OUT_TEMP : OUT_STARTTLS_REFUSED;
		snprintf(r->reason, sizeof(r->reason), "STARTTLS answered %d", rep.code);
		smtp_reply_clear(&rep);
		quit_plain(&c);
		goto out;
	}
	smtp_reply_clear(&rep);
	c.rb.len = 0; /* never act on bytes sent before the handshake (STARTTLS injection) */

	ssl = SSL_new(env->ctx);
	if (!ssl) {
		r->out = OUT_SMTP_ERROR;
		snprintf(r->reason, sizeof(r->reason), "SSL_new failed");
		goto out;
	}
	SSL_set_security_level(ssl, 0);
	SSL_set_options(ssl, SSL_OP_LEGACY_SERVER_CONNECT | SSL_OP_NO_TICKET);
	SSL_set_min_proto_version(ssl, hp->version);
	SSL_set_max_proto_version(ssl, hp->version);
	bool cfg_ok = SSL_set_cipher_list(ssl, hp->cipher_list ? hp->cipher_list : FULL_CIPHERS) &&
		      SSL_set_ciphersuites(ssl, hp->ciphersuites ? hp->ciphersuites : TLS13_SUITES);
	if (cfg_ok && hp->groups)
		cfg_ok = SSL_set1_groups_list(ssl, hp->groups);
	if (cfg_ok && hp->sigalgs)
		cfg_ok = SSL_set1_sigalgs_list(ssl, hp->sigalgs);
	if (!cfg_ok) {
		r->out = OUT_TLS_FAIL;
		snprintf(r->reason, sizeof(r->reason), "client cannot offer this configuration");
		goto out;
	}
	struct in6_addr a6;
	if (sni && *sni && inet_pton(AF_INET, sni, &a6) != 1 && inet_pton(AF_INET6, sni, &a6) != 1)
		SSL_set_tlsext_host_name(ssl, sni);
	SSL_set_verify(ssl, SSL_VERIFY_NONE, NULL);
	SSL_set_fd(ssl, c.fd);
	SSL_set_connect_state(ssl);
	if (!ssl_drive(ssl, c.fd, SSL_do_handshake, step_deadline(env, &c))) {
		r->out = OUT_TLS_FAIL;
		unsigned long e = ERR_peek_last_error();
		snprintf(r->reason, sizeof(r->reason), "TLS handshake failed%s%s", e ? ": " : "",
			 e ? ERR_reason_error_string(e) ? ERR_reason_error_string(e) : "?" : "");
		goto out;
	}
	r->out = OUT_TLS_OK;
	snprintf(r->version, sizeof(r->version), "%s", SSL_get_version(ssl));
	const SSL_CIPHER *ci = SSL_get_current_cipher(ssl);
	if (ci) {
		const char *std = SSL_CIPHER_standard_name(ci);
		snprintf(r->cipher, sizeof(r->cipher), "%s", std ? std : SSL_CIPHER_get_name(ci));
		snprintf(r->cipher_ossl, sizeof(r->cipher_ossl), "%s", SSL_CIPHER_get_name(ci));
	}
	collect_kex(ssl, r);
	if (SSL_version(ssl) <= TLS1_2_VERSION) {
		r->ems = SSL_get_extms_support(ssl) == 1;
		r->secure_reneg = SSL_get_secure_renegotiation_support(ssl) == 1;
	}
	if (hp->collect_cert)
		r->cert = collect_cert(env->tables, ssl);
	if (hp->try_reneg && SSL_version(ssl) <= TLS1_2_VERSION) {
		double d = now_mono() + (env->timeout < 2 ? env->timeout : 2);
		if (d > c.deadline)
			d = c.deadline;
		r->client_reneg = SSL_renegotiate(ssl) == 1 && ssl_drive(ssl, c.fd, do_reneg, d);
		if (!r->client_reneg) {
			SSL_free(ssl); /* the session is unusable now: no polite QUIT */
			ssl = NULL;
			goto out;
		}
	}
	{
		/* QUIT over TLS, best effort, and wait briefly for the 221. */
		double d = now_mono() + 1.0;
		if (d > c.deadline)
			d = c.deadline;
		const char q[] = "QUIT\r\n";
		for (;;) {
			ERR_clear_error();
			int w = SSL_write(ssl, q, sizeof(q) - 1);
			if (w > 0)
				break;
			int e = SSL_get_error(ssl, w);
			if ((e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) ||
			    wait_fd(c.fd, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, d) <= 0)
				break;
		}
		char tmp[512];
		size_t got = 0;
		while (got < 4 && now_mono() < d) {
			ERR_clear_error();
			int n = SSL_read(ssl, tmp, sizeof(tmp));
			if (n > 0) {
				got += (size_t)n;
				continue;
			}
			int e = SSL_get_error(ssl, n);
			if ((e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) ||
			    wait_fd(c.fd, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, d) <= 0)
				break;
		}
		SSL_shutdown(ssl);
	}
out:
	if (ssl)
		SSL_free(ssl);
	if (c.fd >= 0)
		close(c.fd);
	buf_free(&c.rb);
}

/* ---- enumeration ---- */

struct run {
	const struct tls_probe_env *env;
	const char *ip, *sni;
	double total_deadline;
	bool incomplete;
	json_t *errors;
};

static bool connect_ok(struct run *run)
{
	if (now_mono() > run->total_deadline)
		return false;
	return !run->env->before_connect || run->env->before_connect(run->env->arg) == 0;
}

/* A connection with one retry after a temporary failure. */
static void do_conn(struct run *run, const struct hs_params *hp, struct hs_result *r)
{
	for (int attempt = 0; attempt < 2; attempt++) {
		if (!connect_ok(run)) {
			bool late = now_mono() > run->total_deadline;
			memset(r, 0, sizeof(*r));
			r->out = OUT_BUDGET;
			snprintf(r->reason, sizeof(r->reason), "%s",
				 late ? "time limit of the probe reached"
				      : "connection budget exhausted");
			return;
		}
		one_connection(run->env, run->ip, run->sni, hp, r, run->total_deadline);
		if (r->out != OUT_TEMP &&
		    !(r->out == OUT_UNREACHABLE && attempt == 0 && strstr(r->reason, "reset")))
			return;
		if (attempt == 0) {
			hs_result_clear(r);
			struct timespec ts = { 1, 0 };
			nanosleep(&ts, NULL);
		}
	}
}

/* In an enumeration step: true when the handshake result is meaningful (accepted or not). */
static bool step_usable(struct run *run, struct hs_result *r)
{
	if (r->out == OUT_TLS_OK || r->out == OUT_TLS_FAIL)
		return true;
	run->incomplete = true;
	if (json_array_size(run->errors) < 8)
		json_array_append_new(run->errors, json_str(r->reason));
	return false;
}

struct namelist {
	char **v;
	size_t n;
};

static void nl_add(struct namelist *l, const char *s)
{
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(char *));
	l->v[l->n++] = xstrdup(s);
}

static bool nl_remove(struct namelist *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0) {
			free(l->v[i]);
			memmove(l->v + i, l->v + i + 1, (l->n - i - 1) * sizeof(char *));
			l->n--;
			return true;
		}
	return false;
}

static void nl_free(struct namelist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static char *nl_join(const struct namelist *l)
{
	struct buf b;
	buf_init(&b, 1 << 16);
	for (size_t i = 0; i < l->n; i++)
		buf_printf(&b, "%s%s", i ? ":" : "", l->v[i]);
	return b.data ? buf_steal(&b) : xstrdup("");
}

/* The OpenSSL names of the TLS <= 1.2 suites this client can offer for `version`. */
static void suites_for_version(SSL_CTX *ctx, int version, struct namelist *out)
{
	SSL *s = SSL_new(ctx);
	if (!s)
		return;
	SSL_set_security_level(s, 0);
	SSL_set_min_proto_version(s, version);
	SSL_set_max_proto_version(s, version);
	if (SSL_set_cipher_list(s, FULL_CIPHERS)) {
		STACK_OF(SSL_CIPHER) *sk = SSL_get1_supported_ciphers(s);
		for (int i = 0; sk && i < sk_SSL_CIPHER_num(sk); i++) {
			const SSL_CIPHER *c = sk_SSL_CIPHER_value(sk, i);
			if (strcmp(SSL_CIPHER_get_version(c), "TLSv1.3") == 0)
				continue;
			nl_add(out, SSL_CIPHER_get_name(c));
		}
		sk_SSL_CIPHER_free(sk);
	}
	SSL_free(s);
}

static json_t *suite_json(const struct tls_tables *tab, const struct hs_result *r,
			  enum tls_class *worst_suite, enum tls_class *worst_kex)
{
	json_t *o = json_object();
	enum tls_class c = tls_class_cipher(tab, r->cipher);
	*worst_suite = tls_class_worst(*worst_suite, c);
	json_object_set_new(o, "name", json_string(r->cipher));
	json_object_set_new(o, "openssl", json_string(r->cipher_ossl));
	json_object_set_new(o, "class", json_string(tls_class_name(c)));
	if (r->kex[0]) {
		enum tls_class k;
		if (r->kex_dh_custom)
			k = tls_class_dh(tab, NULL, r->kex_bits);
		else if (strcmp(r->kex, "rsa") == 0)
			k = TLS_CLASS_GOOD; /* RSA key exchange: judged as a suite */
		else
			k = tls_class_group(tab, r->kex);
		*worst_kex = tls_class_worst(*worst_kex, k);
		json_object_set_new(o, "kex", json_string(r->kex));
		json_object_set_new(o, "kex_bits", json_integer(r->kex_bits));
		json_object_set_new(o, "kex_class", json_string(tls_class_name(k)));
	}
	return o;
}

static const struct {
	int v;
	const char *name;
} versions[] = {
	{ TLS1_3_VERSION, "TLSv1.3" },
	{ TLS1_2_VERSION, "TLSv1.2" },
	{ TLS1_1_VERSION, "TLSv1.1" },
	{ TLS1_VERSION, "TLSv1" },
};
#define N_VERSIONS (sizeof(versions) / sizeof(versions[0]))

json_t *tls_probe_run(const struct tls_probe_env *env, const char *ip, const char *sni)
{
	const struct tls_tables *tab = env->tables;
	struct run run = { .env = env, .ip = ip, .sni = sni, .errors = json_array() };
	run.total_deadline = now_mono() + env->total_deadline;
	json_t *res = json_object();
	json_object_set_new(res, "ip", json_string(ip));
	json_object_set_new(res, "sni", json_str(sni));
	json_object_set_new(res, "not_tested",
			    json_pack("[sssss]", "SSLv2", "SSLv3", "RC4 and 3DES suites",
				      "TLS compression", "PSK and SRP suites"));

	struct hs_result hr[N_VERSIONS];
	bool accepted[N_VERSIONS] = { false };
	bool have_cert = false, first = true;
	for (size_t i = 0; i < N_VERSIONS; i++) {
		struct hs_params hp = { .version = versions[i].v,
					.collect_cert = !have_cert,
					.try_reneg = versions[i].v == TLS1_2_VERSION };
		do_conn(&run, &hp, &hr[i]);
		if (first) {
			first = false;
			if (hr[i].banner)
				json_object_set(res, "banner", hr[i].banner);
			if (hr[i].ehlo)
				json_object_set(res, "ehlo", hr[i].ehlo);
			/* Whether port 25 accepted the TCP connection (the ipv6 check reads it);
			 * absent when no connection was tried (budget or time limit). */
			if (hr[i].out != OUT_BUDGET)
				json_object_set_new(res, "connected",
						    json_boolean(hr[i].out != OUT_UNREACHABLE));
			const char *st = NULL;
			switch (hr[i].out) {
			case OUT_NO_STARTTLS:
				st = "no_starttls";
				break;
			case OUT_STARTTLS_REFUSED:
				st = "starttls_refused";
				break;
			case OUT_UNREACHABLE:
				st = "unreachable";
				break;
			case OUT_TEMP:
			case OUT_SMTP_ERROR:
			case OUT_BUDGET:
				st = "smtp_error";
				break;
			default:
				break;
			}
			if (st) {
				json_object_set_new(res, "status", json_string(st));
				json_object_set_new(res, "reason", json_str(hr[i].reason));
				for (size_t k = 0; k <= i; k++)
					hs_result_clear(&hr[k]);
				goto done;
			}
		} else {
			step_usable(&run, &hr[i]);
		}
		accepted[i] = hr[i].out == OUT_TLS_OK;
		if (accepted[i] && hr[i].cert && !have_cert) {
			json_object_set(res, "cert", hr[i].cert);
			have_cert = true;
		}
	}

	json_t *vers = json_array();
	enum tls_class vworst = TLS_CLASS_GOOD;
	int highest = -1, highest12 = -1;
	for (size_t i = 0; i < N_VERSIONS; i++)
		if (accepted[i]) {
			enum tls_class c = tls_class_version(tab, versions[i].name);
			vworst = tls_class_worst(vworst, c);
			json_array_append_new(vers, json_pack("{s:s,s:s}", "name", versions[i].name,
							      "class", tls_class_name(c)));
			if (highest < 0)
				highest = (int)i;
			if (highest12 < 0 && versions[i].v <= TLS1_2_VERSION)
				highest12 = (int)i;
		}
	json_object_set_new(res, "versions", vers);
	if (highest < 0) {
		json_object_set_new(res, "status", json_string("tls_failed"));
		json_object_set_new(res, "reason", json_str(hr[0].reason));
		for (size_t k = 0; k < N_VERSIONS; k++)
			hs_result_clear(&hr[k]);
		goto done;
	}
	json_object_set_new(res, "status", json_string("ok"));
	json_object_set_new(res, "versions_class", json_string(tls_class_name(vworst)));

	/* TLS 1.2 facts: EMS, secure and client-initiated renegotiation. */
	for (size_t i = 0; i < N_VERSIONS; i++)
		if (accepted[i] && versions[i].v == TLS1_2_VERSION) {
			json_object_set_new(res, "extended_master_secret",
					    json_boolean(hr[i].ems == 1));
			json_object_set_new(res, "client_renegotiation",
					    json_boolean(hr[i].client_reneg == 1));
		}
	/* Secure renegotiation: required on every accepted version below 1.3. */
	{
		int sr = -1;
		for (size_t i = 0; i < N_VERSIONS; i++)
			if (accepted[i] && versions[i].v <= TLS1_2_VERSION)
				sr = (sr == 0 || hr[i].secure_reneg != 1) ? 0 : 1;
		json_object_set_new(res, "secure_renegotiation",
				    sr < 0 ? json_null() : json_boolean(sr == 1));
	}

	/* Suites per accepted version: offer, record, remove, repeat. */
	json_t *suites = json_object();
	enum tls_class sworst = TLS_CLASS_GOOD, kworst = TLS_CLASS_GOOD;
	struct namelist acc12 = { 0 }; /* accepted suites of the highest version below 1.3 */
	for (size_t i = 0; i < N_VERSIONS; i++) {
		if (!accepted[i])
			continue;
		json_t *arr = json_array();
		bool is13 = versions[i].v == TLS1_3_VERSION;
		struct namelist left = { 0 };
		if (is13) {
			char *s = xstrdup(TLS13_SUITES), *save = NULL;
			for (char *t = strtok_r(s, ":", &save); t; t = strtok_r(NULL, ":", &save))
				nl_add(&left, t);
			free(s);
		} else {
			suites_for_version(env->ctx, versions[i].v, &left);
		}
		struct hs_result cur = hr[i];
		memset(&hr[i], 0, sizeof(hr[i]));
		for (unsigned guard = 0; guard < 256; guard++) {
			const char *nm = is13 ? cur.cipher : cur.cipher_ossl;
			json_array_append_new(arr, suite_json(tab, &cur, &sworst, &kworst));
			if ((int)i == highest12)
				nl_add(&acc12, cur.cipher_ossl);
			bool removed = nl_remove(&left, nm);
			hs_result_clear(&cur);
			if (!removed || left.n == 0)
				break;
			char *list = nl_join(&left);
			struct hs_params hp = { .version = versions[i].v,
						.cipher_list = is13 ? NULL : list,
						.ciphersuites = is13 ? list : NULL };
			do_conn(&run, &hp, &cur);
			free(list);
			if (!step_usable(&run, &cur) || cur.out != OUT_TLS_OK) {
				hs_result_clear(&cur);
				break;
			}
		}
		nl_free(&left);
		json_object_set_new(suites, versions[i].name, arr);
	}
	for (size_t k = 0; k < N_VERSIONS; k++)
		hs_result_clear(&hr[k]);
	json_object_set_new(res, "suites", suites);
	json_object_set_new(res, "suites_class", json_string(tls_class_name(sworst)));
	json_object_set_new(res, "kex_class", json_string(tls_class_name(kworst)));

	/* Groups accepted on the highest version (detail; the verdict uses the negotiated ones). */
	{
		struct namelist g = { 0 };
		SSL *t = SSL_new(env->ctx);
		for (size_t i = 0; t && i < sizeof(probe_groups) / sizeof(probe_groups[0]); i++)
			if (SSL_set1_groups_list(t, probe_groups[i]))
				nl_add(&g, probe_groups[i]);
		SSL_free(t);
		json_t *ga = json_array();
		bool is13 = versions[highest].v == TLS1_3_VERSION;
		for (unsigned guard = 0; guard < 32 && g.n; guard++) {
			char *list = nl_join(&g);
			struct hs_params hp = { .version = versions[highest].v,
						.cipher_list = "ECDHE:" FULL_CIPHERS,
						.groups = list };
			(void)is13;
			struct hs_result gr;
			do_conn(&run, &hp, &gr);
			free(list);
			bool ok = step_usable(&run, &gr) && gr.out == OUT_TLS_OK && gr.group[0];
			if (ok) {
				enum tls_class c = tls_class_group(tab, gr.group);
				json_array_append_new(ga, json_pack("{s:s,s:s}", "name", gr.group,
								    "class", tls_class_name(c)));
			}
			bool removed = ok && nl_remove(&g, gr.group);
			if (ok && !removed) {
				/* alias (prime256v1 vs secp256r1): drop by the OpenSSL short name
				 */
				int nid = OBJ_sn2nid(gr.group);
				if (nid == NID_X9_62_prime256v1)
					removed = nl_remove(&g, "secp256r1");
			}
			hs_result_clear(&gr);
			if (!removed)
				break;
		}
		nl_free(&g);
		json_object_set_new(res, "groups", ga);
	}

	/* Key-exchange signature hash (TLS 1.2): SHA-1 insufficient, SHA-224 phase out. */
	if (highest12 >= 0 && versions[highest12].v == TLS1_2_VERSION && acc12.n) {
		static const char *const tries[][2] = {
			{ "sha1", "RSA+SHA1:ECDSA+SHA1:DSA+SHA1" },
			{ "sha224", "RSA+SHA224:ECDSA+SHA224:DSA+SHA224" },
		};
		char *list = nl_join(&acc12);
		const char *accepted_hash = NULL;
		bool tested = false;
		for (size_t k = 0; k < 2 && !accepted_hash; k++) {
			struct hs_params hp = { .version = TLS1_2_VERSION,
						.cipher_list = list,
						.sigalgs = tries[k][1] };
			struct hs_result kr;
			do_conn(&run, &hp, &kr);
			if (step_usable(&run, &kr)) {
				tested = true;
				if (kr.out == OUT_TLS_OK && strcmp(kr.sig_hash, tries[k][0]) == 0)
					accepted_hash = tries[k][0];
			}
			hs_result_clear(&kr);
		}
		free(list);
		if (tested) {
			enum tls_class c =
				accepted_hash ? tls_class_hash(tab, accepted_hash) : TLS_CLASS_GOOD;
			json_object_set_new(res, "kex_hash",
					    json_pack("{s:s?,s:s}", "weakest_accepted",
						      accepted_hash, "class", tls_class_name(c)));
		}
	}

	/* Cipher order (Internet.nl): phase-out suites first, then one good/sufficient suite. */
	if (highest12 >= 0 && acc12.n) {
		struct namelist po = { 0 }, gs = { 0 };
		SSL *t = SSL_new(env->ctx);
		SSL_set_security_level(t, 0);
		SSL_set_cipher_list(t, FULL_CIPHERS);
		STACK_OF(SSL_CIPHER) *all = SSL_get_ciphers(t);
		for (size_t k = 0; k < acc12.n; k++)
			for (int j = 0; all && j < sk_SSL_CIPHER_num(all); j++) {
				const SSL_CIPHER *c = sk_SSL_CIPHER_value(all, j);
				if (strcmp(SSL_CIPHER_get_name(c), acc12.v[k]) != 0)
					continue;
				enum tls_class cl =
					tls_class_cipher(tab, SSL_CIPHER_standard_name(c));
				if (cl == TLS_CLASS_PHASE_OUT)
					nl_add(&po, acc12.v[k]);
				else if (cl != TLS_CLASS_INSUFFICIENT)
					nl_add(&gs, acc12.v[k]);
			}
		SSL_free(t);
		/* CHACHA20 phase-out suites last */
		for (size_t k = 0; k < po.n; k++)
			if (strstr(po.v[k], "CHACHA20")) {
				char *s = po.v[k];
				memmove(po.v + k, po.v + k + 1, (po.n - k - 1) * sizeof(char *));
				po.v[po.n - 1] = s;
			}
		json_t *co = json_object();
		if (po.n == 0 || gs.n == 0) {
			json_object_set_new(co, "status", json_string("na"));
		} else {
			json_t *viol = NULL;
			bool any = false;
			for (size_t k = 0; k < gs.n && !viol; k++) {
				struct namelist offer = { 0 };
				for (size_t j = 0; j < po.n; j++)
					nl_add(&offer, po.v[j]);
				nl_add(&offer, gs.v[k]);
				char *list = nl_join(&offer);
				struct hs_params hp = { .version = versions[highest12].v,
							.cipher_list = list };
				struct hs_result orr;
				do_conn(&run, &hp, &orr);
				if (step_usable(&run, &orr) && orr.out == OUT_TLS_OK) {
					any = true;
					if (strcmp(orr.cipher_ossl, gs.v[k]) != 0)
						viol = json_pack("[ss]", orr.cipher_ossl, gs.v[k]);
				}
				hs_result_clear(&orr);
				free(list);
				nl_free(&offer);
			}
			json_object_set_new(co, "status",
					    json_string(viol  ? "violation"
							: any ? "ok"
							      : "na"));
			if (viol)
				json_object_set_new(co, "violation", viol);
		}
		json_object_set_new(res, "cipher_order", co);
		nl_free(&po);
		nl_free(&gs);
	}
	nl_free(&acc12);
done:
	json_object_set_new(res, "incomplete", json_boolean(run.incomplete));
	if (json_array_size(run.errors))
		json_object_set(res, "errors", run.errors);
	json_decref(run.errors);
	return res;
}

/* ---- offline helpers ---- */

/* Decode one base64 DER certificate; NULL when it is not one. *der_len gets the DER size. */
static X509 *decode_cert(const char *b64, size_t *der_len)
{
	size_t bl = strlen(b64);
	unsigned char *der = xmalloc(bl + 1);
	int n = EVP_DecodeBlock(der, (const unsigned char *)b64, (int)bl);
	if (n < 0) {
		free(der);
		return NULL;
	}
	while (bl && b64[bl - 1] == '=') {
		bl--;
		n--;
	}
	const unsigned char *p = der;
	X509 *x = d2i_X509(NULL, &p, n);
	free(der);
	if (x)
		*der_len += (size_t)n;
	return x;
}

struct tls_chain *tls_chain_decode(const json_t *result)
{
	const json_t *chain = json_object_get(json_object_get(result, "cert"), "chain");
	size_t n = json_array_size(chain);
	if (n == 0)
		return NULL;
	struct tls_chain *c = xcalloc(1, sizeof(*c));
	c->n = n;
	c->x = xcalloc(n, sizeof(X509 *));
	for (size_t i = 0; i < n; i++) {
		const char *b64 =
			json_string_value(json_object_get(json_array_get(chain, i), "der"));
		c->x[i] = b64 ? decode_cert(b64, &c->der_bytes) : NULL;
	}
	return c;
}

void tls_chain_free(struct tls_chain *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		X509_free(c->x[i]);
	free(c->x);
	free(c);
}

int tls_chain_matches_host(const struct tls_chain *c, const char *host)
{
	if (!c || !c->x[0])
		return -1;
	return X509_check_host(c->x[0], host, 0, 0, NULL) == 1;
}

int tls_cert_matches_host(const json_t *result, const char *host)
{
	struct tls_chain *c = tls_chain_decode(result);
	int r = tls_chain_matches_host(c, host);
	tls_chain_free(c);
	return r;
}

static bool tlsa_matches(X509 *x, const struct tlsa_rec *t)
{
	unsigned char *der = NULL;
	int dl;
	if (t->selector == 0)
		dl = i2d_X509(x, &der);
	else if (t->selector == 1)
		dl = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &der);
	else
		return false;
	if (dl <= 0)
		return false;
	bool ok = false;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int ml = 0;
	if (t->mtype == 0) {
		ok = (size_t)dl == t->len && memcmp(der, t->data, t->len) == 0;
	} else if (t->mtype == 1 || t->mtype == 2) {
		const EVP_MD *m = t->mtype == 1 ? EVP_sha256() : EVP_sha512();
		if (EVP_Digest(der, (size_t)dl, md, &ml, m, NULL))
			ok = ml == t->len && memcmp(md, t->data, ml) == 0;
	}
	OPENSSL_free(der);
	return ok;
}

int tls_chain_dane_match(const struct tls_chain *c, const char *host, const struct tlsa_rec *recs,
			 size_t n, const char **how)
{
	if (!c)
		return -1;
	size_t cl = c->n;
	X509 *const *chain = c->x;
	int matched = 0;
	*how = "no TLSA record matches the presented chain";
	for (size_t k = 0; k < n && !matched; k++) {
		const struct tlsa_rec *t = &recs[k];
		if (t->usage == 3 && chain[0] && tlsa_matches(chain[0], t)) {
			matched = 1;
			*how = "DANE-EE matches the server certificate";
		} else if (t->usage == 2) {
			for (size_t i = 1; i < cl && !matched; i++) {
				if (!chain[i] || !tlsa_matches(chain[i], t))
					continue;
				X509_STORE *st = X509_STORE_new();
				X509_STORE_add_cert(st, chain[i]);
				STACK_OF(X509) *untrusted = sk_X509_new_null();
				for (size_t j = 1; j < i; j++)
					if (chain[j])
						sk_X509_push(untrusted, chain[j]);
				X509_STORE_CTX *ctx = X509_STORE_CTX_new();
				if (chain[0] && X509_STORE_CTX_init(ctx, st, chain[0], untrusted)) {
					X509_VERIFY_PARAM *vp = X509_STORE_CTX_get0_param(ctx);
					X509_VERIFY_PARAM_set_flags(vp, X509_V_FLAG_PARTIAL_CHAIN);
					X509_VERIFY_PARAM_set1_host(vp, host, 0);
					if (X509_verify_cert(ctx) == 1) {
						matched = 1;
						*how = "DANE-TA matches a CA of the presented chain";
					} else {
						*how = "DANE-TA matches, but the chain or name does not "
						       "verify from it";
					}
				}
				X509_STORE_CTX_free(ctx);
				sk_X509_free(untrusted);
				X509_STORE_free(st);
			}
		}
	}
	return matched;
}

int tls_dane_match(const json_t *result, const char *host, const struct tlsa_rec *recs, size_t n,
		   const char **how)
{
	struct tls_chain *c = tls_chain_decode(result);
	int r = tls_chain_dane_match(c, host, recs, n, how);
	tls_chain_free(c);
	return r;
}
