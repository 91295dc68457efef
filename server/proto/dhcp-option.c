/* The option table shared by codec, dhcpd.conf, logging and expectations.
 *
 * Built-in tables mirror ISC dhcpd 4.4's common/tables.c (names and formats), so a
 * dhcpd.conf that works with ISC finds the same names here. Two deliberate
 * differences, both about what ISC itself resolves at run time:
 *  - 43 vendor-encapsulated-options is "E." in ISC (its space is whatever
 *    `vendor-option-space` names). Here it is opaque "X" in the ISC flavour, which is
 *    what ISC does when no vendor-option-space is set; the wellknown flavour decodes
 *    it as PXE's space ("Epxe.").
 *  - ISC writes arrays of one atom with a lowercase 'a' ("Ia"); this table writes
 *    'A' as dhcp-option.h documents. Both are accepted by define() and format_value().
 */
#include "server/proto/dhcp-option.h"

#include <string.h>

G_DEFINE_QUARK (bc_dhcp_option_error_quark, bc_dhcp_option_error)

typedef struct
{
  const char *space;
  guint code;
  const char *name;
  const char *format;
} BuiltinDef;

/* ISC dhcpd 4.4 common/tables.c, dhcp_options[] (RFC 2132 and later). */
static const BuiltinDef isc_dhcp_options[] = {
  { "dhcp", 1, "subnet-mask", "I" },
  { "dhcp", 2, "time-offset", "l" },
  { "dhcp", 3, "routers", "IA" },
  { "dhcp", 4, "time-servers", "IA" },
  { "dhcp", 5, "ien116-name-servers", "IA" },
  { "dhcp", 6, "domain-name-servers", "IA" },
  { "dhcp", 7, "log-servers", "IA" },
  { "dhcp", 8, "cookie-servers", "IA" },
  { "dhcp", 9, "lpr-servers", "IA" },
  { "dhcp", 10, "impress-servers", "IA" },
  { "dhcp", 11, "resource-location-servers", "IA" },
  { "dhcp", 12, "host-name", "t" },
  { "dhcp", 13, "boot-size", "S" },
  { "dhcp", 14, "merit-dump", "t" },
  { "dhcp", 15, "domain-name", "t" },
  { "dhcp", 16, "swap-server", "I" },
  { "dhcp", 17, "root-path", "t" },
  { "dhcp", 18, "extensions-path", "t" },
  { "dhcp", 19, "ip-forwarding", "f" },
  { "dhcp", 20, "non-local-source-routing", "f" },
  { "dhcp", 21, "policy-filter", "IIA" },
  { "dhcp", 22, "max-dgram-reassembly", "S" },
  { "dhcp", 23, "default-ip-ttl", "B" },
  { "dhcp", 24, "path-mtu-aging-timeout", "L" },
  { "dhcp", 25, "path-mtu-plateau-table", "SA" },
  { "dhcp", 26, "interface-mtu", "S" },
  { "dhcp", 27, "all-subnets-local", "f" },
  { "dhcp", 28, "broadcast-address", "I" },
  { "dhcp", 29, "perform-mask-discovery", "f" },
  { "dhcp", 30, "mask-supplier", "f" },
  { "dhcp", 31, "router-discovery", "f" },
  { "dhcp", 32, "router-solicitation-address", "I" },
  { "dhcp", 33, "static-routes", "IIA" },
  { "dhcp", 34, "trailer-encapsulation", "f" },
  { "dhcp", 35, "arp-cache-timeout", "L" },
  { "dhcp", 36, "ieee802-3-encapsulation", "f" },
  { "dhcp", 37, "default-tcp-ttl", "B" },
  { "dhcp", 38, "tcp-keepalive-interval", "L" },
  { "dhcp", 39, "tcp-keepalive-garbage", "f" },
  { "dhcp", 40, "nis-domain", "t" },
  { "dhcp", 41, "nis-servers", "IA" },
  { "dhcp", 42, "ntp-servers", "IA" },
  /* ISC: "E." (space chosen by vendor-option-space); opaque without one. */
  { "dhcp", 43, "vendor-encapsulated-options", "X" },
  { "dhcp", 44, "netbios-name-servers", "IA" },
  { "dhcp", 45, "netbios-dd-server", "IA" },
  { "dhcp", 46, "netbios-node-type", "B" },
  { "dhcp", 47, "netbios-scope", "t" },
  { "dhcp", 48, "font-servers", "IA" },
  { "dhcp", 49, "x-display-manager", "IA" },
  { "dhcp", 50, "dhcp-requested-address", "I" },
  { "dhcp", 51, "dhcp-lease-time", "L" },
  { "dhcp", 52, "dhcp-option-overload", "B" },
  { "dhcp", 53, "dhcp-message-type", "B" },
  { "dhcp", 54, "dhcp-server-identifier", "I" },
  { "dhcp", 55, "dhcp-parameter-request-list", "BA" },
  { "dhcp", 56, "dhcp-message", "t" },
  { "dhcp", 57, "dhcp-max-message-size", "S" },
  { "dhcp", 58, "dhcp-renewal-time", "L" },
  { "dhcp", 59, "dhcp-rebinding-time", "L" },
  { "dhcp", 60, "vendor-class-identifier", "X" },
  { "dhcp", 61, "dhcp-client-identifier", "X" },
  { "dhcp", 62, "nwip-domain", "t" },
  { "dhcp", 63, "nwip-suboptions", "Enwip." },
  { "dhcp", 64, "nisplus-domain", "t" },
  { "dhcp", 65, "nisplus-servers", "IA" },
  { "dhcp", 66, "tftp-server-name", "t" },
  { "dhcp", 67, "bootfile-name", "t" },
  { "dhcp", 68, "mobile-ip-home-agent", "IA" },
  { "dhcp", 69, "smtp-server", "IA" },
  { "dhcp", 70, "pop-server", "IA" },
  { "dhcp", 71, "nntp-server", "IA" },
  { "dhcp", 72, "www-server", "IA" },
  { "dhcp", 73, "finger-server", "IA" },
  { "dhcp", 74, "irc-server", "IA" },
  { "dhcp", 75, "streettalk-server", "IA" },
  { "dhcp", 76, "streettalk-directory-assistance-server", "IA" },
  /* ISC keeps user-class as text; iPXE sends a bare "iPXE" (not RFC 3004). */
  { "dhcp", 77, "user-class", "t" },
  { "dhcp", 78, "slp-directory-agent", "fIa" },
  { "dhcp", 79, "slp-service-scope", "fto" },
  { "dhcp", 81, "fqdn", "Efqdn." },
  { "dhcp", 82, "relay-agent-information", "Eagent." },
  { "dhcp", 85, "nds-servers", "IA" },
  { "dhcp", 86, "nds-tree-name", "t" },
  { "dhcp", 87, "nds-context", "t" },
  { "dhcp", 88, "bcms-controller-names", "D" },
  { "dhcp", 89, "bcms-controller-address", "IA" },
  { "dhcp", 90, "authenticate", "X" },
  { "dhcp", 91, "client-last-transaction-time", "L" },
  { "dhcp", 92, "associated-ip", "IA" },
  /* RFC 4578: client system architecture, network device interface, UUID. */
  { "dhcp", 93, "pxe-system-type", "SA" },
  { "dhcp", 94, "pxe-interface-id", "BBB" },
  { "dhcp", 97, "pxe-client-id", "BX" },
  { "dhcp", 98, "uap-servers", "t" },
  { "dhcp", 99, "geoconf-civic", "X" },
  { "dhcp", 100, "pcode", "t" },
  { "dhcp", 101, "tcode", "t" },
  { "dhcp", 108, "v6-only-preferred", "L" },
  { "dhcp", 112, "netinfo-server-address", "IA" },
  { "dhcp", 113, "netinfo-server-tag", "t" },
  { "dhcp", 114, "default-url", "t" },
  { "dhcp", 116, "auto-config", "B" },
  { "dhcp", 117, "name-service-search", "SA" },
  { "dhcp", 118, "subnet-selection", "I" },
  { "dhcp", 119, "domain-search", "Dc" },
  /* ISC: "Evendor-class." / "Evendor." with enterprise-number framing (RFC 3925);
   * opaque here. */
  { "dhcp", 124, "vivco", "X" },
  { "dhcp", 125, "vivso", "X" },
  { "dhcp", 136, "pana-agent", "IA" },
  { "dhcp", 137, "v4-lost", "d" },
  { "dhcp", 138, "capwap-ac-v4", "IA" },
  { "dhcp", 141, "sip-ua-cs-domains", "Dc" },
  { "dhcp", 142, "ipv4-address-andsf", "IA" },
  { "dhcp", 146, "rdnss-selection", "BIID" },
  { "dhcp", 150, "tftp-server-address", "IA" },
  { "dhcp", 159, "v4-portparams", "BBS" },
  { "dhcp", 160, "v4-captive-portal", "t" },
  { "dhcp", 213, "v4-access-domain", "d" },

  /* RFC 3046 relay agent information (ISC agent_options[]). */
  { "agent", 1, "circuit-id", "X" },
  { "agent", 2, "remote-id", "X" },
  { "agent", 3, "agent-id", "I" },
  { "agent", 4, "DOCSIS-device-class", "L" },
  { "agent", 5, "link-selection", "I" },

  /* ISC nwip_options[] (RFC 2242). */
  { "nwip", 1, "illegal-1", "" },
  { "nwip", 2, "illegal-2", "" },
  { "nwip", 3, "illegal-3", "" },
  { "nwip", 4, "illegal-4", "" },
  { "nwip", 5, "nsq-broadcast", "f" },
  { "nwip", 6, "preferred-dss", "IA" },
  { "nwip", 7, "nearest-nwip-server", "IA" },
  { "nwip", 8, "autoretries", "B" },
  { "nwip", 9, "autoretry-secs", "B" },
  { "nwip", 10, "nwip-1-1", "f" },
  { "nwip", 11, "primary-dss", "I" },

  /* ISC fqdn_options[] (RFC 4702). */
  { "fqdn", 1, "no-client-update", "f" },
  { "fqdn", 2, "server-update", "f" },
  { "fqdn", 3, "encoded", "f" },
  { "fqdn", 4, "rcode1", "B" },
  { "fqdn", 5, "rcode2", "B" },
  { "fqdn", 6, "hostname", "t" },
  { "fqdn", 7, "domainname", "t" },
  { "fqdn", 8, "fqdn", "t" },
};

