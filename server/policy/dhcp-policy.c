/* See dhcp-policy.h. RFC 2131 sections are quoted above the rules they implement. */
#include "server/policy/dhcp-policy.h"
#include "server/policy/uint-keys.h"

#include <arpa/inet.h>
#include <string.h>

#define ISC_DEFAULT_LEASE_TIME 43200 /* ISC dhcpd.conf(5): default-lease-time default */
#define ISC_MAX_LEASE_TIME 86400     /* ISC's max-lease-time default */
#define DEFAULT_OFFER_HOLD 120
#define BC_DHCP_OPTION_RELAY_AGENT_INFO 82 /* RFC 3046 */

void
bc_dhcp_decision_free (BcDhcpDecision *d)
{
  if (d == NULL)
    return;
  bc_dhcp_msg_free (d->reply);
  g_free (d->reason);
  if (d->conf != NULL)
    bc_conf_result_free (d->conf);
  g_free (d);
}

static char *
ip_str (guint32 addr)
{
  char buf[INET_ADDRSTRLEN];
  inet_ntop (AF_INET, &addr, buf, sizeof buf);
  return g_strdup (buf);
}

/* Sets the reason (printf-style) and returns the decision, for "ignore" exits. */
G_GNUC_PRINTF (2, 3)
static BcDhcpDecision *
ignore (BcDhcpDecision *d, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_free (d->reason);
  d->reason = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_clear_pointer (&d->reply, bc_dhcp_msg_free);
  d->reply_type = 0;
  d->dest = BC_DHCP_DEST_NONE;
  return d;
}

static gboolean
get_addr_option (const BcDhcpMsg *msg, guint8 code, guint32 *ret)
{
  GBytes *b = bc_dhcp_msg_get_option (msg, code);
  if (b == NULL || g_bytes_get_size (b) != 4)
    return FALSE;
  memcpy (ret, g_bytes_get_data (b, NULL), 4);
  return TRUE;
}

static gboolean
get_u32_option (const BcDhcpMsg *msg, guint8 code, guint32 *ret)
{
  guint32 v;
  if (!get_addr_option (msg, code, &v))
    return FALSE;
  *ret = ntohl (v);
  return TRUE;
}

static gboolean
in_subnet (const BcConfResult *r, guint32 addr)
{
  return r->has_subnet && (addr & r->subnet_mask) == (r->subnet_addr & r->subnet_mask);
}

static gboolean
in_ranges (const BcConfResult *r, guint32 addr)
{
  guint32 h = ntohl (addr);
  for (guint i = 0; r->ranges != NULL && i < r->ranges->len; i++)
    {
      const BcConfRange *rg = r->ranges->pdata[i];
      if (ntohl (rg->start) <= h && h <= ntohl (rg->end))
        return TRUE;
    }
  return FALSE;
}

/* ISC's lease time: the client's option 51 bounded by min/max-lease-time, else
 * default-lease-time. */
static guint32
lease_time (const BcConfResult *r, const BcDhcpMsg *req)
{
  gint64 def = r->default_lease_time >= 0 ? r->default_lease_time : ISC_DEFAULT_LEASE_TIME;
  gint64 max = r->max_lease_time >= 0 ? r->max_lease_time : MAX (def, ISC_MAX_LEASE_TIME);
  guint32 asked;
  gint64 t = def;

  if (get_u32_option (req, BC_DHCP_OPTION_LEASE_TIME, &asked))
    {
      t = asked;
      if (t > max)
        t = max;
      if (r->min_lease_time >= 0 && t < r->min_lease_time)
        t = r->min_lease_time;
    }
  return (guint32)CLAMP (t, 0, G_MAXUINT32);
}

static void
set_u32 (BcDhcpMsg *m, guint8 code, guint32 host_value)
{
  guint32 be = htonl (host_value);
  bc_dhcp_msg_set_option (m, code, (const guint8 *)&be, 4);
}

