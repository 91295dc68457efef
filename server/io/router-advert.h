/* A minimal IPv6 router on the boot network: answers router solicitations with an
 * advertisement that says "no router here, no prefixes, no DHCPv6" (RFC 4861 4.2:
 * M/O clear, router lifetime 0, no prefix information). Why a boot server does this:
 * iPXE waits for IPv6 autoconfiguration after DHCPv4 until it times out — measured
 * here, a BIOS boot takes 19 s without an advertisement and 3.9 s with one
 * (ARCHITECTURE.md, machine facts). Not DHCP: it adds nothing to the DHCP replies.
 *
 * Needs an IPv6 link-local address on the interface (RFC 4861 6.1.2: an RA's source
 * is link-local); a bridge or veth has one as soon as it is up (with DAD, ~1 s
 * later). Until then sending fails and is retried once a second. */
#pragma once

#include <glib.h>

#include "server/io/event-log.h"

G_BEGIN_DECLS

typedef struct _BcRouterAdvert BcRouterAdvert;

/* Opens the ICMPv6 socket on @ifname, sends one unsolicited advertisement and answers
 * solicitations on the thread-default main context. @log borrowed, may be NULL.
 * G_IO_ERROR on failure (no such interface, no permission for a raw socket). */
BcRouterAdvert *bc_router_advert_new (const char *ifname, BcEventLog *log, GError **error);
void bc_router_advert_free (BcRouterAdvert *ra);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BcRouterAdvert, bc_router_advert_free)

/* The advertisement's ICMPv6 body (type 134 … source link-layer address option);
 * the kernel fills the checksum. Pure. @mac may be NULL (option omitted). */
GBytes *bc_router_advert_build (const guint8 *mac);

G_END_DECLS
