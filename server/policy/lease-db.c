/* See lease-db.h. */
#include "server/policy/lease-db.h"
#include "server/policy/uint-keys.h"

#include <arpa/inet.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>

struct _BcLeaseDb
{
  GHashTable *by_addr;   /* GUINT_TO_POINTER(host-order addr) -> BcLease* (owned) */
  GHashTable *by_client; /* client_key (borrowed from the lease) -> BcLease* */
  GHashTable *cursors;   /* GUINT_TO_POINTER(host-order range start) -> host-order next */
  GHashTable *reuse;     /* same keys: where the next search for an expired lease starts */
  gboolean dirty;
};

static void
lease_free (BcLease *lease)
{
  g_free (lease->client_key);
  g_free (lease->chaddr);
  g_free (lease);
}

BcLeaseDb *
bc_lease_db_new (void)
{
  BcLeaseDb *db = g_new0 (BcLeaseDb, 1);
  db->by_addr
      = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, (GDestroyNotify)lease_free);
  db->by_client = g_hash_table_new (g_str_hash, g_str_equal);
  db->cursors = g_hash_table_new (g_direct_hash, g_direct_equal);
  db->reuse = g_hash_table_new (g_direct_hash, g_direct_equal);
  return db;
}

void
bc_lease_db_free (BcLeaseDb *db)
{
  if (db == NULL)
    return;
  g_hash_table_destroy (db->by_client);
  g_hash_table_destroy (db->by_addr);
  g_hash_table_destroy (db->cursors);
  g_hash_table_destroy (db->reuse);
  g_free (db);
}

char *
bc_lease_db_client_key (const BcDhcpMsg *msg)
{
  GBytes *id = bc_dhcp_msg_get_option (msg, BC_DHCP_OPTION_CLIENT_IDENTIFIER);
  g_autofree char *hex = NULL;

  if (id != NULL && g_bytes_get_size (id) > 0)
    {
      hex = bc_dhcp_hex_colon (g_bytes_get_data (id, NULL), g_bytes_get_size (id));
      return g_strconcat ("id:", hex, NULL);
    }
  hex = bc_dhcp_hex_colon (msg->chaddr, MIN (msg->hlen, sizeof msg->chaddr));
  return g_strdup_printf ("hw:%u:%s", msg->htype, hex);
}

const BcLease *
bc_lease_db_lookup_client (const BcLeaseDb *db, const char *client_key)
{
  return g_hash_table_lookup (db->by_client, client_key);
}

const BcLease *
bc_lease_db_lookup_addr (const BcLeaseDb *db, guint32 addr)
{
  return g_hash_table_lookup (db->by_addr, GUINT_TO_POINTER (ntohl (addr)));
}

static gboolean
available_host (const BcLeaseDb *db, guint32 host_addr, const char *client_key, gint64 now)
{
  BcLease *l = g_hash_table_lookup (db->by_addr, GUINT_TO_POINTER (host_addr));
  if (l == NULL || l->ends <= now)
    return TRUE;
  return l->state != BC_LEASE_DECLINED && client_key != NULL
         && g_strcmp0 (l->client_key, client_key) == 0;
}

gboolean
bc_lease_db_is_available (const BcLeaseDb *db, guint32 addr, const char *client_key, gint64 now)
{
  return available_host (db, ntohl (addr), client_key, now);
}

/* Address @a is never used (no lease record) or already @client_key's own. */
static gboolean
unused_host (const BcLeaseDb *db, guint32 a, const char *client_key)
{
  BcLease *l = g_hash_table_lookup (db->by_addr, GUINT_TO_POINTER (a));
  return l == NULL
         || (client_key != NULL && l->state != BC_LEASE_DECLINED
             && g_strcmp0 (l->client_key, client_key) == 0);
}