static void
add_conf_option (BcDhcpMsg *m, const BcConfResult *r, guint code)
{
  GBytes *v;
  if (bc_dhcp_msg_get_option (m, code) != NULL)
    return;
  v = r->options != NULL ? g_hash_table_lookup (r->options, GUINT_TO_POINTER (code)) : NULL;
  if (v != NULL)
    bc_dhcp_msg_set_option (m, code, g_bytes_get_data (v, NULL), g_bytes_get_size (v));
  else if (code == BC_DHCP_OPTION_SUBNET_MASK && r->has_subnet)
    /* ISC: "Use the subnet mask from the subnet declaration if no other mask has been
     * provided." */
    bc_dhcp_msg_set_option (m, code, (const guint8 *)&r->subnet_mask, 4);
}

/* Options after 53/54/51, as ISC 4.4's cons_options chooses them (measured here):
 * with a parameter request list, the configured options it names in its order, then
 * the subnet mask for DISCOVER/REQUEST ("some client implementations have come to
 * rely on this"); without one, 1, 3, 6, 12, then every configured option by code. */
static void
add_requested_options (BcDhcpMsg *m, const BcConfResult *r, const BcDhcpMsg *req)
{
  GBytes *prl = bc_dhcp_msg_get_option (req, BC_DHCP_OPTION_PARAMETER_REQUEST_LIST);
  guint type = bc_dhcp_msg_get_message_type (req);

  if (prl != NULL && g_bytes_get_size (prl) > 0)
    {
      gsize n;
      const guint8 *codes = g_bytes_get_data (prl, &n);
      for (gsize i = 0; i < n; i++)
        {
          guint c = codes[i];
          if (c == BC_DHCP_OPTION_PAD || c == BC_DHCP_OPTION_END || c == BC_DHCP_OPTION_MESSAGE_TYPE
              || c == BC_DHCP_OPTION_SERVER_IDENTIFIER || c == BC_DHCP_OPTION_LEASE_TIME)
            continue;
          if (c == BC_DHCP_OPTION_SUBNET_MASK || r->options != NULL)
            add_conf_option (m, r, c);
        }
      if (type == BC_DHCP_DISCOVER || type == BC_DHCP_REQUEST)
        add_conf_option (m, r, BC_DHCP_OPTION_SUBNET_MASK);
      return;
    }

  static const guint first[] = { BC_DHCP_OPTION_SUBNET_MASK, BC_DHCP_OPTION_ROUTERS,
                                 BC_DHCP_OPTION_DOMAIN_NAME_SERVERS, BC_DHCP_OPTION_HOST_NAME };
  for (guint i = 0; i < G_N_ELEMENTS (first); i++)
    add_conf_option (m, r, first[i]);
  if (r->options != NULL)
    {
      g_autoptr (GPtrArray) codes = bc_uint_keys_sorted (r->options);
      for (guint i = 0; i < codes->len; i++)
        add_conf_option (m, r, GPOINTER_TO_UINT (codes->pdata[i]));
    }
}

static BcDhcpMsg *
reply_new (const BcDhcpMsg *req, guint type, const BcDhcpPolicyContext *ctx)
{
  BcDhcpMsg *m = bc_dhcp_msg_new ();
  guint8 t = type;

  m->op = BC_DHCP_OP_BOOTREPLY;
  m->htype = req->htype;
  m->hlen = req->hlen;
  m->xid = req->xid;
  m->flags = req->flags;
  m->giaddr = req->giaddr;
  memcpy (m->chaddr, req->chaddr, sizeof m->chaddr);
  m->has_magic = TRUE;
  bc_dhcp_msg_set_option (m, BC_DHCP_OPTION_MESSAGE_TYPE, &t, 1);
  bc_dhcp_msg_set_option (m, BC_DHCP_OPTION_SERVER_IDENTIFIER, (const guint8 *)&ctx->server_addr,
                          4);
  return m;
}

/* The fixed fields ISC fills from the scope: siaddr = next-server, file = filename,
 * sname = server-name. */
