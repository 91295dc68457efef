/* BOOTP/DHCPv4 messages: bytes <-> BcDhcpMsg (RFC 951, RFC 2131, RFC 2132, RFC 3396).
 * Pure: no sockets, no clock. All wire data is hostile (iPXE doc/threat_model.dox):
 * every length is checked against what remains before use. */
#pragma once

#include <glib.h>

#include "server/proto/dhcp-option.h"

G_BEGIN_DECLS

#define BC_DHCP_ERROR (bc_dhcp_error_quark ())
GQuark bc_dhcp_error_quark (void);

typedef enum
{
  BC_DHCP_ERROR_TRUNCATED, /* shorter than the fixed header, or an option runs past the end */
  BC_DHCP_ERROR_MAGIC,     /* no RFC 2131 magic cookie (a plain BOOTP packet is fine: see parse) */
  BC_DHCP_ERROR_MALFORMED, /* bad op/hlen, overload loop, … */
  BC_DHCP_ERROR_TOO_BIG,   /* build: options do not fit the client's maximum message size */
} BcDhcpError;

#define BC_DHCP_OP_BOOTREQUEST 1
#define BC_DHCP_OP_BOOTREPLY 2
#define BC_DHCP_FLAG_BROADCAST 0x8000
#define BC_DHCP_SERVER_PORT 67
#define BC_DHCP_CLIENT_PORT 68
#define BC_DHCP_FIXED_LEN 236 /* op … file, before the magic cookie */
#define BC_DHCP_MIN_LEN 300   /* RFC 951 BOOTP minimum, replies are padded to it */

/* One option as it appeared (after RFC 3396 concatenation of same-code instances,
 * and after option overload (52) pulled options out of file/sname). */
typedef struct
{
  guint8 code;
  GBytes *data; /* may be empty (zero-length option) */
} BcDhcpOption;

/* Addresses are guint32 in network byte order (as struct in_addr.s_addr). */
typedef struct
{
  guint8 op, htype, hlen, hops;
  guint32 xid;   /* host order */
  guint16 secs;  /* host order */
  guint16 flags; /* host order: BC_DHCP_FLAG_BROADCAST */
  guint32 ciaddr, yiaddr, siaddr, giaddr;
  guint8 chaddr[16];
  char sname[65];     /* NUL-terminated; when overloaded (52) it is empty here */
  char file[129];     /* NUL-terminated; when overloaded (52) it is empty here */
  gboolean has_magic; /* FALSE: plain BOOTP (no options) */
  GPtrArray *options; /* of BcDhcpOption*, wire order of first appearance, code unique */
} BcDhcpMsg;

BcDhcpMsg *bc_dhcp_msg_new (void);
void bc_dhcp_msg_free (BcDhcpMsg *msg);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BcDhcpMsg, bc_dhcp_msg_free)
BcDhcpMsg *bc_dhcp_msg_copy (const BcDhcpMsg *msg);

/* Parse a whole UDP payload. Options with the same code are concatenated (RFC 3396);
 * option 52 makes file/sname carry options (RFC 2132 9.3), each field parsed at most
 * once; 52 itself is consumed (never in msg->options). A missing END is tolerated; a
 * vendor area that is absent or all zeros is plain BOOTP (has_magic FALSE); anything
 * else without the cookie is BC_DHCP_ERROR_MAGIC. Option data of an empty option is an
 * empty GBytes (g_bytes_get_data gives NULL for it).
 * Returns FALSE with BC_DHCP_ERROR on malformed input; *ret_msg untouched. */
gboolean bc_dhcp_msg_parse (const guint8 *data, gsize len, BcDhcpMsg **ret_msg, GError **error);

/* Serialise: header, magic, options in the array's order (53 first is the caller's
 * job; bc_dhcp_msg_set_option keeps insertion order), options longer than 255 split
 * into several instances (RFC 3396), END, padded to BC_DHCP_MIN_LEN.
 * @max_len: the client's limit (option 57's value as sent, which counts the IP and UDP
 * headers as ISC reads it: the payload may be max_len - 28) or 0 for 576; values below
 * 576 count as 576. When options do not fit, uses file then sname via option 52 if they
 * are empty (an option there may then come after options that follow it in the array),
 * else BC_DHCP_ERROR_TOO_BIG. An option 52 in msg->options is ignored. */
GBytes *bc_dhcp_msg_build (const BcDhcpMsg *msg, gsize max_len, GError **error);

/* Borrowed; NULL when absent. */
GBytes *bc_dhcp_msg_get_option (const BcDhcpMsg *msg, guint8 code);
/* Replaces an existing option of that code in place, else appends. */
void bc_dhcp_msg_set_option (BcDhcpMsg *msg, guint8 code, const guint8 *data, gsize len);
void bc_dhcp_msg_remove_option (BcDhcpMsg *msg, guint8 code);
/* Option 53, or 0 when absent or malformed (a BOOTP request). */
guint bc_dhcp_msg_get_message_type (const BcDhcpMsg *msg);
/* "52:54:00:9d:7d:60" for htype 1/hlen 6, else colon-hex of hlen bytes (max 16). */
char *bc_dhcp_msg_format_chaddr (const BcDhcpMsg *msg);

/* Parse encapsulated sub-options (RFC 2132 8.4 style code/len/value, 0 = pad, 255 = end)
 * as found inside 43 or 175. Returns a GPtrArray of BcDhcpOption* (same code
 * concatenated), FALSE + BC_DHCP_ERROR when a length runs past the end. */
gboolean bc_dhcp_options_parse_encapsulated (const guint8 *data, gsize len, GPtrArray **ret_options,
                                             GError **error);
/* Serialise sub-options, splitting values longer than 255 (RFC 3396). No END. */
GBytes *bc_dhcp_options_build_encapsulated (GPtrArray *options);
void bc_dhcp_option_free (BcDhcpOption *opt);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BcDhcpOption, bc_dhcp_option_free)

G_END_DECLS
