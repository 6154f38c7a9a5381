/*
 * TLS files: a self-signed certificate made with gnutls (the library
 * libmicrohttpd already uses, so no openssl command is needed) at first
 * start, kept in the data directory and reused after, and a check that a
 * certificate and key belong together (for `serve -n`).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <sodium.h>

#include "core/log.h"
#include "core/util.h"
#include "server/server_int.h"

#define TLS_DAYS 825

static int tls_write(const char *path, const gnutls_datum_t *d, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode);
	ssize_t w;

	if (fd < 0) {
		log_err("cannot create %s: %s", path, strerror(errno));
		return -1;
	}
	w = write(fd, d->data, d->size);
	if (close(fd) < 0 || w != (ssize_t)d->size) {
		log_err("cannot write %s", path);
		unlink(path);
		return -1;
	}
	return 0;
}

static int tls_make(const char *cert_path, const char *key_path)
{
	gnutls_x509_privkey_t key = NULL;
	gnutls_x509_crt_t crt = NULL;
	gnutls_datum_t kd = {NULL, 0}, cd = {NULL, 0};
	unsigned char serial[16], lo[4] = {127, 0, 0, 1}, lo6[16] = {0};
	char host[256];
	time_t now = time(NULL);
	int rc = -1, e;

	lo6[15] = 1;
	if (gethostname(host, sizeof(host)) < 0 || !host[0])
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	gnutls_rnd(GNUTLS_RND_NONCE, serial, sizeof(serial));
	serial[0] &= 0x7f;
	if ((e = gnutls_x509_privkey_init(&key)) < 0 ||
	    (e = gnutls_x509_privkey_generate(
		     key, GNUTLS_PK_ECDSA,
		     GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0)) <
		    0 ||
	    (e = gnutls_x509_crt_init(&crt)) < 0 ||
	    (e = gnutls_x509_crt_set_version(crt, 3)) < 0 ||
	    (e = gnutls_x509_crt_set_serial(crt, serial, sizeof(serial))) < 0 ||
	    (e = gnutls_x509_crt_set_activation_time(crt, now - 3600)) < 0 ||
	    (e = gnutls_x509_crt_set_expiration_time(
		     crt, now + (time_t)TLS_DAYS * 86400)) < 0 ||
	    (e = gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME,
					       0, host, strlen(host))) < 0 ||
	    (e = gnutls_x509_crt_set_subject_alt_name(
		     crt, GNUTLS_SAN_DNSNAME, host, strlen(host),
		     GNUTLS_FSAN_APPEND)) < 0 ||
	    (e = gnutls_x509_crt_set_subject_alt_name(
		     crt, GNUTLS_SAN_DNSNAME, "localhost", 9,
		     GNUTLS_FSAN_APPEND)) < 0 ||
	    (e = gnutls_x509_crt_set_subject_alt_name(
		     crt, GNUTLS_SAN_IPADDRESS, lo, 4, GNUTLS_FSAN_APPEND)) <
		    0 ||
	    (e = gnutls_x509_crt_set_subject_alt_name(
		     crt, GNUTLS_SAN_IPADDRESS, lo6, 16, GNUTLS_FSAN_APPEND)) <
		    0 ||
	    (e = gnutls_x509_crt_set_basic_constraints(crt, 0, -1)) < 0 ||
	    (e = gnutls_x509_crt_set_key_usage(
		     crt, GNUTLS_KEY_DIGITAL_SIGNATURE)) < 0 ||
	    (e = gnutls_x509_crt_set_key_purpose_oid(
		     crt, GNUTLS_KP_TLS_WWW_SERVER, 0)) < 0 ||
	    (e = gnutls_x509_crt_set_key(crt, key)) < 0 ||
	    (e = gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256, 0)) <
		    0 ||
	    (e = gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &cd)) < 0 ||
	    (e = gnutls_x509_privkey_export2(key, GNUTLS_X509_FMT_PEM, &kd)) <
		    0) {
		log_err("cannot make a self-signed certificate: %s",
			gnutls_strerror(e));
		goto fail;
	}
	if (tls_write(key_path, &kd, 0600) < 0)
		goto fail;
	if (tls_write(cert_path, &cd, 0644) < 0) {
		unlink(key_path);
		goto fail;
	}
	fprintf(stderr,
		"netcensus: made a self-signed certificate for %s, localhost, "
		"127.0.0.1 and ::1: %s\n",
		host, cert_path);
	rc = 0;
fail:
	if (kd.data) {
		sodium_memzero(kd.data, kd.size);
		gnutls_free(kd.data);
	}
	gnutls_free(cd.data);
	gnutls_x509_crt_deinit(crt);
	gnutls_x509_privkey_deinit(key);
	return rc;
}

int tls_self_signed(const char *dir, char **cert_path, char **key_path)
{
	*cert_path = xasprintf("%s/tls-self-signed.crt", dir);
	*key_path = xasprintf("%s/tls-self-signed.key", dir);
	if (access(*cert_path, R_OK) == 0 && access(*key_path, R_OK) == 0 &&
	    tls_check_pair_files(*cert_path, *key_path) == 0)
		return 0;
	unlink(*cert_path);
	unlink(*key_path);
	if (tls_make(*cert_path, *key_path) < 0) {
		free(*cert_path);
		free(*key_path);
		*cert_path = *key_path = NULL;
		return -1;
	}
	return 0;
}

int tls_check_pair_files(const char *cert_path, const char *key_path)
{
	gnutls_certificate_credentials_t cred = NULL;
	int e;

	if (gnutls_certificate_allocate_credentials(&cred) < 0)
		return -1;
	e = gnutls_certificate_set_x509_key_file(cred, cert_path, key_path,
						 GNUTLS_X509_FMT_PEM);
	gnutls_certificate_free_credentials(cred);
	if (e < 0) {
		log_err("%s / %s: %s (need a PEM certificate and its PEM key)",
			cert_path, key_path, gnutls_strerror(e));
		return -1;
	}
	return 0;
}