static void
fill_boot_fields (BcDhcpMsg *m, const BcConfResult *r)
{
  if (r->has_next_server)
    m->siaddr = r->next_server;
  if (r->filename != NULL)
    g_strlcpy (m->file, r->filename, sizeof m->file);
  if (r->server_name != NULL)
    g_strlcpy (m->sname, r->server_name, sizeof m->sname);
}

/* RFC 2131 4.1: "If the 'giaddr' field in a DHCP message from a client is non-zero,
 * the server sends any return messages to the 'DHCP server' port on the BOOTP relay
 * agent whose address appears in 'giaddr'. If the 'giaddr' field is zero and the
 * 'ciaddr' field is nonzero, then the server unicasts DHCPOFFER and DHCPACK messages
 * to the address in 'ciaddr'. If 'giaddr' is zero and 'ciaddr' is zero, and the
 * broadcast bit is set, then the server broadcasts DHCPOFFER and DHCPACK messages to
 * 0xffffffff. If the broadcast bit is not set and 'giaddr' is zero and 'ciaddr' is
 * zero, then the server unicasts DHCPOFFER and DHCPACK messages to the client's
 * hardware address and 'yiaddr' address. In all cases, when 'giaddr' is zero, the
 * server broadcasts any DHCPNAK messages to 0xffffffff." */
static void
set_destination (BcDhcpDecision *d, const BcDhcpMsg *req)
{
  const BcDhcpMsg *m = d->reply;

  d->dest_port = BC_DHCP_CLIENT_PORT;
  if (req->giaddr != 0)
    {
      d->dest = BC_DHCP_DEST_RELAY;
      d->dest_addr = req->giaddr;
      d->dest_port = BC_DHCP_SERVER_PORT;
      /* RFC 2131 4.3.2: a NAK through a relay asks it to broadcast. */
      if (d->reply_type == BC_DHCP_NAK)
        d->reply->flags |= BC_DHCP_FLAG_BROADCAST;
    }
  else if (d->reply_type == BC_DHCP_NAK)
    {
      d->dest = BC_DHCP_DEST_BROADCAST;
      d->dest_addr = htonl (INADDR_BROADCAST);
    }
  else if (req->ciaddr != 0)
    {
      d->dest = BC_DHCP_DEST_UNICAST;
      d->dest_addr = req->ciaddr;
    }
  else if ((req->flags & BC_DHCP_FLAG_BROADCAST) != 0 || m->yiaddr == 0 || req->htype != 1
           || req->hlen != 6)
    {
      /* Link-layer unicast needs an Ethernet address; without one, broadcast. */
      d->dest = BC_DHCP_DEST_BROADCAST;
      d->dest_addr = htonl (INADDR_BROADCAST);
    }
  else
    {
      d->dest = BC_DHCP_DEST_CHADDR;
      d->dest_addr = m->yiaddr;
      d->dest_hwlen = req->hlen;
      memcpy (d->dest_hwaddr, req->chaddr, req->hlen);
    }
}

/* RFC 3046 2.2: "DHCP servers claiming to support the Relay Agent Information option
 * SHALL echo the entire contents of the Relay Agent Information option in all replies",
 * as the last option. ISC does; relays drop replies without it. */
static void
echo_relay_agent_info (BcDhcpMsg *m, const BcDhcpMsg *req)
{
  GBytes *rai = bc_dhcp_msg_get_option (req, BC_DHCP_OPTION_RELAY_AGENT_INFO);
  if (rai != NULL && req->giaddr != 0)
    bc_dhcp_msg_set_option (m, BC_DHCP_OPTION_RELAY_AGENT_INFO, g_bytes_get_data (rai, NULL),
                            g_bytes_get_size (rai));
}

/* OFFER or ACK carrying @yiaddr for a lease of @lease_secs (0: INFORM, no lease). */
static void
make_reply (BcDhcpDecision *d, const BcDhcpMsg *req, const BcConfResult *r, guint type,
            guint32 yiaddr, guint32 lease_secs, const BcDhcpPolicyContext *ctx)
{
  BcDhcpMsg *m = reply_new (req, type, ctx);

  m->yiaddr = yiaddr;
  if (lease_secs > 0)
    set_u32 (m, BC_DHCP_OPTION_LEASE_TIME, lease_secs);
  fill_boot_fields (m, r);
  add_requested_options (m, r, req);
  echo_relay_agent_info (m, req);
  d->reply = m;
  d->reply_type = type;
  set_destination (d, req);
}

