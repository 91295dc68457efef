/* Captured frames -> timeline events: see capture-decode.h. All wire data is hostile
 * (iPXE doc/threat_model.dox): every length is checked against what remains. */
#include "harness/core/capture-decode.h"

#include <string.h>

#define ETH_HLEN 14
#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_VLAN 0x8100
#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17
#define TFTP_PORT 69
#define MAX_TRACKED 256 /* transfers/connections kept; more is a flood, start over */

/* RFC 1350 5 opcodes, RFC 2347 OACK */
enum
{
  TFTP_RRQ = 1,
  TFTP_WRQ = 2,
  TFTP_DATA = 3,
  TFTP_ACK = 4,
  TFTP_ERROR = 5,
  TFTP_OACK = 6,
};

typedef struct
{
  guint32 client_addr, server_addr;
  guint16 client_port, server_port; /* server_port 0 until the server answers */
  char *file;
  guint blksize;
  guint16 last_block16; /* last DATA block number seen (wire, 16 bits) */
  guint64 blocks;       /* DATA blocks so far (rollover-proof) */
  guint64 bytes;
  gboolean final_seen; /* a short DATA block was seen */
  guint16 final_block16;
} Transfer;

typedef struct
{
  GQueue pending; /* of char* "METHOD\0PATH" pairs (pipelining) */
  guint32 last_req_seq, last_resp_seq;
  gboolean has_req_seq, has_resp_seq;
} HttpConn;

struct _BcCaptureDecoder
{
  guint16 http_port;
  GHashTable *transfers; /* client addr:port (guint64*) -> Transfer* */
  GHashTable *conns;     /* Key128 -> HttpConn* */
  guint malformed;
};

typedef struct
{
  guint32 client_addr, server_addr;
  guint16 client_port, server_port;
} ConnKey;

static guint
conn_key_hash (gconstpointer p)
{
  const ConnKey *k = p;
  return k->client_addr ^ (k->server_addr * 31) ^ ((guint)k->client_port << 16) ^ k->server_port;
}

static gboolean
conn_key_equal (gconstpointer a, gconstpointer b)
{
  const ConnKey *x = a, *y = b;
  return x->client_addr == y->client_addr && x->server_addr == y->server_addr
         && x->client_port == y->client_port && x->server_port == y->server_port;
}

static void
transfer_free (Transfer *t)
{
  g_free (t->file);
  g_free (t);
}

static void
conn_free (HttpConn *c)
{
  g_queue_clear_full (&c->pending, g_free);
  g_free (c);
}

BcCaptureDecoder *
bc_capture_decoder_new (guint16 http_port)
{
  BcCaptureDecoder *dec = g_new0 (BcCaptureDecoder, 1);

  dec->http_port = http_port ? http_port : 80;
  dec->transfers
      = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, (GDestroyNotify)transfer_free);
  dec->conns
      = g_hash_table_new_full (conn_key_hash, conn_key_equal, g_free, (GDestroyNotify)conn_free);
  return dec;
}

void
bc_capture_decoder_free (BcCaptureDecoder *dec)
{
  if (dec == NULL)
    return;
  g_hash_table_unref (dec->transfers);
  g_hash_table_unref (dec->conns);
  g_free (dec);
}

guint
bc_capture_decoder_get_malformed (const BcCaptureDecoder *dec)
{
  return dec->malformed;
}

static guint16
rd16 (const guint8 *p)
{
  return (guint16)(p[0] << 8 | p[1]);
}

static guint32
rd32 (const guint8 *p)
{
  return (guint32)p[0] << 24 | (guint32)p[1] << 16 | (guint32)p[2] << 8 | p[3];
}

/* Addresses as read from the header: kept in network order like s_addr. */
static guint32
rd_addr (const guint8 *p)
{
  guint32 a;
  memcpy (&a, p, 4);
  return a;
}

static void
malformed (BcCaptureDecoder *dec, const char *what)
{
  dec->malformed++;
  g_debug ("capture: dropped malformed %s", what);
}

static BcEvent *
wire_event (BcEventKind kind, gint64 t_us, guint32 src, guint16 sport, guint32 dst, guint16 dport)
{
  BcEvent *ev = bc_event_new (kind, t_us, NULL);

  ev->src_addr = src;
  ev->dst_addr = dst;
  ev->src_port = sport;
  ev->dst_port = dport;
  return ev;
}

