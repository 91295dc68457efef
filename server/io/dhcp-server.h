/* bootserv's DHCPv4 server: the shell around the pure policy (server/policy). Receives
 * on UDP port 67 bound to one interface, asks bc_dhcp_policy_handle what to do, sends
 * the reply where RFC 2131 4.1 says (relay, ciaddr, broadcast, or link-layer unicast
 * to chaddr through an AF_PACKET socket), and logs one "dhcp" event per request with
 * the client's fingerprint and the reason. Malformed packets are dropped (debug log,
 * "dropped" event); the server keeps serving. */
#pragma once

#include <glib.h>

#include "server/conf/conf.h"
#include "server/io/event-log.h"
#include "server/policy/lease-db.h"

G_BEGIN_DECLS

typedef struct _BcDhcpServer BcDhcpServer;

/* Serves on @ifname (its first IPv4 address is the server identifier) on the
 * thread-default main context. @conf, @leases and @log (may be NULL) are borrowed and
 * must outlive the server. @port is 67 except in tests. G_IO_ERROR on failure (no
 * such interface, no IPv4 address on it, bind failed). */
BcDhcpServer *bc_dhcp_server_new (const BcConf *conf, BcLeaseDb *leases, const char *ifname,
                                  guint16 port, BcEventLog *log, GError **error);
void bc_dhcp_server_free (BcDhcpServer *server);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BcDhcpServer, bc_dhcp_server_free)

/* The interface's IPv4 address (network order). */
guint32 bc_dhcp_server_get_address (BcDhcpServer *server);

/* Reads an interface's first IPv4 address (network order) and index. */
gboolean bc_interface_get_ipv4 (const char *ifname, guint32 *ret_addr, int *ret_ifindex,
                                GError **error);

G_END_DECLS