static BcDhcpDecision *
make_nak (BcDhcpDecision *d, const BcDhcpMsg *req, const BcDhcpPolicyContext *ctx, const char *why)
{
  BcDhcpMsg *m = reply_new (req, BC_DHCP_NAK, ctx);

  /* RFC 2131 table 3: a NAK carries only 53, 54 and optionally 56, 61. */
  bc_dhcp_msg_set_option (m, BC_DHCP_OPTION_MESSAGE, (const guint8 *)why, strlen (why));
  echo_relay_agent_info (m, req);
  d->reply = m;
  d->reply_type = BC_DHCP_NAK;
  set_destination (d, req);
  g_free (d->reason);
  d->reason = g_strdup_printf ("NAK: %s", why);
  return d;
}

static const char *
who (const BcConfResult *r)
{
  return r->host != NULL ? r->host : "client";
}

/* The address a DISCOVER is offered: fixed-address, the client's lease, option 50 if
 * free, the lowest free address of its ranges. */
static gboolean
choose_address (BcLeaseDb *leases, const BcConfResult *r, const BcDhcpMsg *req, const char *key,
                const BcDhcpPolicyContext *ctx, guint32 *ret, const char **how)
{
  const BcLease *l = bc_lease_db_lookup_client (leases, key);
  guint32 want;

  if (r->has_fixed_address)
    {
      *ret = r->fixed_address;
      *how = "its fixed-address";
      return TRUE;
    }
  if (l != NULL && l->state != BC_LEASE_DECLINED && in_ranges (r, l->addr))
    {
      *ret = l->addr;
      *how = l->ends > ctx->now ? "its current lease" : "its previous (expired) lease";
      return TRUE;
    }
  if (get_addr_option (req, BC_DHCP_OPTION_REQUESTED_ADDRESS, &want) && in_ranges (r, want)
      && want != ctx->server_addr && bc_lease_db_is_available (leases, want, key, ctx->now))
    {
      *ret = want;
      *how = "the address it asked for (option 50)";
      return TRUE;
    }
  for (guint i = 0; r->ranges != NULL && i < r->ranges->len; i++)
    {
      const BcConfRange *rg = r->ranges->pdata[i];
      if (bc_lease_db_find_free (leases, rg->start, rg->end, ctx->server_addr, key, ctx->now, ret))
        {
          *how = "the lowest free address of its range";
          return TRUE;
        }
    }
  return FALSE;
}

static char *
boot_summary (const BcConfResult *r)
{
  g_autofree char *ns = r->has_next_server ? ip_str (r->next_server) : NULL;
  if (r->filename == NULL)
    return g_strdup ("no filename");
  if (ns != NULL)
    return g_strdup_printf ("filename \"%s\" from next-server %s", r->filename, ns);
  return g_strdup_printf ("filename \"%s\"", r->filename);
}

static BcDhcpDecision *
handle_discover (BcDhcpDecision *d, BcLeaseDb *leases, const BcConfResult *r, const BcDhcpMsg *req,
                 const char *key, const char *chaddr, const BcDhcpPolicyContext *ctx)
{
  guint32 addr = 0, secs;
  const char *how = NULL;
  const BcLease *l;
  g_autofree char *a = NULL, *boot = NULL;
  gint64 hold = ctx->offer_hold > 0 ? ctx->offer_hold : DEFAULT_OFFER_HOLD;

  if (!choose_address (leases, r, req, key, ctx, &addr, &how))
    return ignore (d, "no free address for %s in the ranges of its subnet", chaddr);
  secs = lease_time (r, req);
  if (!r->has_fixed_address)
    {
      l = bc_lease_db_lookup_client (leases, key);
      /* A bound lease stays bound (and keeps its end) when the client asks again. */
      if (l != NULL && l->addr == addr && l->state == BC_LEASE_BOUND && l->ends > ctx->now)
        ;
      else
        {
          bc_lease_db_set (leases, addr, key, chaddr, BC_LEASE_OFFERED, ctx->now, ctx->now + hold);
          d->leases_changed = TRUE;
        }
    }
  make_reply (d, req, r, BC_DHCP_OFFER, addr, secs, ctx);
  a = ip_str (addr);
  boot = boot_summary (r);
  d->reason = g_strdup_printf ("OFFER %s to %s (%s): %s, %s", a, chaddr, who (r), how, boot);
  return d;
}

