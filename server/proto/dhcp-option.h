/* DHCP option definitions: the one table shared by the codec, the dhcpd.conf
 * language, logging and the harness's expectations (iPXE's dhcp_op[] idea).
 *
 * An option's type is an ISC dhcpd format string (common/tables.c), so that
 * `option foo code 200 = array of ip-address;` in a dhcpd.conf maps 1:1:
 *   I ip-address   L unsigned integer 32   l signed integer 32
 *   S unsigned 16  s signed 16             B unsigned 8   b signed 8
 *   f boolean      t text                  X string (opaque bytes)
 *   d domain-name  D domain-list           E<space>. encapsulate <space>
 *   A suffix: array of the preceding type   (records are concatenations: "BI")
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define BC_DHCP_OPTION_ERROR (bc_dhcp_option_error_quark ())
GQuark bc_dhcp_option_error_quark (void);

typedef enum
{
  BC_DHCP_OPTION_ERROR_EXISTS,   /* code or name already defined in that space */
  BC_DHCP_OPTION_ERROR_NO_SPACE, /* unknown option space */
  BC_DHCP_OPTION_ERROR_INVALID,  /* bad code, name or format */
} BcDhcpOptionError;

typedef struct
{
  const char *space;  /* "dhcp", "ipxe", "pxe", "agent", or a dhcpd.conf `option space` */
  guint code;         /* 0..255 */
  const char *name;   /* ISC's name within the space, e.g. "vendor-class-identifier" */
  const char *format; /* ISC format string, see above */
} BcDhcpOptionDef;

/* Well-known codes of the dhcp space (RFC 2132 and friends). */
enum
{
  BC_DHCP_OPTION_PAD = 0,
  BC_DHCP_OPTION_SUBNET_MASK = 1,
  BC_DHCP_OPTION_ROUTERS = 3,
  BC_DHCP_OPTION_DOMAIN_NAME_SERVERS = 6,
  BC_DHCP_OPTION_HOST_NAME = 12,
  BC_DHCP_OPTION_DOMAIN_NAME = 15,
  BC_DHCP_OPTION_BROADCAST_ADDRESS = 28,
  BC_DHCP_OPTION_VENDOR_ENCAPSULATED = 43,
  BC_DHCP_OPTION_REQUESTED_ADDRESS = 50,
  BC_DHCP_OPTION_LEASE_TIME = 51,
  BC_DHCP_OPTION_OVERLOAD = 52,
  BC_DHCP_OPTION_MESSAGE_TYPE = 53,
  BC_DHCP_OPTION_SERVER_IDENTIFIER = 54,
  BC_DHCP_OPTION_PARAMETER_REQUEST_LIST = 55,
  BC_DHCP_OPTION_MESSAGE = 56,
  BC_DHCP_OPTION_MAX_MESSAGE_SIZE = 57,
  BC_DHCP_OPTION_RENEWAL_TIME = 58,
  BC_DHCP_OPTION_REBINDING_TIME = 59,
  BC_DHCP_OPTION_VENDOR_CLASS_IDENTIFIER = 60,
  BC_DHCP_OPTION_CLIENT_IDENTIFIER = 61,
  BC_DHCP_OPTION_TFTP_SERVER_NAME = 66,
  BC_DHCP_OPTION_BOOTFILE_NAME = 67,
  BC_DHCP_OPTION_USER_CLASS = 77,
  BC_DHCP_OPTION_CLIENT_ARCH = 93, /* RFC 4578 client system architecture */
  BC_DHCP_OPTION_CLIENT_NDI = 94,  /* RFC 4578 network device interface */
  BC_DHCP_OPTION_CLIENT_UUID = 97, /* RFC 4578 UUID/GUID client identifier */
  BC_DHCP_OPTION_IPXE_ENCAP = 175, /* iPXE's encapsulated options (include/ipxe/dhcp.h) */
  BC_DHCP_OPTION_END = 255,
};

