/* The option table shared by codec, dhcpd.conf, logging and expectations. */
#include "server/proto/dhcp-option.h"

G_DEFINE_QUARK (bc_dhcp_option_error_quark, bc_dhcp_option_error)
