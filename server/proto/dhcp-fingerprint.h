/* A DHCP client's fingerprint: what a boot server (and a human chasing a boot loop)
 * uses to tell one firmware stage from the next. Pure. */
#pragma once

#include <json-glib/json-glib.h>

#include "server/proto/dhcp-msg.h"

G_BEGIN_DECLS

typedef struct
{
  char *chaddr;                 /* "52:54:00:9d:7d:60" */
  guint message_type;           /* option 53 */
  gboolean broadcast_flag;      /* iPXE's undionly sets it, native drivers do not */
  char *vendor_class;           /* option 60 as text, or NULL */
  char *user_class;             /* option 77: iPXE sends a bare string (not RFC 3004), or NULL */
  gint arch;                    /* option 93 (RFC 4578), -1 when absent */
  char *ndi;                    /* option 94 as "1.3.10", or NULL */
  char *uuid;                   /* option 97 as colon-hex, or NULL */
  char *parameter_request_list; /* option 55 as "1,3,6,…", or NULL */
  gint max_message_size;        /* option 57, -1 when absent */
  /* iPXE option 175 sub-options (include/ipxe/dhcp.h), sorted by code, as
   * "code=value" with names from the wellknown registry where known
   * ("20 https=1"), or NULL when no 175 was sent. */
  GPtrArray *ipxe;    /* of BcDhcpOption* */
  char *ipxe_version; /* 175.235 as "1.0.0", or NULL */
  /* A canonical, stable string of everything above except xid/secs/message type:
   * equal keys mean "the same firmware stage asked again" (loop detection). */
  char *key;
} BcDhcpFingerprint;

BcDhcpFingerprint *bc_dhcp_fingerprint_new (const BcDhcpMsg *msg);
void bc_dhcp_fingerprint_free (BcDhcpFingerprint *fp);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BcDhcpFingerprint, bc_dhcp_fingerprint_free)

/* {"vendor-class":…, "user-class":…, "arch":7, "uuid":…, "ipxe":{"version":"1.0.0",
 *  "https":1, "17":1, …}, "key":…} — absent fields omitted. */
JsonNode *bc_dhcp_fingerprint_to_json (const BcDhcpFingerprint *fp);

/* Short human text for verdicts: "user-class=iPXE arch=0 ipxe.version=1.0.0
 * ipxe features: pxeext http iscsi …". */
char *bc_dhcp_fingerprint_describe (const BcDhcpFingerprint *fp);

G_END_DECLS