/* Wellknown additions: decoding what crosses the wire. */
static const BuiltinDef wellknown_options[] = {
  /* PXE 2.1 vendor options inside 43 when 60 is "PXEClient". */
  { "pxe", 1, "mtftp-ip", "I" },
  { "pxe", 2, "mtftp-cport", "S" },
  { "pxe", 3, "mtftp-sport", "S" },
  { "pxe", 4, "mtftp-tmout", "B" },
  { "pxe", 5, "mtftp-delay", "B" },
  { "pxe", 6, "discovery-control", "B" },
  { "pxe", 7, "discovery-mcast-addr", "I" },
  { "pxe", 8, "boot-servers", "X" },
  { "pxe", 9, "boot-menu", "X" },
  { "pxe", 10, "menu-prompt", "X" },
  { "pxe", 71, "boot-item", "X" },

  /* iPXE's encapsulated options, include/ipxe/dhcp.h (DHCP_EB_*), names as on
   * ipxe.org/howto/dhcpd. Tags 0x10-0x7f are feature markers (ipxe/features.h). */
  { "ipxe", 1, "priority", "b" },
  { "ipxe", 8, "keep-san", "B" },
  { "ipxe", 9, "skip-san-boot", "B" },
  { "ipxe", 16, "pxeext", "B" },
  { "ipxe", 17, "iscsi", "B" },
  { "ipxe", 18, "aoe", "B" },
  { "ipxe", 19, "http", "B" },
  { "ipxe", 20, "https", "B" },
  { "ipxe", 21, "tftp", "B" },
  { "ipxe", 22, "ftp", "B" },
  { "ipxe", 23, "dns", "B" },
  { "ipxe", 24, "bzimage", "B" },
  { "ipxe", 25, "multiboot", "B" },
  { "ipxe", 26, "slam", "B" },
  { "ipxe", 27, "srp", "B" },
  { "ipxe", 32, "nbi", "B" },
  { "ipxe", 33, "pxe", "B" },
  { "ipxe", 34, "elf", "B" },
  { "ipxe", 35, "comboot", "B" },
  { "ipxe", 36, "efi", "B" },
  { "ipxe", 37, "fcoe", "B" },
  { "ipxe", 38, "vlan", "B" },
  { "ipxe", 39, "menu", "B" },
  { "ipxe", 40, "sdi", "B" },
  { "ipxe", 41, "nfs", "B" },
  { "ipxe", 85, "syslogs", "t" },
  { "ipxe", 91, "cert", "X" },
  { "ipxe", 92, "privkey", "X" },
  { "ipxe", 93, "crosscert", "t" },
  { "ipxe", 176, "no-pxedhcp", "B" },
  /* struct dhcp_netdev_desc: bus type, vendor, device (big endian). */
  { "ipxe", 177, "bus-id", "X" },
  { "ipxe", 188, "san-filename", "t" },
  { "ipxe", 189, "bios-drive", "B" },
  { "ipxe", 190, "username", "t" },
  { "ipxe", 191, "password", "t" },
  { "ipxe", 192, "reverse-username", "t" },
  { "ipxe", 193, "reverse-password", "t" },
  /* major, minor, patch bytes (ipxe/features.h FEATURE_VERSION). */
  { "ipxe", 235, "version", "X" },

  { "dhcp", 43, "vendor-encapsulated-options", "Epxe." },
  { "dhcp", 175, "ipxe-encap-opts", "Eipxe." },
  /* In iPXE's parameter request list; ipxe.org/howto/dhcpd declares it. */
  { "dhcp", 203, "iscsi-initiator-iqn", "X" },
};

