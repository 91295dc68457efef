/* DHCP policy: which reply, from which address pool, and why. */
#include <glib.h>