/* Binds @addr and ACKs it. */
static BcDhcpDecision *
ack (BcDhcpDecision *d, BcLeaseDb *leases, const BcConfResult *r, const BcDhcpMsg *req,
     const char *key, const char *chaddr, guint32 addr, const char *state,
     const BcDhcpPolicyContext *ctx)
{
  guint32 secs = lease_time (r, req);
  g_autofree char *a = ip_str (addr), *boot = boot_summary (r);

  if (!r->has_fixed_address)
    {
      bc_lease_db_set (leases, addr, key, chaddr, BC_LEASE_BOUND, ctx->now, ctx->now + secs);
      d->leases_changed = TRUE;
    }
  make_reply (d, req, r, BC_DHCP_ACK, addr, secs, ctx);
  d->reason = g_strdup_printf ("ACK %s to %s (%s, %s) for %us: %s", a, chaddr, who (r), state, secs,
                               boot);
  return d;
}

/* Whether @addr may be ACKed to this client: its fixed-address, or a range address
 * that is free or already its own. */
static gboolean
may_have (BcLeaseDb *leases, const BcConfResult *r, const char *key, guint32 addr,
          const BcDhcpPolicyContext *ctx)
{
  if (r->has_fixed_address)
    return addr == r->fixed_address;
  return in_ranges (r, addr) && addr != ctx->server_addr
         && bc_lease_db_is_available (leases, addr, key, ctx->now);
}