/* ---- DHCP -------------------------------------------------------------------------- */

static void
decode_dhcp (BcCaptureDecoder *dec, const guint8 *p, gsize len, gint64 t_us, guint32 src,
             guint16 sport, guint32 dst, guint16 dport, GPtrArray *out)
{
  g_autoptr (BcDhcpMsg) msg = NULL;
  g_autoptr (GError) error = NULL;
  BcEvent *ev;

  if (!bc_dhcp_msg_parse (p, len, &msg, &error))
    {
      dec->malformed++;
      g_debug ("capture: dropped malformed DHCP packet: %s", error->message);
      return;
    }
  ev = wire_event (BC_EVENT_DHCP, t_us, src, sport, dst, dport);
  ev->text = bc_event_dhcp_summary (msg);
  ev->dhcp = g_steal_pointer (&msg);
  g_ptr_array_add (out, ev);
}

/* ---- TFTP -------------------------------------------------------------------------- */

static guint64
transfer_key (guint32 addr, guint16 port)
{
  return (guint64)addr << 16 | port;
}

static void
limit_table (GHashTable *t)
{
  if (g_hash_table_size (t) >= MAX_TRACKED)
    g_hash_table_remove_all (t);
}

/* A NUL-terminated string at p[*off..len); NULL when unterminated. */
static char *
read_cstr (const guint8 *p, gsize len, gsize *off)
{
  const guint8 *nul;
  char *s;

  if (*off >= len)
    return NULL;
  nul = memchr (p + *off, '\0', len - *off);
  if (nul == NULL)
    return NULL;
  s = g_utf8_make_valid ((const char *)p + *off, nul - (p + *off));
  *off = (nul - p) + 1;
  return s;
}

static void
decode_rrq (BcCaptureDecoder *dec, const guint8 *p, gsize len, gint64 t_us, guint32 src,
            guint16 sport, guint32 dst, GPtrArray *out)
{
  gsize off = 2;
  g_autofree char *file = read_cstr (p, len, &off);
  g_autofree char *mode = file ? read_cstr (p, len, &off) : NULL;
  guint64 key = transfer_key (src, sport);
  Transfer *t = g_hash_table_lookup (dec->transfers, &key);
  BcEvent *ev;

  if (file == NULL || mode == NULL)
    {
      malformed (dec, "TFTP RRQ");
      return;
    }
  /* A retransmitted RRQ (no answer yet) is the same request. */
  if (t != NULL && t->server_port == 0 && t->server_addr == dst && g_str_equal (t->file, file))
    return;
  limit_table (dec->transfers);
  t = g_new0 (Transfer, 1);
  t->client_addr = src;
  t->client_port = sport;
  t->server_addr = dst;
  t->file = g_strdup (file);
  t->blksize = 512; /* RFC 1350 */
  g_hash_table_insert (dec->transfers, g_memdup2 (&key, sizeof key), t);

  ev = wire_event (BC_EVENT_TFTP, t_us, src, sport, dst, TFTP_PORT);
  ev->tftp_phase = BC_TFTP_PHASE_REQUEST;
  ev->tftp_file = g_steal_pointer (&file);
  ev->text = g_strdup_printf ("RRQ %s (%s)", ev->tftp_file, mode);
  g_ptr_array_add (out, ev);
}

static BcEvent *
transfer_event (const Transfer *t, gint64 t_us, BcTftpPhase phase)
{
  BcEvent *ev = wire_event (BC_EVENT_TFTP, t_us, t->client_addr, t->client_port, t->server_addr,
                            t->server_port);
  ev->tftp_phase = phase;
  ev->tftp_file = g_strdup (t->file);
  ev->tftp_bytes = t->bytes;
  return ev;
}