gboolean
bc_lease_db_find_free (BcLeaseDb *db, guint32 start, guint32 end, guint32 skip,
                       const char *client_key, gint64 now, guint32 *ret_addr)
{
  guint32 s = ntohl (start), e = ntohl (end), sk = ntohl (skip);
  gpointer p;
  guint32 cur, reuse, a;
  guint64 n;

  if (s > e)
    return FALSE;
  /* First never-used addresses, as ISC does (its free heap holds them before leases
   * that merely expired, which stay with their last client as long as possible). The
   * cursor is the lowest address that may be unused: everything below it was taken
   * when it last moved, and removals move it back down. So a DISCOVER does not scan
   * the range from its start each time. */
  cur = g_hash_table_lookup_extended (db->cursors, GUINT_TO_POINTER (s), NULL, &p)
            ? GPOINTER_TO_UINT (p)
            : s;
  if (cur < s || cur > e)
    cur = s;
  for (a = cur;; a++)
    {
      if (a != sk && a != 0 && unused_host (db, a, client_key))
        {
          g_hash_table_insert (db->cursors, GUINT_TO_POINTER (s), GUINT_TO_POINTER (a));
          *ret_addr = htonl (a);
          return TRUE;
        }
      if (a == e)
        break;
    }
  g_hash_table_insert (db->cursors, GUINT_TO_POINTER (s), GUINT_TO_POINTER (e));
  /* All used once: reuse expired leases, going round the range from where the last
   * reuse stopped (the lowest first on the first round). */
  reuse = g_hash_table_lookup_extended (db->reuse, GUINT_TO_POINTER (s), NULL, &p)
              ? GPOINTER_TO_UINT (p)
              : s;
  if (reuse < s || reuse > e)
    reuse = s;
  n = (guint64)e - s + 1;
  for (guint64 i = 0; i < n; i++)
    {
      a = s + (guint32)(((guint64)reuse - s + i) % n);
      if (a != sk && a != 0 && available_host (db, a, client_key, now))
        {
          g_hash_table_insert (db->reuse, GUINT_TO_POINTER (s),
                               GUINT_TO_POINTER (a == e ? s : a + 1));
          *ret_addr = htonl (a);
          return TRUE;
        }
    }
  return FALSE;
}

static void
lower_cursors (BcLeaseDb *db, guint32 host_addr)
{
  GHashTableIter it;
  gpointer k, v;

  /* Few ranges: a linear pass over the cursors, not over addresses. */
  g_hash_table_iter_init (&it, db->cursors);
  while (g_hash_table_iter_next (&it, &k, &v))
    if (GPOINTER_TO_UINT (k) <= host_addr && host_addr < GPOINTER_TO_UINT (v))
      g_hash_table_iter_replace (&it, GUINT_TO_POINTER (host_addr));
}

static void
remove_host (BcLeaseDb *db, guint32 host_addr)
{
  BcLease *l = g_hash_table_lookup (db->by_addr, GUINT_TO_POINTER (host_addr));
  if (l == NULL)
    return;
  if (g_hash_table_lookup (db->by_client, l->client_key) == l)
    g_hash_table_remove (db->by_client, l->client_key);
  g_hash_table_remove (db->by_addr, GUINT_TO_POINTER (host_addr));
  lower_cursors (db, host_addr);
  db->dirty = TRUE;
}

void
bc_lease_db_remove (BcLeaseDb *db, guint32 addr)
{
  remove_host (db, ntohl (addr));
}

void
bc_lease_db_set (BcLeaseDb *db, guint32 addr, const char *client_key, const char *chaddr,
                 BcLeaseState state, gint64 starts, gint64 ends)
{
  guint32 h = ntohl (addr);
  BcLease *old = g_hash_table_lookup (db->by_client, client_key);
  BcLease *l;

  if (old != NULL && old->addr != addr)
    remove_host (db, ntohl (old->addr));
  l = g_hash_table_lookup (db->by_addr, GUINT_TO_POINTER (h));
  if (l != NULL && g_strcmp0 (l->client_key, client_key) != 0)
    {
      remove_host (db, h);
      l = NULL;
    }
  if (l == NULL)
    {
      l = g_new0 (BcLease, 1);
      l->addr = addr;
      l->client_key = g_strdup (client_key);
      g_hash_table_insert (db->by_addr, GUINT_TO_POINTER (h), l);
      g_hash_table_insert (db->by_client, l->client_key, l);
    }
  if (g_strcmp0 (l->chaddr, chaddr) != 0)
    {
      g_free (l->chaddr);
      l->chaddr = g_strdup (chaddr);
    }
  l->state = state;
  l->starts = starts;
  l->ends = ends;
  db->dirty = TRUE;
}

guint
bc_lease_db_size (const BcLeaseDb *db)
{
  return g_hash_table_size (db->by_addr);
}

gboolean
bc_lease_db_is_dirty (const BcLeaseDb *db)
{
  return db->dirty;
}

static const char *const state_names[] = {
  [BC_LEASE_OFFERED] = "offered",
  [BC_LEASE_BOUND] = "bound",
  [BC_LEASE_DECLINED] = "declined",
};

/* Keys and MACs we make are colon-hex with a prefix: nothing to escape in JSON. A
 * loaded file could hold anything, so other text goes through json-glib. */
