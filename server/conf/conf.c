/* dhcpd.conf: shared definitions of the language's front end. */
#include "server/conf/conf.h"

G_DEFINE_QUARK (bc_conf_error_quark, bc_conf_error)
