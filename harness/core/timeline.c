/* Timeline events: see timeline.h. */
#include "harness/core/timeline.h"

#include <arpa/inet.h>

BcEvent *
bc_event_new (BcEventKind kind, gint64 t_us, const char *text)
{
  BcEvent *ev = g_new0 (BcEvent, 1);

  ev->kind = kind;
  ev->t_us = t_us;
  ev->text = g_strdup (text);
  return ev;
}

void
bc_event_free (BcEvent *ev)
{
  if (ev == NULL)
    return;
  g_free (ev->text);
  g_clear_pointer (&ev->dhcp, bc_dhcp_msg_free);
  g_free (ev->tftp_file);
  g_free (ev->tftp_error);
  g_free (ev->http_method);
  g_free (ev->http_path);
  g_clear_pointer (&ev->server, json_node_unref);
  g_free (ev);
}

const char *
bc_event_kind_name (BcEventKind kind)
{
  switch (kind)
    {
      case BC_EVENT_CONSOLE:
        return "console";
      case BC_EVENT_DHCP:
        return "dhcp";
      case BC_EVENT_TFTP:
        return "tftp";
      case BC_EVENT_HTTP:
        return "http";
      case BC_EVENT_SERVER:
        return "server";
      case BC_EVENT_VM:
        return "vm";
    }
  return "unknown";
}

static void
append_addr (GString *s, const char *label, guint32 addr)
{
  char buf[INET_ADDRSTRLEN];
  struct in_addr in = { .s_addr = addr };

  if (addr == 0)
    return;
  inet_ntop (AF_INET, &in, buf, sizeof buf);
  g_string_append_printf (s, " %s %s", label, buf);
}

/* Option data as printable text when it is, else colon-hex: option 60/77 are text
 * in practice, but all wire data is hostile. */
static void
append_text_option (GString *s, const char *label, GBytes *b)
{
  gsize len = 0;
  const guint8 *data;
  gboolean printable = TRUE;

  if (b == NULL)
    return;
  data = g_bytes_get_data (b, &len);
  for (gsize i = 0; i < len; i++)
    if (data[i] < 0x20 || data[i] >= 0x7f)
      printable = FALSE;
  if (printable)
    g_string_append_printf (s, " %s=%.*s", label, (int)len, (const char *)data);
  else
    {
      g_autofree char *hex = bc_dhcp_hex_colon (data, len);
      g_string_append_printf (s, " %s=%s", label, hex);
    }
}

char *
bc_event_dhcp_summary (const BcDhcpMsg *msg)
{
  GString *s = g_string_new (NULL);
  guint type = bc_dhcp_msg_get_message_type (msg);
  const char *type_name = bc_dhcp_message_type_name (type);
  g_autofree char *chaddr = bc_dhcp_msg_format_chaddr (msg);
  GBytes *b;

  if (type_name != NULL)
    g_string_append (s, type_name);
  else if (type == 0)
    g_string_append (s, msg->op == BC_DHCP_OP_BOOTREPLY ? "BOOTREPLY" : "BOOTREQUEST");
  else
    g_string_append_printf (s, "TYPE-%u", type);
  g_string_append_printf (s, " %s xid 0x%08x", chaddr, msg->xid);
  if (msg->flags & BC_DHCP_FLAG_BROADCAST)
    g_string_append (s, " bcast");

  if (msg->op == BC_DHCP_OP_BOOTREPLY)
    {
      GBytes *file67 = bc_dhcp_msg_get_option (msg, BC_DHCP_OPTION_BOOTFILE_NAME);

      append_addr (s, "yiaddr", msg->yiaddr);
      append_addr (s, "siaddr", msg->siaddr);
      if (msg->sname[0] != '\0')
        g_string_append_printf (s, " sname=%s", msg->sname);
      if (msg->file[0] != '\0')
        g_string_append_printf (s, " file=%s", msg->file);
      else if (file67 != NULL)
        append_text_option (s, "file", file67);
      append_text_option (s, "vendor-class",
                          bc_dhcp_msg_get_option (msg, BC_DHCP_OPTION_VENDOR_CLASS_IDENTIFIER));
    }
  else
    {
      append_addr (s, "ciaddr", msg->ciaddr);
      append_text_option (s, "vendor-class",
                          bc_dhcp_msg_get_option (msg, BC_DHCP_OPTION_VENDOR_CLASS_IDENTIFIER));
      append_text_option (s, "user-class", bc_dhcp_msg_get_option (msg, BC_DHCP_OPTION_USER_CLASS));
      b = bc_dhcp_msg_get_option (msg, BC_DHCP_OPTION_CLIENT_ARCH);
      if (b != NULL && g_bytes_get_size (b) == 2)
        {
          const guint8 *d = g_bytes_get_data (b, NULL);
          g_string_append_printf (s, " arch=%u", (guint)d[0] << 8 | d[1]);
        }
      if (bc_dhcp_msg_get_option (msg, BC_DHCP_OPTION_CLIENT_UUID) != NULL)
        g_string_append (s, " 97");
      b = bc_dhcp_msg_get_option (msg, BC_DHCP_OPTION_IPXE_ENCAP);
      if (b != NULL)
        {
          g_autoptr (GPtrArray) subs = NULL;
          gsize len = 0;
          const guint8 *d = g_bytes_get_data (b, &len);

          if (bc_dhcp_options_parse_encapsulated (d, len, &subs, NULL))
            {
              g_string_append (s, " 175=[");
              for (guint i = 0; i < subs->len; i++)
                {
                  const BcDhcpOption *o = subs->pdata[i];
                  g_string_append_printf (s, "%s%u", i ? "," : "", o->code);
                }
              g_string_append (s, "]");
            }
          else
            g_string_append (s, " 175=malformed");
        }
    }
  return g_string_free (s, FALSE);
}

char *
bc_event_format_line (const BcEvent *ev)
{
  g_autofree char *body = NULL;

  if (ev->text != NULL)
    body = g_strdup (ev->text);
  else if (ev->kind == BC_EVENT_DHCP && ev->dhcp != NULL)
    body = bc_event_dhcp_summary (ev->dhcp);
  else if (ev->kind == BC_EVENT_TFTP)
    {
      switch (ev->tftp_phase)
        {
          case BC_TFTP_PHASE_REQUEST:
            body = g_strdup_printf ("RRQ %s", ev->tftp_file ? ev->tftp_file : "?");
            break;
          case BC_TFTP_PHASE_COMPLETE:
            body = g_strdup_printf ("complete %s %" G_GUINT64_FORMAT " bytes",
                                    ev->tftp_file ? ev->tftp_file : "?", ev->tftp_bytes);
            break;
          case BC_TFTP_PHASE_ERROR:
          default:
            body = g_strdup_printf ("error %s: %s", ev->tftp_file ? ev->tftp_file : "?",
                                    ev->tftp_error ? ev->tftp_error : "");
            break;
        }
    }
  else if (ev->kind == BC_EVENT_HTTP)
    body = g_strdup_printf ("%s %s %u", ev->http_method ? ev->http_method : "?",
                            ev->http_path ? ev->http_path : "?", ev->http_status);
  else if (ev->kind == BC_EVENT_SERVER && ev->server != NULL)
    body = json_to_string (ev->server, FALSE);
  else
    body = g_strdup ("");

  return g_strdup_printf ("%8.3f %-8s %s", (double)ev->t_us / G_USEC_PER_SEC,
                          bc_event_kind_name (ev->kind), body);
}