/* RFC 2131 4.3.2: DHCPREQUEST in SELECTING, INIT-REBOOT, RENEWING or REBINDING state. */
static BcDhcpDecision *
handle_request (BcDhcpDecision *d, BcLeaseDb *leases, const BcConfResult *r, const BcDhcpMsg *req,
                const char *key, const char *chaddr, const BcDhcpPolicyContext *ctx)
{
  guint32 server_id = 0, requested = 0;
  gboolean has_sid = get_addr_option (req, BC_DHCP_OPTION_SERVER_IDENTIFIER, &server_id);
  gboolean has_req = get_addr_option (req, BC_DHCP_OPTION_REQUESTED_ADDRESS, &requested);
  g_autofree char *a = NULL;

  if (has_sid)
    {
      const BcLease *l = bc_lease_db_lookup_client (leases, key);
      /* SELECTING: "If the server identifier ... does not match, the client has chosen
       * another server": release what we offered. */
      if (server_id != ctx->server_addr)
        {
          g_autofree char *s = ip_str (server_id);
          if (l != NULL && l->state == BC_LEASE_OFFERED)
            {
              bc_lease_db_remove (leases, l->addr);
              d->leases_changed = TRUE;
            }
          return ignore (d, "%s chose another server (%s)", chaddr, s);
        }
      if (!has_req)
        requested = req->ciaddr;
      a = ip_str (requested);
      if (requested != 0 && may_have (leases, r, key, requested, ctx))
        return ack (d, leases, r, req, key, chaddr, requested, "selecting", ctx);
      make_nak (d, req, ctx, "requested address not available");
      g_free (d->reason);
      d->reason = g_strdup_printf ("NAK %s to %s (selecting): the address is not available to it",
                                   a, chaddr);
      return d;
    }

  if (has_req && req->ciaddr == 0)
    {
      /* INIT-REBOOT: "DHCPREQUEST generated during INIT-REBOOT state: ... The server
       * SHOULD send a DHCPNAK message to the client if the 'requested IP address' is
       * incorrect, or is on the wrong network. ... If the DHCP server has no record of
       * this client, then it MUST remain silent" — ISC sends the NAK when authoritative
       * and otherwise stays silent; an address free in the client's range is ACKed. */
      a = ip_str (requested);
      if (may_have (leases, r, key, requested, ctx))
        return ack (d, leases, r, req, key, chaddr, requested, "init-reboot", ctx);
      if (r->authoritative && in_subnet (r, ctx->interface_addr))
        {
          make_nak (d, req, ctx,
                    in_subnet (r, requested) ? "requested address not available" : "wrong network");
          g_free (d->reason);
          d->reason
              = g_strdup_printf ("NAK %s to %s (init-reboot): %s", a, chaddr,
                                 in_subnet (r, requested) ? "the address is not available to it"
                                                          : "the address is not on its network");
          return d;
        }
      return ignore (d,
                     "%s asked for %s (init-reboot) which is not ours, and the server is "
                     "not authoritative",
                     chaddr, a);
    }

  if (req->ciaddr != 0)
    {
      /* RENEWING (unicast) or REBINDING (broadcast): "the server SHOULD ... record the
       * lease and send a DHCPACK"; the client's address is in ciaddr. */
      const char *state = req->giaddr == 0 ? "renewing/rebinding" : "rebinding";
      const BcLease *l = bc_lease_db_lookup_client (leases, key);
      a = ip_str (req->ciaddr);
      if ((r->has_fixed_address && req->ciaddr == r->fixed_address)
          || (l != NULL && l->addr == req->ciaddr && l->state != BC_LEASE_DECLINED)
          || may_have (leases, r, key, req->ciaddr, ctx))
        return ack (d, leases, r, req, key, chaddr, req->ciaddr, state, ctx);
      if (r->authoritative)
        {
          make_nak (d, req, ctx, "lease not available");
          g_free (d->reason);
          d->reason = g_strdup_printf ("NAK %s to %s (%s): no lease for it", a, chaddr, state);
          return d;
        }
      return ignore (d,
                     "%s renews %s which it does not hold, and the server is not "
                     "authoritative",
                     chaddr, a);
    }

  return ignore (d,
                 "REQUEST from %s with neither server identifier, requested address nor "
                 "ciaddr",
                 chaddr);
}

static BcDhcpDecision *
handle_decline (BcDhcpDecision *d, BcLeaseDb *leases, const BcConfResult *r, const BcDhcpMsg *req,
                const char *key, const char *chaddr, const BcDhcpPolicyContext *ctx)
{
  guint32 addr;
  const BcLease *l;
  g_autofree char *a = NULL, *dkey = NULL;
  gint64 secs;

  if (!get_addr_option (req, BC_DHCP_OPTION_REQUESTED_ADDRESS, &addr))
    return ignore (d, "DECLINE from %s without a requested address", chaddr);
  a = ip_str (addr);
  l = bc_lease_db_lookup_addr (leases, addr);
  if (l == NULL || g_strcmp0 (l->client_key, key) != 0)
    return ignore (d, "DECLINE of %s from %s, which does not hold it", a, chaddr);
  /* ISC abandons the address: someone else answers ARP for it. Keep it out of use for
   * a default lease time. */
  secs = r != NULL && r->default_lease_time >= 0 ? r->default_lease_time : ISC_DEFAULT_LEASE_TIME;
  dkey = g_strdup_printf ("declined:%s", a);
  bc_lease_db_set (leases, addr, dkey, NULL, BC_LEASE_DECLINED, ctx->now, ctx->now + secs);
  d->leases_changed = TRUE;
  return ignore (d, "%s declined %s: address marked unusable for %" G_GINT64_FORMAT "s", chaddr, a,
                 secs);
}