static void
transfer_error (BcCaptureDecoder *dec, guint64 key, Transfer *t, const guint8 *p, gsize len,
                gint64 t_us, const char *side, GPtrArray *out)
{
  gsize off = 4;
  g_autofree char *msg = NULL;
  BcEvent *ev;
  guint code;

  if (len < 4)
    {
      malformed (dec, "TFTP ERROR");
      return;
    }
  code = rd16 (p + 2);
  msg = read_cstr (p, len, &off);
  ev = transfer_event (t, t_us, BC_TFTP_PHASE_ERROR);
  ev->tftp_error = g_strdup_printf ("%s error %u: %s", side, code, msg ? msg : "");
  ev->text = g_strdup_printf ("error %s: %s", t->file, ev->tftp_error);
  g_ptr_array_add (out, ev);
  g_hash_table_remove (dec->transfers, &key);
}

/* RFC 2347 OACK: option/value string pairs; RFC 2348 blksize 8..65464. */
static void
apply_oack (BcCaptureDecoder *dec, Transfer *t, const guint8 *p, gsize len)
{
  gsize off = 2;

  while (off < len)
    {
      g_autofree char *name = read_cstr (p, len, &off);
      g_autofree char *value = name ? read_cstr (p, len, &off) : NULL;

      if (value == NULL)
        {
          malformed (dec, "TFTP OACK");
          return;
        }
      if (g_ascii_strcasecmp (name, "blksize") == 0)
        {
          guint64 b = g_ascii_strtoull (value, NULL, 10);
          if (b >= 8 && b <= 65464)
            t->blksize = b;
        }
    }
}

static void
decode_tftp_server (BcCaptureDecoder *dec, guint64 key, Transfer *t, const guint8 *p, gsize len,
                    guint16 sport, gint64 t_us, GPtrArray *out)
{
  guint op = rd16 (p);

  if (t->server_port == 0)
    t->server_port = sport;
  else if (t->server_port != sport)
    return; /* RFC 1350 4: a packet from another TID is not ours */
  switch (op)
    {
      case TFTP_OACK:
        apply_oack (dec, t, p, len);
        break;
      case TFTP_DATA:
        {
          guint16 block;
          gsize payload;

          if (len < 4)
            {
              malformed (dec, "TFTP DATA");
              return;
            }
          block = rd16 (p + 2);
          payload = len - 4;
          /* The next block, also across the 16-bit rollover (tftp-hpa wraps to 0,
         * others to 1); anything else is a retransmission or out of order. */
          if (block == (guint16)(t->last_block16 + 1)
              || (t->last_block16 == 65535 && block == 1 && t->blocks > 0))
            {
              t->last_block16 = block;
              t->blocks++;
              t->bytes += payload;
              if (payload < t->blksize)
                {
                  t->final_seen = TRUE;
                  t->final_block16 = block;
                }
            }
          break;
        }
      case TFTP_ERROR:
        transfer_error (dec, key, t, p, len, t_us, "server", out);
        break;
      default:
        break;
    }
}

static void
decode_tftp_client (BcCaptureDecoder *dec, guint64 key, Transfer *t, const guint8 *p, gsize len,
                    guint16 dport, gint64 t_us, GPtrArray *out)
{
  guint op = rd16 (p);

  if (t->server_port != 0 && dport != t->server_port)
    return;
  if (op == TFTP_ACK)
    {
      if (len < 4)
        {
          malformed (dec, "TFTP ACK");
          return;
        }
      if (t->final_seen && rd16 (p + 2) == t->final_block16)
        {
          BcEvent *ev = transfer_event (t, t_us, BC_TFTP_PHASE_COMPLETE);
          ev->text = g_strdup_printf ("complete %s %" G_GUINT64_FORMAT " bytes (blksize %u)",
                                      t->file, t->bytes, t->blksize);
          g_ptr_array_add (out, ev);
          g_hash_table_remove (dec->transfers, &key);
        }
    }
  else if (op == TFTP_ERROR)
    /* e.g. EDK2 PXE asks for tsize, then aborts the first transfer on purpose */
    transfer_error (dec, key, t, p, len, t_us, "client", out);
}

