/* BOOTP/DHCPv4 codec (RFC 2131, 2132, 3396). */
#include "server/proto/dhcp-msg.h"

G_DEFINE_QUARK (bc_dhcp_error_quark, bc_dhcp_error)
