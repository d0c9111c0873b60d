/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Certificates embedded at build time (make SIGNING_CERT=cert.pem): the
 * top-level Makefile writes them, DER, to embedded_certs.der next to this
 * file; an empty file embeds none.
 */
	.section .rodata, "a"
	.globl	hg_embedded_certs
hg_embedded_certs:
	.incbin	"embedded_certs.der"
	.globl	hg_embedded_certs_end
hg_embedded_certs_end:
