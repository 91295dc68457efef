/* Boot-loop detection: see loop-detect.h. */
#include "harness/core/loop-detect.h"

#include "server/proto/dhcp-fingerprint.h"

#define MAX_DECISIONS 16

typedef struct
{
  char *fp_key, *fp_text;
  gboolean counted; /* a hand-out was counted in the client's current DHCP session */
  gboolean has_counted_xid;
  guint32 counted_xid; /* xid of the session whose hand-out was counted */
  guint16 last_secs;   /* secs of the latest DISCOVER */
  gboolean acked;      /* an ACK ended the session */
} Client;

typedef struct
{
  guint count;
  gint64 first_us;
} Count;

typedef struct
{
  char *xid;  /* "0x…" as bootserv writes it */
  char *file; /* the boot file it handed out, or NULL */
  char *reason;
} Decision;

struct _BcLoopDetector
{
  GHashTable *clients;   /* chaddr -> Client* */
  GHashTable *counts;    /* "chaddr\x1fkey\x1ffile" -> Count* */
  GHashTable *decisions; /* chaddr -> GPtrArray of Decision*, oldest first */
};

static void
client_free (Client *c)
{
  g_free (c->fp_key);
  g_free (c->fp_text);
  g_free (c);
}

static void
decision_free (Decision *d)
{
  g_free (d->xid);
  g_free (d->file);
  g_free (d->reason);
  g_free (d);
}

void
bc_loop_hit_free (BcLoopHit *hit)
{
  if (hit == NULL)
    return;
  g_free (hit->chaddr);
  g_free (hit->file);
  g_free (hit->fingerprint_key);
  g_free (hit->fingerprint_text);
  g_free (hit->server_reason);
  g_free (hit);
}

BcLoopHit *
bc_loop_hit_copy (const BcLoopHit *hit)
{
  BcLoopHit *c = g_memdup2 (hit, sizeof *hit);

  c->chaddr = g_strdup (hit->chaddr);
  c->file = g_strdup (hit->file);
  c->fingerprint_key = g_strdup (hit->fingerprint_key);
  c->fingerprint_text = g_strdup (hit->fingerprint_text);
  c->server_reason = g_strdup (hit->server_reason);
  return c;
}

BcLoopDetector *
bc_loop_detector_new (void)
{
  BcLoopDetector *det = g_new0 (BcLoopDetector, 1);

  det->clients
      = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)client_free);
  det->counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  det->decisions
      = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_ptr_array_unref);
  return det;
}

void
bc_loop_detector_free (BcLoopDetector *det)
{
  if (det == NULL)
    return;
  g_hash_table_unref (det->clients);
  g_hash_table_unref (det->counts);
  g_hash_table_unref (det->decisions);
  g_free (det);
}

/* The boot file of a reply: the BOOTP file field, else option 67 (RFC 2132 9.5). */
static char *
reply_file (const BcDhcpMsg *msg)
{
  GBytes *b;
  gsize len = 0;
  const char *d;

  if (msg->file[0] != '\0')
    return g_strdup (msg->file);
  b = bc_dhcp_msg_get_option (msg, BC_DHCP_OPTION_BOOTFILE_NAME);
  if (b == NULL)
    return NULL;
  d = g_bytes_get_data (b, &len);
  while (len > 0 && d[len - 1] == '\0')
    len--;
  if (len == 0)
    return NULL;
  return g_utf8_make_valid (d, len);
}

/* bootserv logs its decision about when it sends the reply, so on the merged
 * timeline the decision for this very hand-out may come just after the packet: then
 * the latest decision that handed out the same file to the same client stands in (in
 * a loop, the fingerprint and so the config branch are the same). */
static char *
find_reason (BcLoopDetector *det, const char *chaddr, guint32 xid, const char *file)
{
  GPtrArray *list = g_hash_table_lookup (det->decisions, chaddr);
  g_autofree char *xs = g_strdup_printf ("0x%08x", xid);
  g_autofree char *xs_short = g_strdup_printf ("0x%x", xid);

  if (list == NULL || list->len == 0)
    return NULL;
  for (guint i = list->len; i-- > 0;)
    {
      const Decision *d = list->pdata[i];
      if (d->xid != NULL
          && (g_ascii_strcasecmp (d->xid, xs) == 0 || g_ascii_strcasecmp (d->xid, xs_short) == 0))
        return g_strdup (d->reason);
    }
  for (guint i = list->len; i-- > 0;)
    {
      const Decision *d = list->pdata[i];
      if (g_strcmp0 (d->file, file) == 0)
        return g_strdup (d->reason);
    }
  return NULL;
}