static gboolean
plain_text (const char *t)
{
  for (; t != NULL && *t != '\0'; t++)
    if (!g_ascii_isalnum (*t) && *t != ':' && *t != '.' && *t != '-' && *t != '_')
      return FALSE;
  return TRUE;
}

static void
append_string (GString *out, const char *t)
{
  if (plain_text (t))
    g_string_append_printf (out, "\"%s\"", t);
  else
    {
      g_autoptr (JsonNode) n = json_node_init_string (json_node_alloc (), t);
      g_autofree char *quoted = json_to_string (n, FALSE);
      g_string_append (out, quoted);
    }
}

char *
bc_lease_db_to_data (BcLeaseDb *db)
{
  g_autoptr (GPtrArray) keys = bc_uint_keys_sorted (db->by_addr);
  GString *out = g_string_sized_new (128 * g_hash_table_size (db->by_addr) + 1);

  /* Written every few seconds by the shell while it serves: a formatted line per
   * lease, not a JSON tree, keeps that short for large pools. */
  for (guint i = 0; i < keys->len; i++)
    {
      BcLease *l = g_hash_table_lookup (db->by_addr, keys->pdata[i]);
      char buf[INET_ADDRSTRLEN];

      inet_ntop (AF_INET, &l->addr, buf, sizeof buf);
      g_string_append_printf (out, "{\"address\":\"%s\",\"client\":", buf);
      append_string (out, l->client_key);
      if (l->chaddr != NULL)
        {
          g_string_append (out, ",\"chaddr\":");
          append_string (out, l->chaddr);
        }
      g_string_append_printf (
          out, ",\"state\":\"%s\",\"starts\":%" G_GINT64_FORMAT ",\"ends\":%" G_GINT64_FORMAT "}\n",
          state_names[l->state], l->starts, l->ends);
    }
  db->dirty = FALSE;
  return g_string_free (out, FALSE);
}

typedef struct
{
  guint32 addr;
  char *client, *chaddr;
  BcLeaseState state;
  gint64 starts, ends;
} ParsedLease;

static void
parsed_lease_free (ParsedLease *p)
{
  g_free (p->client);
  g_free (p->chaddr);
  g_free (p);
}

static ParsedLease *
parse_line (const char *line, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *o;
  const char *addr, *client, *state;
  ParsedLease *p;
  struct in_addr in;
  guint s;

  if (!json_parser_load_from_data (parser, line, -1, error))
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "not a JSON object");
      return NULL;
    }
  o = json_node_get_object (json_parser_get_root (parser));
  addr = json_object_get_string_member_with_default (o, "address", NULL);
  client = json_object_get_string_member_with_default (o, "client", NULL);
  state = json_object_get_string_member_with_default (o, "state", NULL);
  if (addr == NULL || inet_pton (AF_INET, addr, &in) != 1 || client == NULL || state == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "needs \"address\" (IPv4), \"client\" and \"state\"");
      return NULL;
    }
  for (s = 0; s < G_N_ELEMENTS (state_names); s++)
    if (g_strcmp0 (state, state_names[s]) == 0)
      break;
  if (s == G_N_ELEMENTS (state_names))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "unknown state \"%s\"", state);
      return NULL;
    }
  p = g_new0 (ParsedLease, 1);
  p->addr = in.s_addr;
  p->client = g_strdup (client);
  p->chaddr = g_strdup (json_object_get_string_member_with_default (o, "chaddr", NULL));
  p->state = s;
  p->starts = json_object_get_int_member_with_default (o, "starts", 0);
  p->ends = json_object_get_int_member_with_default (o, "ends", 0);
  return p;
}

gboolean
bc_lease_db_load_data (BcLeaseDb *db, const char *data, GError **error)
{
  g_auto (GStrv) lines = g_strsplit (data, "\n", -1);
  g_autoptr (GPtrArray) parsed = g_ptr_array_new_with_free_func ((GDestroyNotify)parsed_lease_free);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr (GError) local = NULL;
      ParsedLease *p;

      g_strstrip (lines[i]);
      if (lines[i][0] == '\0' || lines[i][0] == '#')
        continue;
      p = parse_line (lines[i], &local);
      if (p == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "line %u: %s", i + 1,
                       local->message);
          return FALSE;
        }
      g_ptr_array_add (parsed, p);
    }
  for (guint i = 0; i < parsed->len; i++)
    {
      ParsedLease *p = parsed->pdata[i];
      bc_lease_db_set (db, p->addr, p->client, p->chaddr, p->state, p->starts, p->ends);
    }
  return TRUE;
}
