/* Link-layer sending of a DHCP reply to a client that has no IPv4 address yet and did
 * not ask for a broadcast (RFC 2131 4.1: "unicasts ... to the client's hardware
 * address and 'yiaddr' address"). iPXE's native drivers (virtio-net, e1000) leave the
 * broadcast flag clear and accept only this. Without an ARP entry the kernel cannot
 * route a UDP sendto there, so, as ISC dhcpd does, we write the frame through an
 * AF_PACKET socket and build the IPv4 and UDP headers ourselves. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* IPv4 header (20 bytes, DF clear, TTL 64) + UDP header + @payload with both
 * checksums (RFC 791, RFC 768). Pure. Addresses in network order, ports host order. */
GBytes *bc_ipv4_udp_build (guint32 src_addr, guint16 src_port, guint32 dst_addr, guint16 dst_port,
                           const guint8 *payload, gsize len);

/* The Internet checksum (RFC 1071) of @data, with @initial added (a pseudo-header sum). */
guint16 bc_inet_checksum (const guint8 *data, gsize len, guint32 initial);

/* An AF_PACKET/SOCK_DGRAM socket for IPv4 frames on @ifindex (the kernel adds the
 * Ethernet header). Returns the fd, or -1 with a G_IO_ERROR. */
int bc_packet_socket_open (int ifindex, GError **error);

/* Sends @ip_packet (from bc_ipv4_udp_build) to Ethernet address @dst_mac (6 bytes). */
gboolean bc_packet_socket_send (int fd, int ifindex, const guint8 *dst_mac, GBytes *ip_packet,
                                GError **error);

G_END_DECLS