BcLoopHit *
bc_loop_detector_feed_dhcp (BcLoopDetector *det, const BcDhcpMsg *msg, gint64 t_us)
{
  g_autofree char *chaddr = bc_dhcp_msg_format_chaddr (msg);
  guint type = bc_dhcp_msg_get_message_type (msg);
  Client *client = g_hash_table_lookup (det->clients, chaddr);

  if (msg->op == BC_DHCP_OP_BOOTREQUEST)
    {
      /* The DISCOVER opens a new exchange; its fingerprint is the firmware stage that
       * the next hand-out is for. A REQUEST only fills in an unknown client. */
      if (type == BC_DHCP_DISCOVER || type == 0 || client == NULL)
        {
          g_autoptr (BcDhcpFingerprint) fp = bc_dhcp_fingerprint_new (msg);

          if (client == NULL)
            {
              client = g_new0 (Client, 1);
              g_hash_table_insert (det->clients, g_strdup (chaddr), client);
            }
          if (type == BC_DHCP_DISCOVER || type == 0 || client->fp_key == NULL)
            {
              /* A retransmitted DISCOVER (same xid, secs still growing: iPXE and EDK2
               * keep the xid for the whole session, EDK2 retransmits while it
               * collects offers) is the same session; a new xid, or secs starting
               * over (a restarted iPXE can draw the same xid), is a new one. */
              gboolean same_session = client->has_counted_xid && msg->xid == client->counted_xid
                                      && msg->secs >= client->last_secs && !client->acked;

              g_free (client->fp_key);
              g_free (client->fp_text);
              client->fp_key = g_strdup (fp->key ? fp->key : "");
              client->fp_text = bc_dhcp_fingerprint_describe (fp);
              if (!same_session)
                client->counted = FALSE;
              client->last_secs = msg->secs;
              client->acked = FALSE;
            }
        }
      return NULL;
    }

  if (msg->op != BC_DHCP_OP_BOOTREPLY
      || (type != BC_DHCP_OFFER && type != BC_DHCP_ACK && type != 0))
    return NULL;
  {
    g_autofree char *file = reply_file (msg);
    g_autofree char *key = NULL;
    Count *count;
    BcLoopHit *hit;

    if (client != NULL && type == BC_DHCP_ACK)
      client->acked = TRUE;
    if (file == NULL)
      return NULL;
    if (client == NULL)
      {
        /* A reply whose request we did not see (capture started late). */
        client = g_new0 (Client, 1);
        client->fp_key = g_strdup ("");
        client->fp_text = g_strdup ("(no request seen)");
        g_hash_table_insert (det->clients, g_strdup (chaddr), client);
      }
    if (client->counted)
      return NULL;
    client->counted = TRUE;
    client->has_counted_xid = TRUE;
    client->counted_xid = msg->xid;
    key = g_strjoin ("\x1f", chaddr, client->fp_key, file, NULL);
    count = g_hash_table_lookup (det->counts, key);
    if (count == NULL)
      {
        count = g_new0 (Count, 1);
        count->first_us = t_us;
        g_hash_table_insert (det->counts, g_steal_pointer (&key), count);
      }
    count->count++;

    hit = g_new0 (BcLoopHit, 1);
    hit->chaddr = g_strdup (chaddr);
    hit->file = g_steal_pointer (&file);
    hit->fingerprint_key = g_strdup (client->fp_key);
    hit->fingerprint_text = g_strdup (client->fp_text);
    hit->count = count->count;
    hit->first_us = count->first_us;
    hit->last_us = t_us;
    hit->xid = msg->xid;
    hit->server_reason = find_reason (det, chaddr, msg->xid, hit->file);
    return hit;
  }
}

static const char *
member_string (JsonObject *o, const char *name)
{
  JsonNode *n = json_object_get_member (o, name);

  if (n == NULL || JSON_NODE_TYPE (n) != JSON_NODE_VALUE
      || json_node_get_value_type (n) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (n);
}

void
bc_loop_detector_feed_server (BcLoopDetector *det, JsonNode *event)
{
  JsonObject *o, *reason;
  JsonNode *rn;
  const char *chaddr;
  GPtrArray *list;
  Decision *d;
  GString *text;

  if (event == NULL || !JSON_NODE_HOLDS_OBJECT (event))
    return;
  o = json_node_get_object (event);
  if (g_strcmp0 (member_string (o, "type"), "dhcp") != 0
      || g_strcmp0 (member_string (o, "event"), "decision") != 0)
    return;
  chaddr = member_string (o, "chaddr");
  rn = json_object_get_member (o, "reason");
  if (chaddr == NULL || rn == NULL || !JSON_NODE_HOLDS_OBJECT (rn))
    return;
  reason = json_node_get_object (rn);

  text = g_string_new (NULL);
  if (member_string (reason, "text") != NULL)
    g_string_append (text, member_string (reason, "text"));
  if (member_string (reason, "filename") != NULL)
    g_string_append_printf (text, "%sfilename from %s", text->len ? "\n" : "",
                            member_string (reason, "filename"));
  {
    JsonNode *tn = json_object_get_member (reason, "trace");
    if (tn != NULL && JSON_NODE_HOLDS_ARRAY (tn))
      {
        JsonArray *a = json_node_get_array (tn);
        for (guint i = 0; i < json_array_get_length (a); i++)
          {
            JsonNode *e = json_array_get_element (a, i);
            if (JSON_NODE_HOLDS_VALUE (e) && json_node_get_value_type (e) == G_TYPE_STRING)
              g_string_append_printf (text, "%s%s", text->len ? "\n" : "",
                                      json_node_get_string (e));
          }
      }
  }
  d = g_new0 (Decision, 1);
  d->xid = g_strdup (member_string (o, "xid"));
  d->file = g_strdup (member_string (o, "file"));
  d->reason = g_string_free (text, FALSE);

  list = g_hash_table_lookup (det->decisions, chaddr);
  if (list == NULL)
    {
      list = g_ptr_array_new_with_free_func ((GDestroyNotify)decision_free);
      g_hash_table_insert (det->decisions, g_strdup (chaddr), list);
    }
  if (list->len >= MAX_DECISIONS)
    g_ptr_array_remove_index (list, 0);
  g_ptr_array_add (list, d);
}