static BcDhcpDecision *
handle_release (BcDhcpDecision *d, BcLeaseDb *leases, const BcDhcpMsg *req, const char *key,
                const char *chaddr)
{
  const BcLease *l = bc_lease_db_lookup_addr (leases, req->ciaddr);
  g_autofree char *a = ip_str (req->ciaddr);

  if (l == NULL || g_strcmp0 (l->client_key, key) != 0)
    return ignore (d, "RELEASE of %s from %s, which does not hold it", a, chaddr);
  bc_lease_db_remove (leases, req->ciaddr);
  d->leases_changed = TRUE;
  return ignore (d, "%s released %s", chaddr, a);
}

/* RFC 2131 4.3.5: "The server responds to a DHCPINFORM message by sending a DHCPACK
 * message directly to the address given in the 'ciaddr' field ... The server MUST NOT
 * send a lease expiration time to the client and SHOULD NOT fill in 'yiaddr'." */
static BcDhcpDecision *
handle_inform (BcDhcpDecision *d, const BcConfResult *r, const BcDhcpMsg *req, const char *chaddr,
               const BcDhcpPolicyContext *ctx)
{
  g_autofree char *a = ip_str (req->ciaddr), *boot = NULL;

  make_reply (d, req, r, BC_DHCP_ACK, 0, 0, ctx);
  d->reply->ciaddr = req->ciaddr;
  boot = boot_summary (r);
  d->reason = g_strdup_printf ("ACK to INFORM from %s at %s: %s", chaddr, a, boot);
  return d;
}

BcDhcpDecision *
bc_dhcp_policy_handle (const BcConf *conf, BcLeaseDb *leases, const BcDhcpMsg *request,
                       const BcDhcpPolicyContext *ctx, GError **error)
{
  g_autoptr (BcDhcpDecision) d = g_new0 (BcDhcpDecision, 1);
  g_autofree char *key = NULL, *chaddr = NULL;
  BcConfRequestContext cctx = { 0 };
  const BcConfResult *r;
  GError *local = NULL;
  guint type;
  guint32 maxsz;
  GBytes *maxb;

  d->dest = BC_DHCP_DEST_NONE;
  if (request->op != BC_DHCP_OP_BOOTREQUEST)
    return ignore (g_steal_pointer (&d), "op %u is not BOOTREQUEST", request->op);
  /* ISC drops hlen > 16 (it would overrun chaddr); hlen 0 leaves no client identity
   * without option 61 and nowhere to unicast. */
  if (request->hlen == 0 || request->hlen > sizeof request->chaddr)
    return ignore (g_steal_pointer (&d), "hardware address length %u is not 1..16", request->hlen);
  type = bc_dhcp_msg_get_message_type (request);
  d->request_type = type;
  chaddr = bc_dhcp_msg_format_chaddr (request);
  if (type == 0)
    return ignore (g_steal_pointer (&d),
                   "BOOTP request from %s (no option 53): BOOTP is not served", chaddr);
  if (type != BC_DHCP_DISCOVER && type != BC_DHCP_REQUEST && type != BC_DHCP_DECLINE
      && type != BC_DHCP_RELEASE && type != BC_DHCP_INFORM)
    return ignore (g_steal_pointer (&d), "%s from %s is not a client message",
                   bc_dhcp_message_type_name (type) ? bc_dhcp_message_type_name (type)
                                                    : "unknown message type",
                   chaddr);

  key = bc_lease_db_client_key (request);
  if (type == BC_DHCP_RELEASE)
    return handle_release (g_steal_pointer (&d), leases, request, key, chaddr);

  cctx.local_addr = ctx->interface_addr;
  cctx.lease_exists = bc_lease_db_lookup_client (leases, key) != NULL;
  d->conf = bc_conf_evaluate (conf, request, &cctx, &local);
  if (d->conf == NULL)
    {
      g_propagate_error (error, local);
      return NULL;
    }
  r = d->conf;
  maxsz = 0;
  maxb = bc_dhcp_msg_get_option (request, BC_DHCP_OPTION_MAX_MESSAGE_SIZE);
  if (maxb != NULL && g_bytes_get_size (maxb) == 2)
    {
      const guint8 *p = g_bytes_get_data (maxb, NULL);
      maxsz = (guint32)p[0] << 8 | p[1];
    }
  /* RFC 2132 9.10: at least 576; anything smaller is ignored. */
  d->max_len = maxsz >= 576 ? maxsz : 0;

  if (type == BC_DHCP_DECLINE)
    return handle_decline (g_steal_pointer (&d), leases, r, request, key, chaddr, ctx);
  if (!r->has_subnet)
    return ignore (g_steal_pointer (&d),
                   "no subnet declared for %s's network (ISC: \"unknown network segment\")",
                   chaddr);
  if (r->ignore_client)
    return ignore (g_steal_pointer (&d), "the configuration ignores %s (deny/ignore)", chaddr);
  if (r->ignore_booting)
    return ignore (g_steal_pointer (&d), "the configuration ignores booting for %s", chaddr);

  switch (type)
    {
      case BC_DHCP_DISCOVER:
        return handle_discover (g_steal_pointer (&d), leases, r, request, key, chaddr, ctx);
      case BC_DHCP_REQUEST:
        return handle_request (g_steal_pointer (&d), leases, r, request, key, chaddr, ctx);
      case BC_DHCP_INFORM:
        return handle_inform (g_steal_pointer (&d), r, request, chaddr, ctx);
      default:
        g_assert_not_reached ();
    }
}

