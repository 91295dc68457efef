/* Shared helpers of the harness tests: DHCP messages and events built in code, and
 * the DHCP fixtures of t/data/dhcp/. Header-only (static functions): each test is one
 * executable. */
#pragma once

#include <arpa/inet.h>
#include <glib.h>
#include <string.h>

#include "harness/core/timeline.h"
#include "server/proto/dhcp-msg.h"
#include "t/test-fixtures.h"

#define TEST_MAC "\x52\x54\x00\x9d\x7d\x60"

static inline guint32
test_addr (const char *dotted)
{
  struct in_addr in;
  g_assert_cmpint (inet_pton (AF_INET, dotted, &in), ==, 1);
  return in.s_addr;
}

/* A client request with the given iPXE option 175 sub-option codes (each 1 byte = 1)
 * and user-class; @ipxe_codes NULL = no 175. */
static inline BcDhcpMsg *
test_request (guint type, guint32 xid, gboolean broadcast, const char *user_class,
              const guint8 *ipxe_codes, gsize n_codes)
{
  BcDhcpMsg *m = bc_dhcp_msg_new ();
  guint8 t = type;
  const guint8 arch[2] = { 0, 0 };

  m->op = BC_DHCP_OP_BOOTREQUEST;
  m->htype = 1;
  m->hlen = 6;
  m->xid = xid;
  m->flags = broadcast ? BC_DHCP_FLAG_BROADCAST : 0;
  memcpy (m->chaddr, TEST_MAC, 6);
  m->has_magic = TRUE;
  bc_dhcp_msg_set_option (m, BC_DHCP_OPTION_MESSAGE_TYPE, &t, 1);
  bc_dhcp_msg_set_option (m, BC_DHCP_OPTION_CLIENT_ARCH, arch, 2);
  bc_dhcp_msg_set_option (m, BC_DHCP_OPTION_VENDOR_CLASS_IDENTIFIER,
                          (const guint8 *)"PXEClient:Arch:00000:UNDI:002001", 32);
  if (user_class != NULL)
    bc_dhcp_msg_set_option (m, BC_DHCP_OPTION_USER_CLASS, (const guint8 *)user_class,
                            strlen (user_class));
  if (ipxe_codes != NULL)
    {
      GByteArray *b = g_byte_array_new ();
      const guint8 version[] = { 235, 3, 1, 0, 0 };
      g_byte_array_append (b, version, sizeof version);
      for (gsize i = 0; i < n_codes; i++)
        {
          const guint8 sub[] = { ipxe_codes[i], 1, 1 };
          g_byte_array_append (b, sub, 3);
        }
      bc_dhcp_msg_set_option (m, BC_DHCP_OPTION_IPXE_ENCAP, b->data, b->len);
      g_byte_array_unref (b);
    }
  return m;
}

static inline BcDhcpMsg *
test_reply (guint type, guint32 xid, const char *file)
{
  BcDhcpMsg *m = bc_dhcp_msg_new ();
  guint8 t = type;
  guint32 sid = test_addr ("192.168.42.1");

  m->op = BC_DHCP_OP_BOOTREPLY;
  m->htype = 1;
  m->hlen = 6;
  m->xid = xid;
  memcpy (m->chaddr, TEST_MAC, 6);
  m->yiaddr = test_addr ("192.168.42.100");
  m->siaddr = sid;
  if (file != NULL)
    g_strlcpy (m->file, file, sizeof m->file);
  m->has_magic = TRUE;
  bc_dhcp_msg_set_option (m, BC_DHCP_OPTION_MESSAGE_TYPE, &t, 1);
  bc_dhcp_msg_set_option (m, BC_DHCP_OPTION_SERVER_IDENTIFIER, (const guint8 *)&sid, 4);
  return m;
}

static inline BcDhcpMsg *
test_load_dhcp (const char *name)
{
  return bc_test_dhcp_fixture (name);
}

static inline BcEvent *
test_dhcp_event (double t, BcDhcpMsg *msg /* taken */)
{
  BcEvent *ev = bc_event_new (BC_EVENT_DHCP, (gint64)(t * G_USEC_PER_SEC), NULL);
  ev->dhcp = msg;
  return ev;
}

static inline BcEvent *
test_text_event (BcEventKind kind, double t, const char *text)
{
  return bc_event_new (kind, (gint64)(t * G_USEC_PER_SEC), text);
}

static inline BcEvent *
test_tftp_event (double t, BcTftpPhase phase, const char *file)
{
  BcEvent *ev = bc_event_new (BC_EVENT_TFTP, (gint64)(t * G_USEC_PER_SEC), NULL);
  ev->tftp_phase = phase;
  ev->tftp_file = g_strdup (file);
  return ev;
}

static inline BcEvent *
test_http_event (double t, const char *method, const char *path, guint status)
{
  BcEvent *ev = bc_event_new (BC_EVENT_HTTP, (gint64)(t * G_USEC_PER_SEC), NULL);
  ev->http_method = g_strdup (method);
  ev->http_path = g_strdup (path);
  ev->http_status = status;
  return ev;
}

static inline BcEvent *
test_server_event (double t, const char *json)
{
  BcEvent *ev = bc_event_new (BC_EVENT_SERVER, (gint64)(t * G_USEC_PER_SEC), NULL);
  g_autoptr (GError) error = NULL;
  ev->server = json_from_string (json, &error);
  g_assert_no_error (error);
  return ev;
}
