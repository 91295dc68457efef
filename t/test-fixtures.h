/* Helpers every C test shares: test data files, DHCP packet fixtures parsed from an
 * exact-size heap copy (so ASan sees over-reads), dotted-quad addresses, dhcpd.conf
 * text. Static inline: a test uses what it needs and links nothing more. */
#pragma once

#include <arpa/inet.h>
#include <string.h>

#include <glib.h>

#include "server/conf/conf.h"
#include "server/proto/dhcp-msg.h"

/* The bytes of t/data/SUBDIR/NAME. */
static inline GBytes *
bc_test_data_bytes (const char *subdir, const char *name)
{
  g_autofree char *path = g_build_filename (BC_TEST_DATA, subdir, name, NULL);
  g_autoptr (GError) error = NULL;
  char *contents = NULL;
  gsize len = 0;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (contents, len);
}

/* bc_dhcp_msg_parse on an exact-size copy of @data. */
static inline gboolean
bc_test_dhcp_parse_copy (const guint8 *data, gsize len, BcDhcpMsg **ret, GError **error)
{
  g_autofree guint8 *copy = g_memdup2 (data, len);
  return bc_dhcp_msg_parse (copy, len, ret, error);
}

/* t/data/dhcp/NAME (a UDP payload) parsed; the test fails if it does not parse. */
static inline BcDhcpMsg *
bc_test_dhcp_fixture (const char *name)
{
  g_autoptr (GBytes) bytes = bc_test_data_bytes ("dhcp", name);
  g_autoptr (GError) error = NULL;
  BcDhcpMsg *msg = NULL;
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  g_assert_true (bc_test_dhcp_parse_copy (data, len, &msg, &error));
  g_assert_no_error (error);
  g_assert_nonnull (msg);
  return msg;
}

/* "192.168.42.1" -> network order. */
static inline guint32
bc_test_ip (const char *s)
{
  struct in_addr a;
  g_assert_cmpint (inet_pton (AF_INET, s, &a), ==, 1);
  return a.s_addr;
}

static inline char *
bc_test_ip_str (guint32 addr)
{
  char buf[INET_ADDRSTRLEN];
  inet_ntop (AF_INET, &addr, buf, sizeof buf);
  return g_strdup (buf);
}

/* A dhcpd.conf that must parse, named "dhcpd.conf" in messages. */
static inline BcConf *
bc_test_conf_from_text (const char *text)
{
  g_autoptr (GError) error = NULL;
  BcConf *conf = bc_conf_parse ("dhcpd.conf", text, strlen (text), &error);
  g_assert_no_error (error);
  g_assert_nonnull (conf);
  return conf;
}

/* t/data/SUBDIR/NAME as a dhcpd.conf that must parse, named NAME in messages. */
static inline BcConf *
bc_test_conf_from_file (const char *subdir, const char *name)
{
  g_autoptr (GBytes) bytes = bc_test_data_bytes (subdir, name);
  g_autoptr (GError) error = NULL;
  gsize len = 0;
  const char *text = g_bytes_get_data (bytes, &len);
  BcConf *conf = bc_conf_parse (name, text, len, &error);

  g_assert_no_error (error);
  g_assert_nonnull (conf);
  return conf;
}