typedef struct
{
  char *name;
  GHashTable *by_name; /* name -> BcDhcpOptionDef* (borrowed from reg->defs) */
  GHashTable *by_code; /* GUINT_TO_POINTER(code) -> BcDhcpOptionDef* */
} Space;

struct _BcDhcpOptionRegistry
{
  GPtrArray *spaces; /* of Space*, declaration order */
  /* Every definition ever made, replaced ones included: lookups hand out borrowed
   * pointers "valid while the registry lives", so a redefinition must not free them. */
  GPtrArray *defs;
};

static void
space_free (Space *s)
{
  g_free (s->name);
  g_hash_table_unref (s->by_name);
  g_hash_table_unref (s->by_code);
  g_free (s);
}

static BcDhcpOptionDef *
def_new (const char *space, const char *name, guint code, const char *format)
{
  gsize ls = strlen (space) + 1, ln = strlen (name) + 1, lf = strlen (format) + 1;
  /* One block: the struct then its three strings. */
  char *block = g_malloc (sizeof (BcDhcpOptionDef) + ls + ln + lf);
  BcDhcpOptionDef *def = (BcDhcpOptionDef *)block;
  char *p = block + sizeof (BcDhcpOptionDef);

  memcpy (p, space, ls);
  def->space = p;
  p += ls;
  memcpy (p, name, ln);
  def->name = p;
  p += ln;
  memcpy (p, format, lf);
  def->format = p;
  def->code = code;
  return def;
}