/* Returns TRUE when the packet was TFTP (handled or dropped). */
static gboolean
decode_tftp (BcCaptureDecoder *dec, const guint8 *p, gsize len, gint64 t_us, guint32 src,
             guint16 sport, guint32 dst, guint16 dport, GPtrArray *out)
{
  guint64 key;
  Transfer *t;

  if (dport == TFTP_PORT)
    {
      if (len < 2)
        {
          malformed (dec, "TFTP request");
          return TRUE;
        }
      if (rd16 (p) == TFTP_RRQ)
        decode_rrq (dec, p, len, t_us, src, sport, dst, out);
      return TRUE;
    }
  /* from the client (its TID is the key) */
  key = transfer_key (src, sport);
  t = g_hash_table_lookup (dec->transfers, &key);
  if (t != NULL && t->server_addr == dst)
    {
      if (len < 2)
        malformed (dec, "TFTP packet");
      else
        decode_tftp_client (dec, key, t, p, len, dport, t_us, out);
      return TRUE;
    }
  key = transfer_key (dst, dport);
  t = g_hash_table_lookup (dec->transfers, &key);
  if (t != NULL && t->server_addr == src)
    {
      if (len < 2)
        malformed (dec, "TFTP packet");
      else
        decode_tftp_server (dec, key, t, p, len, sport, t_us, out);
      return TRUE;
    }
  return FALSE;
}

/* ---- HTTP -------------------------------------------------------------------------- */

static gboolean
is_token_char (guint8 c)
{
  return g_ascii_isupper (c);
}

/* "GET /boot.ipxe HTTP/1.1\r\n" at the start of @p. */
static gboolean
parse_request_line (const guint8 *p, gsize len, char **ret_method, char **ret_path)
{
  gsize i = 0, m_end, path_start, path_end;

  while (i < len && i < 16 && is_token_char (p[i]))
    i++;
  if (i == 0 || i >= len || p[i] != ' ')
    return FALSE;
  m_end = i;
  path_start = ++i;
  while (i < len && i - path_start < 4096 && p[i] != ' ' && p[i] != '\r' && p[i] != '\n')
    i++;
  if (i >= len || p[i] != ' ' || i == path_start)
    return FALSE;
  path_end = i++;
  if (len - i < 5 || memcmp (p + i, "HTTP/", 5) != 0)
    return FALSE;
  *ret_method = g_strndup ((const char *)p, m_end);
  *ret_path = g_utf8_make_valid ((const char *)p + path_start, path_end - path_start);
  return TRUE;
}

/* "HTTP/1.1 200 OK" at the start of @p. */
static gboolean
parse_status_line (const guint8 *p, gsize len, guint *ret_status)
{
  if (len < 12 || memcmp (p, "HTTP/", 5) != 0)
    return FALSE;
  for (gsize i = 5; i < len && i < 16; i++)
    if (p[i] == ' ')
      {
        if (i + 3 < len && g_ascii_isdigit (p[i + 1]) && g_ascii_isdigit (p[i + 2])
            && g_ascii_isdigit (p[i + 3]))
          {
            *ret_status = (p[i + 1] - '0') * 100 + (p[i + 2] - '0') * 10 + (p[i + 3] - '0');
            return *ret_status >= 100;
          }
        return FALSE;
      }
  return FALSE;
}

static void
decode_http (BcCaptureDecoder *dec, const guint8 *p, gsize len, guint32 seq, gboolean from_client,
             gint64 t_us, guint32 src, guint16 sport, guint32 dst, guint16 dport, GPtrArray *out)
{
  ConnKey key;
  HttpConn *c;

  if (from_client)
    key = (ConnKey){ src, dst, sport, dport };
  else
    key = (ConnKey){ dst, src, dport, sport };
  c = g_hash_table_lookup (dec->conns, &key);

  if (from_client)
    {
      char *method = NULL, *path = NULL;

      if (!parse_request_line (p, len, &method, &path))
        return;
      if (c == NULL)
        {
          limit_table (dec->conns);
          c = g_new0 (HttpConn, 1);
          g_queue_init (&c->pending);
          g_hash_table_insert (dec->conns, g_memdup2 (&key, sizeof key), c);
        }
      if (c->has_req_seq && c->last_req_seq == seq)
        {
          /* TCP retransmission of the same request */
          g_free (method);
          g_free (path);
          return;
        }
      c->has_req_seq = TRUE;
      c->last_req_seq = seq;
      if (c->pending.length < 64)
        g_queue_push_tail (&c->pending, g_strjoin ("\n", method, path, NULL));
      g_free (method);
      g_free (path);
      return;
    }

  {
    guint status = 0;
    g_autofree char *req = NULL;
    char *nl;
    BcEvent *ev;

    if (c == NULL || !parse_status_line (p, len, &status))
      return;
    if (c->has_resp_seq && c->last_resp_seq == seq)
      return;
    req = g_queue_pop_head (&c->pending);
    if (req == NULL)
      return;
    c->has_resp_seq = TRUE;
    c->last_resp_seq = seq;
    nl = strchr (req, '\n');
    *nl = '\0';
    ev = wire_event (BC_EVENT_HTTP, t_us, key.client_addr, key.client_port, key.server_addr,
                     key.server_port);
    ev->http_method = g_strdup (req);
    ev->http_path = g_strdup (nl + 1);
    ev->http_status = status;
    ev->text = g_strdup_printf ("%s %s %u", ev->http_method, ev->http_path, status);
    g_ptr_array_add (out, ev);
  }
}