static void
add_where (JsonBuilder *b, const char *name, const BcConfLocation *where)
{
  g_autofree char *s = NULL;
  if (where == NULL || where->file == NULL || where->line == 0)
    return;
  s = bc_conf_location_format (where);
  json_builder_set_member_name (b, name);
  json_builder_add_string_value (b, s);
}

JsonNode *
bc_dhcp_decision_reason_to_json (const BcDhcpDecision *d)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  const BcConfResult *r = d->conf;

  json_builder_begin_object (b);
  if (r != NULL)
    {
      if (r->has_subnet)
        add_where (b, "subnet", &r->subnet_where);
      if (r->filename != NULL)
        add_where (b, "filename", &r->filename_where);
      if (r->has_next_server)
        add_where (b, "next-server", &r->next_server_where);
      if (r->server_name != NULL)
        add_where (b, "server-name", &r->server_name_where);
      if (r->host != NULL)
        {
          json_builder_set_member_name (b, "host");
          json_builder_add_string_value (b, r->host);
        }
      if (r->classes != NULL && r->classes->len > 0)
        {
          json_builder_set_member_name (b, "classes");
          json_builder_begin_array (b);
          for (guint i = 0; i < r->classes->len; i++)
            json_builder_add_string_value (b, r->classes->pdata[i]);
          json_builder_end_array (b);
        }
      if (r->trace != NULL)
        {
          json_builder_set_member_name (b, "trace");
          json_builder_begin_array (b);
          for (guint i = 0; i < r->trace->len; i++)
            {
              const BcConfTrace *t = r->trace->pdata[i];
              g_autofree char *loc = bc_conf_location_format (&t->where);
              g_autofree char *line = g_strdup_printf ("%s: %s", loc, t->text);
              json_builder_add_string_value (b, line);
            }
          json_builder_end_array (b);
        }
    }
  json_builder_set_member_name (b, "text");
  json_builder_add_string_value (b, d->reason != NULL ? d->reason : "");
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

char *
bc_dhcp_decision_format_dest (const BcDhcpDecision *d)
{
  g_autofree char *a = ip_str (d->dest_addr);
  g_autofree char *hw = NULL;

  switch (d->dest)
    {
      case BC_DHCP_DEST_NONE:
        return g_strdup ("none");
      case BC_DHCP_DEST_CHADDR:
        hw = bc_dhcp_hex_colon (d->dest_hwaddr, d->dest_hwlen);
        return g_strdup_printf ("%s:%u via %s", a, d->dest_port, hw);
      default:
        return g_strdup_printf ("%s:%u", a, d->dest_port);
    }
}