static Space *
registry_find_space (const BcDhcpOptionRegistry *reg, const char *space)
{
  if (space == NULL)
    return NULL;
  for (guint i = 0; i < reg->spaces->len; i++)
    {
      Space *s = reg->spaces->pdata[i];
      if (g_strcmp0 (s->name, space) == 0)
        return s;
    }
  return NULL;
}

static gboolean
valid_identifier (const char *s)
{
  if (s == NULL || *s == '\0')
    return FALSE;
  for (; *s != '\0'; s++)
    if (!g_ascii_isalnum (*s) && *s != '-' && *s != '_')
      return FALSE;
  return TRUE;
}

/* Checks a format string against the subset of ISC's format language this table
 * uses (see dhcp-option.h). Returns FALSE for anything else. */
static gboolean
valid_format (const char *f)
{
  gboolean variable = FALSE; /* a variable-length atom must come last */

  for (const char *p = f; *p != '\0'; p++)
    {
      if (variable && *p != 'o')
        return FALSE;
      switch (*p)
        {
          case 'I':
          case 'L':
          case 'l':
          case 'S':
          case 's':
          case 'B':
          case 'b':
          case 'f':
          case '6':
            break;
          case 'Z':
            if (p != f || p[1] != '\0')
              return FALSE;
            break;
          case 't':
          case 'X':
          case 'd':
            variable = TRUE;
            break;
          case 'D':
            variable = TRUE;
            if (p[1] == 'c')
              p++;
            break;
          case 'E':
            {
              const char *dot = strchr (p, '.');
              if (dot == NULL || dot[1] != '\0')
                return FALSE;
              for (const char *q = p + 1; q < dot; q++)
                if (!g_ascii_isalnum (*q) && *q != '-' && *q != '_')
                  return FALSE;
              return TRUE;
            }
          case 'o':
            if (p == f)
              return FALSE;
            break;
          case 'A':
          case 'a':
            return p != f && p[1] == '\0';
          default:
            return FALSE;
        }
    }
  return TRUE;
}

static void
registry_insert (BcDhcpOptionRegistry *reg, Space *s, BcDhcpOptionDef *def)
{
  g_ptr_array_add (reg->defs, def);
  /* ISC: a name defined again takes the new code and format; the newest definition
   * of a code is the one used to name and decode it. An older name for that code
   * stays valid for lookups by name (`option arch code 93 = …` beside
   * pxe-system-type). */
  g_hash_table_replace (s->by_name, (gpointer)def->name, def);
  g_hash_table_replace (s->by_code, GUINT_TO_POINTER (def->code), def);
}