/* DHCP message types (option 53, RFC 2132 9.6). */
typedef enum
{
  BC_DHCP_DISCOVER = 1,
  BC_DHCP_OFFER = 2,
  BC_DHCP_REQUEST = 3,
  BC_DHCP_DECLINE = 4,
  BC_DHCP_ACK = 5,
  BC_DHCP_NAK = 6,
  BC_DHCP_RELEASE = 7,
  BC_DHCP_INFORM = 8,
} BcDhcpMessageType;

/* "DISCOVER", "OFFER", …; NULL for an unknown type. */
const char *bc_dhcp_message_type_name (guint type);

/* A set of option spaces and definitions. Two flavours:
 *  - _new_isc(): exactly what ISC dhcpd 4.4 predefines (the dhcp space and its other
 *    built-in spaces). A dhcpd.conf must declare `option space ipxe;` etc. itself,
 *    as with ISC, and undeclared names are errors.
 *  - _new_wellknown(): the ISC set plus iPXE's 175 space "ipxe" (include/ipxe/dhcp.h:
 *    feature flags 16-41, version 235, bus-id 177, no-pxedhcp 176, …) and PXE's 43
 *    space "pxe": for decoding and naming what crosses the wire (events, expectations).
 * Registries are mutable (dhcpd.conf declarations); built-in entries are static. */
typedef struct _BcDhcpOptionRegistry BcDhcpOptionRegistry;

BcDhcpOptionRegistry *bc_dhcp_option_registry_new_isc (void);
BcDhcpOptionRegistry *bc_dhcp_option_registry_new_wellknown (void);
BcDhcpOptionRegistry *bc_dhcp_option_registry_copy (const BcDhcpOptionRegistry *reg);
void bc_dhcp_option_registry_free (BcDhcpOptionRegistry *reg);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BcDhcpOptionRegistry, bc_dhcp_option_registry_free)

gboolean bc_dhcp_option_registry_has_space (const BcDhcpOptionRegistry *reg, const char *space);
/* `option space NAME;` — declaring an existing space again is allowed (ISC). */
gboolean bc_dhcp_option_registry_add_space (BcDhcpOptionRegistry *reg, const char *space,
                                            GError **error);
/* `option SPACE.NAME code CODE = FORMAT;` — redefining replaces the old definition,
 * as ISC does for a name it already knows (it warns only). Error domain
 * BC_DHCP_OPTION_ERROR. */
gboolean bc_dhcp_option_registry_define (BcDhcpOptionRegistry *reg, const char *space,
                                         const char *name, guint code, const char *format,
                                         GError **error);
/* Borrowed pointers, valid while @reg lives; NULL when unknown. */
const BcDhcpOptionDef *bc_dhcp_option_registry_lookup_name (const BcDhcpOptionRegistry *reg,
                                                            const char *space, const char *name);
const BcDhcpOptionDef *bc_dhcp_option_registry_lookup_code (const BcDhcpOptionRegistry *reg,
                                                            const char *space, guint code);

/* The space a definition encapsulates ("ipxe" for format "Eipxe."), newly allocated,
 * or NULL when the format is not an encapsulation. */
char *bc_dhcp_option_def_encapsulated_space (const BcDhcpOptionDef *def);

/* Render option data in ISC's notation for its format ("1.0.0" needs the caller's
 * binary-to-ascii; here text is quoted, integers decimal, ip-addresses dotted, strings
 * colon-hex): for logs, events and `dhcp … name=value` expectations. Data that does not
 * fit the format is rendered as colon-hex. Never fails. @def may be NULL (colon-hex). */
char *bc_dhcp_option_format_value (const BcDhcpOptionDef *def, const guint8 *data, gsize len);

/* Colon-hex "01:1a:f4" of raw bytes (ISC's print_hex). */
char *bc_dhcp_hex_colon (const guint8 *data, gsize len);

G_END_DECLS