/* ---- frames ------------------------------------------------------------------------ */

GPtrArray *
bc_capture_decoder_feed (BcCaptureDecoder *dec, const guint8 *frame, gsize len, gint64 t_us)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify)bc_event_free);
  gsize off = 12;
  guint16 type;
  const guint8 *ip;
  gsize ip_len, ihl, total;
  guint proto;
  guint32 src, dst;

  if (len < ETH_HLEN)
    return out;
  type = rd16 (frame + off);
  off += 2;
  if (type == ETHERTYPE_VLAN)
    {
      if (len < off + 4)
        return out;
      type = rd16 (frame + off + 2);
      off += 4;
    }
  if (type != ETHERTYPE_IPV4)
    return out;

  /* RFC 791 */
  ip = frame + off;
  ip_len = len - off;
  if (ip_len < 20 || (ip[0] >> 4) != 4)
    return out;
  ihl = (ip[0] & 0x0f) * 4;
  total = rd16 (ip + 2);
  if (ihl < 20 || total < ihl || ip_len < ihl)
    return out;
  if (total < ip_len)
    ip_len = total; /* Ethernet padding */
  if ((rd16 (ip + 6) & 0x1fff) != 0)
    return out; /* a later fragment: no transport header */
  proto = ip[9];
  src = rd_addr (ip + 12);
  dst = rd_addr (ip + 16);

  if (proto == IPPROTO_UDP_)
    {
      const guint8 *udp = ip + ihl;
      gsize udp_len = ip_len - ihl;
      guint16 sport, dport, ulen;

      if (udp_len < 8)
        return out;
      sport = rd16 (udp);
      dport = rd16 (udp + 2);
      ulen = rd16 (udp + 4);
      if (ulen >= 8 && ulen < udp_len)
        udp_len = ulen;
      if (sport == BC_DHCP_SERVER_PORT || sport == BC_DHCP_CLIENT_PORT
          || dport == BC_DHCP_SERVER_PORT || dport == BC_DHCP_CLIENT_PORT)
        {
          decode_dhcp (dec, udp + 8, udp_len - 8, t_us, src, sport, dst, dport, out);
          return out;
        }
      decode_tftp (dec, udp + 8, udp_len - 8, t_us, src, sport, dst, dport, out);
    }
  else if (proto == IPPROTO_TCP_)
    {
      const guint8 *tcp = ip + ihl;
      gsize tcp_len = ip_len - ihl, doff;
      guint16 sport, dport;
      gboolean to_server, from_server;

      if (tcp_len < 20)
        return out;
      sport = rd16 (tcp);
      dport = rd16 (tcp + 2);
      to_server = dport == 80 || dport == dec->http_port;
      from_server = sport == 80 || sport == dec->http_port;
      if (!to_server && !from_server)
        return out;
      doff = (tcp[12] >> 4) * 4;
      if (doff < 20 || doff > tcp_len)
        {
          malformed (dec, "TCP segment");
          return out;
        }
      if (tcp_len == doff)
        return out;
      decode_http (dec, tcp + doff, tcp_len - doff, rd32 (tcp + 4), to_server, t_us, src, sport,
                   dst, dport, out);
    }
  return out;
}