static BcDhcpOptionRegistry *
registry_new_empty (void)
{
  BcDhcpOptionRegistry *reg = g_new0 (BcDhcpOptionRegistry, 1);
  reg->spaces = g_ptr_array_new_with_free_func ((GDestroyNotify)space_free);
  reg->defs = g_ptr_array_new_with_free_func (g_free);
  return reg;
}

static void
registry_add_space_internal (BcDhcpOptionRegistry *reg, const char *space)
{
  Space *s;

  if (registry_find_space (reg, space) != NULL)
    return;
  s = g_new0 (Space, 1);
  s->name = g_strdup (space);
  s->by_name = g_hash_table_new (g_str_hash, g_str_equal);
  s->by_code = g_hash_table_new (g_direct_hash, g_direct_equal);
  g_ptr_array_add (reg->spaces, s);
}

static void
registry_load (BcDhcpOptionRegistry *reg, const BuiltinDef *table, gsize n)
{
  for (gsize i = 0; i < n; i++)
    {
      Space *s;
      registry_add_space_internal (reg, table[i].space);
      s = registry_find_space (reg, table[i].space);
      registry_insert (reg, s,
                       def_new (table[i].space, table[i].name, table[i].code, table[i].format));
    }
}

/**
 * bc_dhcp_option_registry_new_isc:
 *
 * Returns: (transfer full): the spaces and options ISC dhcpd 4.4 predefines
 * ("dhcp", "agent", "nwip", "fqdn").
 */
BcDhcpOptionRegistry *
bc_dhcp_option_registry_new_isc (void)
{
  BcDhcpOptionRegistry *reg = registry_new_empty ();
  registry_load (reg, isc_dhcp_options, G_N_ELEMENTS (isc_dhcp_options));
  return reg;
}

/**
 * bc_dhcp_option_registry_new_wellknown:
 *
 * Returns: (transfer full): the ISC set plus "pxe" (43) and "ipxe" (175).
 */
BcDhcpOptionRegistry *
bc_dhcp_option_registry_new_wellknown (void)
{
  BcDhcpOptionRegistry *reg = bc_dhcp_option_registry_new_isc ();
  registry_load (reg, wellknown_options, G_N_ELEMENTS (wellknown_options));
  return reg;
}

/**
 * bc_dhcp_option_registry_copy:
 *
 * Returns: (transfer full): an independent copy with the same spaces and the same
 * current definitions (later defines on either do not affect the other).
 */
BcDhcpOptionRegistry *
bc_dhcp_option_registry_copy (const BcDhcpOptionRegistry *reg)
{
  BcDhcpOptionRegistry *copy = registry_new_empty ();

  for (guint i = 0; i < reg->spaces->len; i++)
    registry_add_space_internal (copy, ((Space *)reg->spaces->pdata[i])->name);
  /* Replaying every definition in order reproduces the same current state. */
  for (guint i = 0; i < reg->defs->len; i++)
    {
      const BcDhcpOptionDef *d = reg->defs->pdata[i];
      registry_insert (copy, registry_find_space (copy, d->space),
                       def_new (d->space, d->name, d->code, d->format));
    }
  return copy;
}

void
bc_dhcp_option_registry_free (BcDhcpOptionRegistry *reg)
{
  if (reg == NULL)
    return;
  g_ptr_array_unref (reg->spaces);
  g_ptr_array_unref (reg->defs);
  g_free (reg);
}

gboolean
bc_dhcp_option_registry_has_space (const BcDhcpOptionRegistry *reg, const char *space)
{
  return registry_find_space (reg, space) != NULL;
}

/**
 * bc_dhcp_option_registry_add_space:
 *
 * `option space NAME;`. Declaring an existing space again is not an error (ISC).
 * Returns: FALSE with BC_DHCP_OPTION_ERROR_INVALID for a bad name.
 */
gboolean
bc_dhcp_option_registry_add_space (BcDhcpOptionRegistry *reg, const char *space, GError **error)
{
  if (!valid_identifier (space))
    {
      g_set_error (error, BC_DHCP_OPTION_ERROR, BC_DHCP_OPTION_ERROR_INVALID,
                   "invalid option space name '%s'", space != NULL ? space : "");
      return FALSE;
    }
  registry_add_space_internal (reg, space);
  return TRUE;
}

/**
 * bc_dhcp_option_registry_define:
 *
 * `option SPACE.NAME code CODE = FORMAT;`. Codes 0 (pad) and 255 (end) are reserved
 * in every RFC 2132-style space. An encapsulated space ("Efoo.") need not exist yet
 * (ISC resolves it when used). Error domain BC_DHCP_OPTION_ERROR: NO_SPACE, INVALID.
 */
