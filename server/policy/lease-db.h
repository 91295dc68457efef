/* Leases as explicit data: which client holds which address, in which state, until
 * when. Pure: "now" is always a parameter (seconds, wall clock), no file I/O here —
 * bc_lease_db_to_data / bc_lease_db_load_data turn it into text and back, and the
 * shell reads and writes the file (--leases FILE).
 *
 * Clients are identified as ISC dhcpd does: by option 61 (client identifier) when the
 * client sends one, else by htype + chaddr. Lookups by client and by address are hash
 * lookups; free-address search keeps a per-range cursor so a DISCOVER does not scan a
 * large range from its start each time. */
#pragma once

#include <glib.h>

#include "server/proto/dhcp-msg.h"

G_BEGIN_DECLS

typedef enum
{
  BC_LEASE_OFFERED,  /* held for a client between OFFER and REQUEST */
  BC_LEASE_BOUND,    /* ACKed */
  BC_LEASE_DECLINED, /* DHCPDECLINE: the address is in use by someone else (ISC: abandoned) */
} BcLeaseState;

typedef struct
{
  guint32 addr;     /* network order */
  char *client_key; /* "id:01:52:54:…" (option 61) or "hw:1:52:54:00:…" */
  char *chaddr;     /* "52:54:00:9d:7d:60", for people and the lease file */
  BcLeaseState state;
  gint64 starts, ends; /* seconds (the caller's clock); active while ends > now */
} BcLease;

typedef struct _BcLeaseDb BcLeaseDb;

BcLeaseDb *bc_lease_db_new (void);
void bc_lease_db_free (BcLeaseDb *db);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BcLeaseDb, bc_lease_db_free)

/* The identity ISC uses for @msg's client (see above), newly allocated. */
char *bc_lease_db_client_key (const BcDhcpMsg *msg);

/* Borrowed, valid until the next change; NULL when none. The lease may have
 * expired: callers compare ends with now. */
const BcLease *bc_lease_db_lookup_client (const BcLeaseDb *db, const char *client_key);
const BcLease *bc_lease_db_lookup_addr (const BcLeaseDb *db, guint32 addr);

/* Whether @addr may be given to @client_key at @now: no lease, an expired one, or
 * one held by that same client. Declined addresses stay unavailable until they end. */
gboolean bc_lease_db_is_available (const BcLeaseDb *db, guint32 addr, const char *client_key,
                                   gint64 now);

/* The lowest address in [@start, @end] (network order, inclusive) available to
 * @client_key, skipping @skip (e.g. the server's own address; 0 for none). FALSE
 * when the range is full. Uses and advances the range's cursor. */
gboolean bc_lease_db_find_free (BcLeaseDb *db, guint32 start, guint32 end, guint32 skip,
                                const char *client_key, gint64 now, guint32 *ret_addr);

/* Records @addr for @client_key (replacing the client's previous lease and any
 * expired lease on that address). The caller has checked availability. */
void bc_lease_db_set (BcLeaseDb *db, guint32 addr, const char *client_key, const char *chaddr,
                      BcLeaseState state, gint64 starts, gint64 ends);
/* Forgets the lease on @addr (RELEASE, a client that chose another server). */
void bc_lease_db_remove (BcLeaseDb *db, guint32 addr);

guint bc_lease_db_size (const BcLeaseDb *db);
/* TRUE when changed since the last bc_lease_db_to_data (the shell saves then). */
gboolean bc_lease_db_is_dirty (const BcLeaseDb *db);

/* The lease file: one JSON object a line, sorted by address:
 *   {"address":"192.168.42.100","client":"hw:1:52:54:00:00:00:01",
 *    "chaddr":"52:54:00:00:00:01","state":"bound","starts":1700000000,"ends":1700000600}
 * to_data clears the dirty flag. load_data adds the file's leases (a later line for
 * the same address or client wins) and fails with G_IO_ERROR_INVALID_DATA naming the
 * line on malformed input, leaving @db unchanged. */
char *bc_lease_db_to_data (BcLeaseDb *db);
gboolean bc_lease_db_load_data (BcLeaseDb *db, const char *data, GError **error);

G_END_DECLS