gboolean
bc_dhcp_option_registry_define (BcDhcpOptionRegistry *reg, const char *space, const char *name,
                                guint code, const char *format, GError **error)
{
  Space *s = registry_find_space (reg, space);

  if (s == NULL)
    {
      g_set_error (error, BC_DHCP_OPTION_ERROR, BC_DHCP_OPTION_ERROR_NO_SPACE,
                   "unknown option space '%s'", space != NULL ? space : "");
      return FALSE;
    }
  if (!valid_identifier (name))
    {
      g_set_error (error, BC_DHCP_OPTION_ERROR, BC_DHCP_OPTION_ERROR_INVALID,
                   "invalid option name '%s'", name != NULL ? name : "");
      return FALSE;
    }
  if (code == 0 || code >= 255)
    {
      g_set_error (error, BC_DHCP_OPTION_ERROR, BC_DHCP_OPTION_ERROR_INVALID,
                   "option %s.%s: code %u is not in 1..254", space, name, code);
      return FALSE;
    }
  if (format == NULL || !valid_format (format))
    {
      g_set_error (error, BC_DHCP_OPTION_ERROR, BC_DHCP_OPTION_ERROR_INVALID,
                   "option %s.%s: invalid format '%s'", space, name, format != NULL ? format : "");
      return FALSE;
    }
  registry_insert (reg, s, def_new (space, name, code, format));
  return TRUE;
}

const BcDhcpOptionDef *
bc_dhcp_option_registry_lookup_name (const BcDhcpOptionRegistry *reg, const char *space,
                                     const char *name)
{
  Space *s = registry_find_space (reg, space);
  if (s == NULL || name == NULL)
    return NULL;
  return g_hash_table_lookup (s->by_name, name);
}

const BcDhcpOptionDef *
bc_dhcp_option_registry_lookup_code (const BcDhcpOptionRegistry *reg, const char *space, guint code)
{
  Space *s = registry_find_space (reg, space);
  if (s == NULL)
    return NULL;
  return g_hash_table_lookup (s->by_code, GUINT_TO_POINTER (code));
}

/**
 * bc_dhcp_option_def_encapsulated_space:
 *
 * Returns: (transfer full) (nullable): "ipxe" for "Eipxe.", NULL when @def is not an
 * encapsulation or names no space ("E.").
 */
char *
bc_dhcp_option_def_encapsulated_space (const BcDhcpOptionDef *def)
{
  const char *dot;

  if (def == NULL || def->format == NULL || def->format[0] != 'E')
    return NULL;
  dot = strchr (def->format, '.');
  if (dot == NULL || dot == def->format + 1)
    return NULL;
  return g_strndup (def->format + 1, dot - (def->format + 1));
}

/**
 * bc_dhcp_hex_colon:
 *
 * Returns: (transfer full): "01:1a:f4"; "" for no bytes.
 */
char *
bc_dhcp_hex_colon (const guint8 *data, gsize len)
{
  GString *s = g_string_sized_new (len * 3 + 1);
  for (gsize i = 0; i < len; i++)
    g_string_append_printf (s, i == 0 ? "%02x" : ":%02x", data[i]);
  return g_string_free (s, FALSE);
}

/* ISC's pretty_print_option quotes text and escapes what is not printable. */
static void
append_quoted (GString *out, const guint8 *data, gsize len)
{
  g_string_append_c (out, '"');
  for (gsize i = 0; i < len; i++)
    {
      guint8 c = data[i];
      if (c == '"' || c == '\\')
        g_string_append_printf (out, "\\%c", c);
      else if (c >= 0x20 && c < 0x7f)
        g_string_append_c (out, c);
      else
        g_string_append_printf (out, "\\%03o", c);
    }
  g_string_append_c (out, '"');
}

static gboolean
all_printable (const guint8 *data, gsize len)
{
  for (gsize i = 0; i < len; i++)
    if (data[i] < 0x20 || data[i] >= 0x7f)
      return FALSE;
  return TRUE;
}

/* RFC 1035 3.1 name list with RFC 1035 4.1.4 compression (RFC 3397 domain-search).
 * Pointers must point backwards, so decoding terminates. */
static gboolean
append_domain_list (GString *out, const guint8 *data, gsize len)
{
  gsize pos = 0;
  gboolean first_name = TRUE;

  while (pos < len)
    {
      gsize p = pos, name_end = 0;
      gboolean jumped = FALSE, first_label = TRUE;
      guint hops = 0;

      g_string_append (out, first_name ? "\"" : ", \"");
      first_name = FALSE;
      for (;;)
        {
          guint8 l;
          if (p >= len)
            return FALSE;
          l = data[p];
          if (l == 0)
            {
              if (!jumped)
                name_end = p + 1;
              break;
            }
          if ((l & 0xc0) == 0xc0)
            {
              gsize target;
              if (p + 1 >= len)
                return FALSE;
              target = ((gsize)(l & 0x3f) << 8) | data[p + 1];
              if (target >= p || ++hops > 255)
                return FALSE;
              if (!jumped)
                name_end = p + 2;
              jumped = TRUE;
              p = target;
              continue;
            }
          if ((l & 0xc0) != 0 || p + 1 + l > len)
            return FALSE;
          if (!first_label)
            g_string_append_c (out, '.');
          first_label = FALSE;
          for (gsize i = 0; i < l; i++)
            {
              guint8 c = data[p + 1 + i];
              if (c > 0x20 && c < 0x7f && c != '"' && c != '\\')
                g_string_append_c (out, c);
              else
                g_string_append_printf (out, "\\%03o", c);
            }
          p += 1 + l;
        }
      g_string_append_c (out, '"');
      pos = name_end;
    }
  return TRUE;
}

static gsize
atom_size (char a)
{
  switch (a)
    {
      case 'I':
      case 'L':
      case 'l':
        return 4;
      case 'S':
      case 's':
        return 2;
      case 'B':
      case 'b':
      case 'f':
        return 1;
      case '6':
        return 16;
      default:
        return 0;
    }
}

static void
append_atom (GString *out, char a, const guint8 *p)
{
  switch (a)
    {
      case 'I':
        g_string_append_printf (out, "%u.%u.%u.%u", p[0], p[1], p[2], p[3]);
        break;
      case 'L':
        g_string_append_printf (out, "%" G_GUINT32_FORMAT,
                                ((guint32)p[0] << 24) | ((guint32)p[1] << 16) | ((guint32)p[2] << 8)
                                    | p[3]);
        break;
      case 'l':
        g_string_append_printf (
            out, "%" G_GINT32_FORMAT,
            (gint32)(((guint32)p[0] << 24) | ((guint32)p[1] << 16) | ((guint32)p[2] << 8) | p[3]));
        break;
      case 'S':
        g_string_append_printf (out, "%u", ((guint)p[0] << 8) | p[1]);
        break;
      case 's':
        g_string_append_printf (out, "%d", (gint16)(((guint)p[0] << 8) | p[1]));
        break;
      case 'B':
        g_string_append_printf (out, "%u", p[0]);
        break;
      case 'b':
        g_string_append_printf (out, "%d", (gint8)p[0]);
        break;
      case 'f':
        g_string_append (out, p[0] ? "true" : "false");
        break;
      case '6':
        for (int i = 0; i < 16; i += 2)
          g_string_append_printf (out, i == 0 ? "%x" : ":%x", ((guint)p[i] << 8) | p[i + 1]);
        break;
      default:
        break;
    }
}

/* Renders a trailing variable-length atom: returns FALSE when the data does not fit. */
static gboolean
append_variable (GString *out, const char *atom, const guint8 *data, gsize len)
{
  switch (atom[0])
    {
      case 't':
      case 'd':
        append_quoted (out, data, len);
        return TRUE;
      case 'X':
        /* ISC's pretty_print_option shows a string as text when it all prints. */
        if (len > 0 && all_printable (data, len))
          append_quoted (out, data, len);
        else
          {
            g_autofree char *hex = bc_dhcp_hex_colon (data, len);
            g_string_append (out, hex);
          }
        return TRUE;
      case 'D':
        return append_domain_list (out, data, len);
      default:
        return FALSE;
    }
}

static gboolean
format_into (GString *out, const char *format, const guint8 *data, gsize len)
{
  g_autofree char *atoms = NULL;
  gsize natoms = 0, fixed = 0, pos = 0;
  char array = 0;
  gboolean has_variable = FALSE, optional_tail = FALSE;

  /* Split the format into atoms, the array suffix and the optional marker. */
  atoms = g_malloc (strlen (format) + 1);
  for (const char *p = format; *p != '\0'; p++)
    {
      if (*p == 'E')
        return FALSE; /* encapsulations are rendered by their sub-options */
      if (*p == 'A' || *p == 'a')
        {
          array = *p;
          break;
        }
      if (*p == 'o')
        {
          optional_tail = TRUE;
          continue;
        }
      if (*p == 'c')
        continue;
      if (*p == 'Z')
        return len == 0;
      atoms[natoms++] = *p;
      if (*p == 't' || *p == 'X' || *p == 'd' || *p == 'D')
        has_variable = TRUE;
      else
        fixed += atom_size (*p);
    }
  atoms[natoms] = '\0';
  if (natoms == 0)
    return len == 0;

  if (has_variable)
    {
      /* Fixed atoms, then one variable atom that takes the rest. */
      if (len < fixed)
        return FALSE;
      for (gsize i = 0; i < natoms; i++)
        {
          gsize sz = atom_size (atoms[i]);
          if (i > 0)
            g_string_append_c (out, ' ');
          if (sz == 0)
            return append_variable (out, &atoms[i], data + pos, len - pos);
          append_atom (out, atoms[i], data + pos);
          pos += sz;
        }
      return TRUE;
    }

  if (array == 'a' && natoms > 1)
    {
      /* ISC 'a': the last atom repeats. */
      gsize head = fixed - atom_size (atoms[natoms - 1]);
      gsize last = atom_size (atoms[natoms - 1]);
      if (len < head || (len - head) % last != 0)
        return FALSE;
      for (gsize i = 0; i + 1 < natoms; i++)
        {
          if (i > 0)
            g_string_append_c (out, ' ');
          append_atom (out, atoms[i], data + pos);
          pos += atom_size (atoms[i]);
        }
      for (gsize k = 0; pos < len; k++, pos += last)
        {
          g_string_append (out, k == 0 ? " " : ",");
          append_atom (out, atoms[natoms - 1], data + pos);
        }
      return TRUE;
    }

  if (array != 0)
    {
      /* Whole records repeat; an empty array renders as nothing. */
      if (len % fixed != 0)
        return FALSE;
      for (gsize r = 0; pos < len; r++)
        {
          if (r > 0)
            g_string_append_c (out, ',');
          for (gsize i = 0; i < natoms; i++)
            {
              if (i > 0)
                g_string_append_c (out, ' ');
              append_atom (out, atoms[i], data + pos);
              pos += atom_size (atoms[i]);
            }
        }
      return TRUE;
    }

  /* One record; with 'o' the atoms after the marker may be missing. */
  for (gsize i = 0; i < natoms; i++)
    {
      gsize sz = atom_size (atoms[i]);
      if (pos == len && optional_tail && i > 0)
        return TRUE;
      if (len - pos < sz)
        return FALSE;
      if (i > 0)
        g_string_append_c (out, ' ');
      append_atom (out, atoms[i], data + pos);
      pos += sz;
    }
  return pos == len;
}

/**
 * bc_dhcp_option_format_value:
 * @def: (nullable): the option's definition; NULL renders colon-hex
 *
 * Renders option data in ISC's notation: text quoted, integers decimal, addresses
 * dotted, record fields separated by a space, array elements by a comma, strings as
 * quoted text when all printable else colon-hex. Data that does not fit the format
 * (and encapsulations) render as colon-hex.
 *
 * Returns: (transfer full): never NULL.
 */
char *
bc_dhcp_option_format_value (const BcDhcpOptionDef *def, const guint8 *data, gsize len)
{
  g_autoptr (GString) out = g_string_new (NULL);

  if (data == NULL)
    len = 0;
  if (def != NULL && def->format != NULL && format_into (out, def->format, data, len))
    return g_string_free (g_steal_pointer (&out), FALSE);
  return bc_dhcp_hex_colon (data, len);
}

/**
 * bc_dhcp_message_type_name:
 *
 * Returns: (nullable): "DISCOVER", …; static; NULL for an unknown type.
 */
const char *
bc_dhcp_message_type_name (guint type)
{
  static const char *const names[] = {
    [BC_DHCP_DISCOVER] = "DISCOVER",
    [BC_DHCP_OFFER] = "OFFER",
    [BC_DHCP_REQUEST] = "REQUEST",
    [BC_DHCP_DECLINE] = "DECLINE",
    [BC_DHCP_ACK] = "ACK",
    [BC_DHCP_NAK] = "NAK",
    [BC_DHCP_RELEASE] = "RELEASE",
    [BC_DHCP_INFORM] = "INFORM",
    [9] = "FORCERENEW",
    [10] = "LEASEQUERY",
    [11] = "LEASEUNASSIGNED",
    [12] = "LEASEUNKNOWN",
    [13] = "LEASEACTIVE",
  };
  if (type >= G_N_ELEMENTS (names))
    return NULL;
  return names[type];
}
