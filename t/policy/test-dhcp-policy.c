/* DHCP policy: the seeds' configurations × captured-shape requests (the t/data/dhcp fixtures)
 * -> reply fields, destination and reason; DORA sequences, NAKs, hostile requests. */
#include <arpa/inet.h>
#include <string.h>

#include "server/conf/conf.h"
#include "server/policy/dhcp-policy.h"
#include "server/policy/lease-db.h"
#include "t/test-fixtures.h"

#define NOW 1700000000
#define SERVER "192.168.42.1"

/* A plain client request built in code: type, chaddr last byte, PRL 1,3,6,66,67. */
static BcDhcpMsg *
request (guint type, guint8 mac_last)
{
  BcDhcpMsg *m = bc_dhcp_msg_new ();
  guint8 t = type;
  static const guint8 prl[] = { 1, 3, 6, 66, 67 };
  const guint8 mac[6] = { 0x52, 0x54, 0x00, 0x00, 0x00, mac_last };

  m->op = BC_DHCP_OP_BOOTREQUEST;
  m->htype = 1;
  m->hlen = 6;
  m->xid = 0x1000 + mac_last;
  memcpy (m->chaddr, mac, 6);
  m->has_magic = TRUE;
  bc_dhcp_msg_set_option (m, BC_DHCP_OPTION_MESSAGE_TYPE, &t, 1);
  bc_dhcp_msg_set_option (m, BC_DHCP_OPTION_PARAMETER_REQUEST_LIST, prl, sizeof prl);
  return m;
}

static void
set_addr_option (BcDhcpMsg *m, guint8 code, const char *addr)
{
  guint32 a = bc_test_ip (addr);
  bc_dhcp_msg_set_option (m, code, (const guint8 *)&a, 4);
}

static BcDhcpDecision *
handle_at (const BcConf *conf, BcLeaseDb *leases, const BcDhcpMsg *req, gint64 now)
{
  g_autoptr (GError) error = NULL;
  BcDhcpPolicyContext ctx = { 0 };
  BcDhcpDecision *d;

  ctx.server_addr = bc_test_ip (SERVER);
  ctx.interface_addr = bc_test_ip (SERVER);
  ctx.now = now;
  d = bc_dhcp_policy_handle (conf, leases, req, &ctx, &error);
  g_assert_no_error (error);
  g_assert_nonnull (d);
  g_assert_nonnull (d->reason);
  g_test_message ("%s", d->reason);
  return d;
}

static BcDhcpDecision *
handle (const BcConf *conf, BcLeaseDb *leases, const BcDhcpMsg *req)
{
  return handle_at (conf, leases, req, NOW);
}

static void
assert_reply (const BcDhcpDecision *d, guint type, const char *yiaddr, const char *siaddr,
              const char *file)
{
  g_autofree char *yi = NULL, *si = NULL;

  g_assert_nonnull (d->reply);
  g_assert_cmpuint (d->reply_type, ==, type);
  g_assert_cmpuint (bc_dhcp_msg_get_message_type (d->reply), ==, type);
  g_assert_cmpuint (d->reply->op, ==, BC_DHCP_OP_BOOTREPLY);
  yi = bc_test_ip_str (d->reply->yiaddr);
  si = bc_test_ip_str (d->reply->siaddr);
  g_assert_cmpstr (yi, ==, yiaddr);
  g_assert_cmpstr (si, ==, siaddr);
  g_assert_cmpstr (d->reply->file, ==, file);
}

static gboolean
has (const BcDhcpDecision *d, guint8 code)
{
  return bc_dhcp_msg_get_option (d->reply, code) != NULL;
}

static void
assert_option_hex (const BcDhcpDecision *d, guint8 code, const char *hex)
{
  GBytes *b = bc_dhcp_msg_get_option (d->reply, code);
  g_autofree char *got = NULL;
  g_assert_nonnull (b);
  got = bc_dhcp_hex_colon (g_bytes_get_data (b, NULL), g_bytes_get_size (b));
  g_assert_cmpstr (got, ==, hex);
}

/* Seed 000's second config × the built-in iPXE DISCOVER (no 175.20, broadcast flag
 * clear): undionly.kpxe from next-server, unicast to chaddr (iPXE's native driver). */
static void
test_seed000_builtin (void)
{
  g_autoptr (BcConf) conf = bc_test_conf_from_file ("server", "compare/seed000.conf");
  g_autoptr (BcLeaseDb) leases = bc_lease_db_new ();
  g_autoptr (BcDhcpMsg) req = bc_test_dhcp_fixture ("seed000-builtin-discover.bin");
  g_autoptr (BcDhcpDecision) d = handle (conf, leases, req);
  g_autoptr (JsonNode) reason = NULL;
  JsonObject *o;

  assert_reply (d, BC_DHCP_OFFER, "192.168.42.100", "192.168.42.1", "undionly.kpxe");
  g_assert_cmpuint (d->reply->xid, ==, req->xid);
  g_assert_cmpint (memcmp (d->reply->chaddr, req->chaddr, 16), ==, 0);
  assert_option_hex (d, BC_DHCP_OPTION_SERVER_IDENTIFIER, "c0:a8:2a:01");
  assert_option_hex (d, BC_DHCP_OPTION_LEASE_TIME, "00:00:02:58"); /* 600 */
  assert_option_hex (d, BC_DHCP_OPTION_SUBNET_MASK, "ff:ff:ff:00");
  /* iPXE asks for 175: the config's ipxe.no-pxedhcp 1 goes there. */
  assert_option_hex (d, BC_DHCP_OPTION_IPXE_ENCAP, "b0:01:01");
  /* Nothing the config does not set: no 60, no 43, no 58/59, no 67 (file field). */
  g_assert_false (has (d, BC_DHCP_OPTION_VENDOR_CLASS_IDENTIFIER));
  g_assert_false (has (d, BC_DHCP_OPTION_VENDOR_ENCAPSULATED));
  g_assert_false (has (d, BC_DHCP_OPTION_RENEWAL_TIME));
  g_assert_false (has (d, BC_DHCP_OPTION_BOOTFILE_NAME));
  g_assert_cmpint (d->dest, ==, BC_DHCP_DEST_CHADDR);
  g_assert_cmpuint (d->dest_addr, ==, bc_test_ip ("192.168.42.100"));
  g_assert_cmpuint (d->dest_port, ==, 68);
  g_assert_cmpuint (d->dest_hwlen, ==, 6);
  g_assert_cmpint (memcmp (d->dest_hwaddr, req->chaddr, 6), ==, 0);
  g_assert_cmpuint (d->max_len, ==, 1472);
  /* The why: subnet, filename and next-server locations in the file. */
  reason = bc_dhcp_decision_reason_to_json (d);
  o = json_node_get_object (reason);
  g_assert_true (
      g_str_has_prefix (json_object_get_string_member (o, "subnet"), "compare/seed000.conf:"));
  g_assert_true (
      g_str_has_prefix (json_object_get_string_member (o, "filename"), "compare/seed000.conf:"));
  g_assert_true (json_object_has_member (o, "next-server"));
  g_assert_nonnull (strstr (json_object_get_string_member (o, "text"), "undionly.kpxe"));
}

/* × the Joyent iPXE DISCOVER (175.20 https, broadcast flag set): the HTTP URL, no
 * next-server, broadcast. */
static void
test_seed000_joyent (void)
{
  g_autoptr (BcConf) conf = bc_test_conf_from_file ("server", "compare/seed000.conf");
  g_autoptr (BcLeaseDb) leases = bc_lease_db_new ();
  g_autoptr (BcDhcpMsg) req = bc_test_dhcp_fixture ("seed000-joyent-discover.bin");
  g_autoptr (BcDhcpDecision) d = handle (conf, leases, req);

  assert_reply (d, BC_DHCP_OFFER, "192.168.42.100", "0.0.0.0", "http://192.168.42.1/boot.ipxe");
  g_assert_cmpint (d->dest, ==, BC_DHCP_DEST_BROADCAST);
  g_assert_cmpuint (d->dest_addr, ==, bc_test_ip ("255.255.255.255"));
  g_assert_cmpuint (d->reply->flags & BC_DHCP_FLAG_BROADCAST, !=, 0);
}

/* The built-in ROM and then the chainloaded Joyent iPXE come from the same MAC with
 * the same client-id: the second DISCOVER gets the address offered to the first. */
static void
test_seed000_same_client_keeps_address (void)
{
  g_autoptr (BcConf) conf = bc_test_conf_from_file ("server", "compare/seed000.conf");
  g_autoptr (BcLeaseDb) leases = bc_lease_db_new ();
  g_autoptr (BcDhcpMsg) a = bc_test_dhcp_fixture ("seed000-builtin-discover.bin");
  g_autoptr (BcDhcpMsg) b = bc_test_dhcp_fixture ("seed000-joyent-discover.bin");
  g_autoptr (BcDhcpMsg) other = request (BC_DHCP_DISCOVER, 0x42);
  g_autoptr (BcDhcpDecision) d1 = handle (conf, leases, a);
  g_autoptr (BcDhcpDecision) d2 = handle (conf, leases, other);
  g_autoptr (BcDhcpDecision) d3 = handle (conf, leases, b);

  g_assert_cmpuint (d1->reply->yiaddr, ==, bc_test_ip ("192.168.42.100"));
  g_assert_cmpuint (d2->reply->yiaddr, ==, bc_test_ip ("192.168.42.101"));
  g_assert_cmpuint (d3->reply->yiaddr, ==, bc_test_ip ("192.168.42.100"));
}

typedef struct
{
  const char *conf;
  const char *fixture;
  const char *file;
  const char *siaddr;
} FileCase;

static const FileCase seed003_cases[] = {
  /* user-class "iPXE" first, then by arch (RFC 4578 option 93) */
  { "compare/seed003-user-class.conf", "seed000-builtin-discover.bin",
    "http://your-http-server/ipxe/boot.ipxe", SERVER },
  { "compare/seed003-user-class.conf", "ipxe-efi-discover.bin",
    "http://your-http-server/ipxe/boot.ipxe", SERVER },
  { "compare/seed003-user-class.conf", "edk2-discover.bin", "ipxe-x86_64.efi", SERVER },
  /* binary-to-ascii of 175.235: Debian's iPXE says 1.0.0, so every client gets the
   * fixed build for its arch */
  { "compare/seed003-version.conf", "seed000-builtin-discover.bin", "undionly-fixed.kpxe", SERVER },
  { "compare/seed003-version.conf", "ipxe-efi-rom-discover.bin", "ipxe-x86_64-fixed.efi", SERVER },
  { "compare/seed003-version.conf", "edk2-discover.bin", "ipxe-x86_64-fixed.efi", SERVER },
  /* the PXEClient class: EDK2's vendor class matches, option 60 echoed as configured */
  { "compare/pxeclient-class.conf", "edk2-discover.bin", "efi/snponly.efi", SERVER },
  { "compare/pxeclient-class.conf", "seed000-builtin-discover.bin", "pxelinux.0", SERVER },
  { "compare/encode-int.conf", "edk2-discover.bin", "arch7.efi", SERVER },
  { "compare/encode-int.conf", "seed000-builtin-discover.bin", "pci-bus.kpxe", SERVER },
};

static void
test_file_cases (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (seed003_cases); i++)
    {
      const FileCase *c = &seed003_cases[i];
      g_autoptr (BcConf) conf = bc_test_conf_from_file ("server", c->conf);
      g_autoptr (BcLeaseDb) leases = bc_lease_db_new ();
      g_autoptr (BcDhcpMsg) req = bc_test_dhcp_fixture (c->fixture);
      g_autoptr (BcDhcpDecision) d = handle (conf, leases, req);
      g_autofree char *si = NULL;

      g_test_message ("%s × %s", c->conf, c->fixture);
      g_assert_nonnull (d->reply);
      g_assert_cmpstr (d->reply->file, ==, c->file);
      si = bc_test_ip_str (d->reply->siaddr);
      g_assert_cmpstr (si, ==, c->siaddr);
    }
}

/* 175.235 rewritten to 1.21.1: the version test is true, so boot.ipxe. */
static void
test_seed003_version_match (void)
{
  g_autoptr (BcConf) conf = bc_test_conf_from_file ("server", "compare/seed003-version.conf");
  g_autoptr (BcLeaseDb) leases = bc_lease_db_new ();
  g_autoptr (BcDhcpMsg) req = bc_test_dhcp_fixture ("seed000-builtin-discover.bin");
  g_autoptr (BcDhcpDecision) d = NULL;
  GBytes *enc = bc_dhcp_msg_get_option (req, BC_DHCP_OPTION_IPXE_ENCAP);
  gsize n;
  g_autofree guint8 *copy = g_memdup2 (g_bytes_get_data (enc, &n), g_bytes_get_size (enc));
  gboolean patched = FALSE;

  for (gsize i = 0; i + 1 < n; i += 2 + copy[i + 1])
    if (copy[i] == 235 && copy[i + 1] == 3)
      {
        copy[i + 2] = 1, copy[i + 3] = 21, copy[i + 4] = 1;
        patched = TRUE;
      }
  g_assert_true (patched);
  bc_dhcp_msg_set_option (req, BC_DHCP_OPTION_IPXE_ENCAP, copy, n);
  d = handle (conf, leases, req);
  g_assert_cmpstr (d->reply->file, ==, "http://your-http-server/ipxe/boot.ipxe");
}

/* The PXEClient class sets option 60: EDK2 asks for it (PRL has 60) and gets it. */
static void
test_pxeclient_options (void)
{
  g_autoptr (BcConf) conf = bc_test_conf_from_file ("server", "compare/pxeclient-class.conf");
  g_autoptr (BcLeaseDb) leases = bc_lease_db_new ();
  g_autoptr (BcDhcpMsg) edk2 = bc_test_dhcp_fixture ("edk2-discover.bin");
  g_autoptr (BcDhcpMsg) host = request (BC_DHCP_DISCOVER, 0x01);
  g_autoptr (BcDhcpDecision) d = handle (conf, leases, edk2);
  g_autoptr (BcDhcpDecision) h = NULL;

  assert_reply (d, BC_DHCP_OFFER, "192.168.42.50", SERVER, "efi/snponly.efi");
  assert_option_hex (d, BC_DHCP_OPTION_VENDOR_CLASS_IDENTIFIER, "50:58:45:43:6c:69:65:6e:74");
  assert_option_hex (d, BC_DHCP_OPTION_ROUTERS, "c0:a8:2a:01");
  assert_option_hex (d, BC_DHCP_OPTION_LEASE_TIME, "00:00:0e:10"); /* 3600 */
  g_assert_cmpstr (d->reply->sname, ==, "bootsrv");
  g_assert_cmpint (d->dest, ==, BC_DHCP_DEST_BROADCAST); /* EDK2 sets the flag */

  /* host fixed-one: its fixed address and filename, no lease recorded. */
  memcpy (host->chaddr, (const guint8[]){ 0x52, 0x54, 0x00, 0xaa, 0xbb, 0x01 }, 6);
  h = handle (conf, leases, host);
  assert_reply (h, BC_DHCP_OFFER, "192.168.42.10", "0.0.0.0", "host-specific.kpxe");
  /* Not a PXE client: no option 60 even though the PRL would allow options. */
  g_assert_false (has (h, BC_DHCP_OPTION_VENDOR_CLASS_IDENTIFIER));
  g_assert_cmpuint (bc_lease_db_size (leases), ==, 1);
}

/* ISC's option choice: no PRL -> every configured option; PRL without 175 -> none. */
static void
test_parameter_request_list (void)
{
  g_autoptr (BcConf) conf = bc_test_conf_from_file ("server", "compare/seed000.conf");
  g_autoptr (BcLeaseDb) leases = bc_lease_db_new ();
  g_autoptr (BcDhcpMsg) a = request (BC_DHCP_DISCOVER, 1);
  g_autoptr (BcDhcpMsg) b = request (BC_DHCP_DISCOVER, 2);
  g_autoptr (BcDhcpDecision) da = NULL, db = NULL;

  da = handle (conf, leases, a); /* PRL 1,3,6,66,67 */
  g_assert_false (has (da, BC_DHCP_OPTION_IPXE_ENCAP));
  g_assert_true (has (da, BC_DHCP_OPTION_SUBNET_MASK));
  g_assert_false (has (da, BC_DHCP_OPTION_TFTP_SERVER_NAME));
  g_assert_false (has (da, BC_DHCP_OPTION_BOOTFILE_NAME));
  bc_dhcp_msg_remove_option (b, BC_DHCP_OPTION_PARAMETER_REQUEST_LIST);
  db = handle (conf, leases, b);
  assert_option_hex (db, BC_DHCP_OPTION_IPXE_ENCAP, "b0:01:01");
  g_assert_true (has (db, BC_DHCP_OPTION_SUBNET_MASK));
}

/* ISC sends a configured dhcp-renewal-time / dhcp-rebinding-time (T1/T2, RFC 2132
 * 9.11/9.12) to a client that asks for them; unconfigured, neither is sent. */
static void
test_configured_renewal_times (void)
{
  g_autoptr (BcConf) conf = bc_test_conf_from_text ("subnet 192.168.42.0 netmask 255.255.255.0 {\n"
                                                    "  range 192.168.42.100 192.168.42.102;\n"
                                                    "  option dhcp-renewal-time 300;\n"
                                                    "  option dhcp-rebinding-time 500;\n"
                                                    "}\n");
  g_autoptr (BcConf) plain = bc_test_conf_from_text ("subnet 192.168.42.0 netmask 255.255.255.0 {\n"
                                                     "  range 192.168.42.100 192.168.42.102;\n"
                                                     "}\n");
  g_autoptr (BcLeaseDb) leases = bc_lease_db_new ();
  g_autoptr (BcLeaseDb) plain_leases = bc_lease_db_new ();
  g_autoptr (BcDhcpMsg) req = request (BC_DHCP_DISCOVER, 9);
  g_autoptr (BcDhcpDecision) d = NULL, dp = NULL;
  static const guint8 prl[] = { 1, 58, 59 };

  bc_dhcp_msg_set_option (req, BC_DHCP_OPTION_PARAMETER_REQUEST_LIST, prl, sizeof prl);
  d = handle (conf, leases, req);
  assert_option_hex (d, BC_DHCP_OPTION_RENEWAL_TIME, "00:00:01:2c");
  assert_option_hex (d, BC_DHCP_OPTION_REBINDING_TIME, "00:00:01:f4");
  dp = handle (plain, plain_leases, req);
  g_assert_false (has (dp, BC_DHCP_OPTION_RENEWAL_TIME));
  g_assert_false (has (dp, BC_DHCP_OPTION_REBINDING_TIME));
}

static const char *simple_conf = "authoritative;\n"
                                 "default-lease-time 600;\n"
                                 "max-lease-time 7200;\n"
                                 "subnet 192.168.42.0 netmask 255.255.255.0 {\n"
                                 "  range 192.168.42.100 192.168.42.102;\n"
                                 "  next-server 192.168.42.1;\n"
                                 "  filename \"undionly.kpxe\";\n"
                                 "}\n";

static BcDhcpMsg *
selecting (guint8 mac, const char *addr, const char *server)
{
  BcDhcpMsg *r = request (BC_DHCP_REQUEST, mac);
  set_addr_option (r, BC_DHCP_OPTION_REQUESTED_ADDRESS, addr);
  set_addr_option (r, BC_DHCP_OPTION_SERVER_IDENTIFIER, server);
  return r;
}

/* DISCOVER, OFFER, REQUEST (selecting), ACK; renew; release; the lowest address again. */
static void
test_dora (void)
{
  g_autoptr (BcConf) conf = bc_test_conf_from_text (simple_conf);
  g_autoptr (BcLeaseDb) leases = bc_lease_db_new ();
  g_autoptr (BcDhcpMsg) disc = request (BC_DHCP_DISCOVER, 1);
  g_autoptr (BcDhcpMsg) req = selecting (1, "192.168.42.100", SERVER);
  g_autoptr (BcDhcpMsg) renew = request (BC_DHCP_REQUEST, 1);
  g_autoptr (BcDhcpMsg) release = request (BC_DHCP_RELEASE, 1);
  g_autoptr (BcDhcpMsg) disc2 = request (BC_DHCP_DISCOVER, 2);
  g_autoptr (BcDhcpMsg) disc3 = request (BC_DHCP_DISCOVER, 3);
  g_autoptr (BcDhcpDecision) d = NULL;
  const BcLease *l;
  guint32 lt = htonl (100000);

  d = handle (conf, leases, disc);
  assert_reply (d, BC_DHCP_OFFER, "192.168.42.100", SERVER, "undionly.kpxe");
  l = bc_lease_db_lookup_addr (leases, bc_test_ip ("192.168.42.100"));
  g_assert_nonnull (l);
  g_assert_cmpint (l->state, ==, BC_LEASE_OFFERED);
  g_clear_pointer (&d, bc_dhcp_decision_free);

  /* The client asks for a longer lease than max-lease-time: capped at 7200. */
  bc_dhcp_msg_set_option (req, BC_DHCP_OPTION_LEASE_TIME, (const guint8 *)&lt, 4);
  d = handle (conf, leases, req);
  assert_reply (d, BC_DHCP_ACK, "192.168.42.100", SERVER, "undionly.kpxe");
  assert_option_hex (d, BC_DHCP_OPTION_LEASE_TIME, "00:00:1c:20");
  g_assert_cmpint (d->dest, ==, BC_DHCP_DEST_CHADDR);
  l = bc_lease_db_lookup_addr (leases, bc_test_ip ("192.168.42.100"));
  g_assert_cmpint (l->state, ==, BC_LEASE_BOUND);
  g_assert_cmpint (l->ends, ==, NOW + 7200);
  g_clear_pointer (&d, bc_dhcp_decision_free);

  /* Another client gets the next address. */
  d = handle (conf, leases, disc2);
  assert_reply (d, BC_DHCP_OFFER, "192.168.42.101", SERVER, "undionly.kpxe");
  g_clear_pointer (&d, bc_dhcp_decision_free);

  /* RENEWING: ciaddr set, unicast back to it. */
  renew->ciaddr = bc_test_ip ("192.168.42.100");
  d = handle_at (conf, leases, renew, NOW + 300);
  assert_reply (d, BC_DHCP_ACK, "192.168.42.100", SERVER, "undionly.kpxe");
  g_assert_cmpint (d->dest, ==, BC_DHCP_DEST_UNICAST);
  g_assert_cmpuint (d->dest_addr, ==, bc_test_ip ("192.168.42.100"));
  g_clear_pointer (&d, bc_dhcp_decision_free);

  /* RELEASE frees .100: the next new client gets it. */
  release->ciaddr = bc_test_ip ("192.168.42.100");
  d = handle (conf, leases, release);
  g_assert_null (d->reply);
  g_assert_true (d->leases_changed);
  g_assert_null (bc_lease_db_lookup_addr (leases, bc_test_ip ("192.168.42.100")));
  g_clear_pointer (&d, bc_dhcp_decision_free);
  d = handle (conf, leases, disc3);
  assert_reply (d, BC_DHCP_OFFER, "192.168.42.100", SERVER, "undionly.kpxe");
}

/* A range of three: the fourth client gets nothing; an expired offer is reused. */
static void
test_pool_exhaustion (void)
{
  g_autoptr (BcConf) conf = bc_test_conf_from_text (simple_conf);
  g_autoptr (BcLeaseDb) leases = bc_lease_db_new ();
  g_autoptr (BcDhcpDecision) d = NULL;

  for (guint8 i = 1; i <= 3; i++)
    {
      g_autoptr (BcDhcpMsg) m = request (BC_DHCP_DISCOVER, i);
      g_autoptr (BcDhcpDecision) o = handle (conf, leases, m);
      g_assert_nonnull (o->reply);
    }
  {
    g_autoptr (BcDhcpMsg) m = request (BC_DHCP_DISCOVER, 4);
    d = handle (conf, leases, m);
    g_assert_null (d->reply);
    g_assert_nonnull (strstr (d->reason, "no free address"));
    g_clear_pointer (&d, bc_dhcp_decision_free);
    /* Offers are held 120 s; later they are free again, the lowest first. */
    d = handle_at (conf, leases, m, NOW + 121);
    g_assert_nonnull (d->reply);
    g_assert_cmpuint (d->reply->yiaddr, ==, bc_test_ip ("192.168.42.100"));
  }
}

/* RFC 2131 4.3.2 NAK and silence cases. */
static void
test_nak (void)
{
  g_autoptr (BcConf) conf = bc_test_conf_from_text (simple_conf);
  g_autofree char *nonauth_text = g_strdup (simple_conf + strlen ("authoritative;\n"));
  g_autoptr (BcConf) nonauth = bc_test_conf_from_text (nonauth_text);
  g_autoptr (BcLeaseDb) leases = bc_lease_db_new ();
  g_autoptr (BcDhcpDecision) d = NULL;
  g_autoptr (BcDhcpMsg) reboot = request (BC_DHCP_REQUEST, 1);
  g_autoptr (BcDhcpMsg) disc = request (BC_DHCP_DISCOVER, 1);
  g_autoptr (BcDhcpMsg) other_server = selecting (1, "192.168.42.100", "192.168.42.9");
  g_autoptr (BcDhcpMsg) steal = selecting (2, "192.168.42.100", SERVER);
  g_autoptr (BcDhcpMsg) renew = request (BC_DHCP_REQUEST, 3);

  /* INIT-REBOOT on the wrong network: NAK (authoritative), broadcast. */
  set_addr_option (reboot, BC_DHCP_OPTION_REQUESTED_ADDRESS, "10.0.0.5");
  d = handle (conf, leases, reboot);
  g_assert_nonnull (d->reply);
  g_assert_cmpuint (d->reply_type, ==, BC_DHCP_NAK);
  g_assert_cmpint (d->dest, ==, BC_DHCP_DEST_BROADCAST);
  g_assert_cmpuint (d->reply->yiaddr, ==, 0);
  g_assert_false (has (d, BC_DHCP_OPTION_LEASE_TIME));
  assert_option_hex (d, BC_DHCP_OPTION_SERVER_IDENTIFIER, "c0:a8:2a:01");
  g_clear_pointer (&d, bc_dhcp_decision_free);
  /* … and silence when not authoritative. */
  d = handle (nonauth, leases, reboot);
  g_assert_null (d->reply);
  g_clear_pointer (&d, bc_dhcp_decision_free);

  /* SELECTING another server: silent, and our offer is withdrawn. */
  d = handle (conf, leases, disc);
  g_assert_nonnull (bc_lease_db_lookup_addr (leases, bc_test_ip ("192.168.42.100")));
  g_clear_pointer (&d, bc_dhcp_decision_free);
  d = handle (conf, leases, other_server);
  g_assert_null (d->reply);
  g_assert_null (bc_lease_db_lookup_addr (leases, bc_test_ip ("192.168.42.100")));
  g_clear_pointer (&d, bc_dhcp_decision_free);

  /* SELECTING an address offered to someone else: NAK. */
  d = handle (conf, leases, disc);
  g_clear_pointer (&d, bc_dhcp_decision_free);
  d = handle (conf, leases, steal);
  g_assert_nonnull (d->reply);
  g_assert_cmpuint (d->reply_type, ==, BC_DHCP_NAK);
  g_clear_pointer (&d, bc_dhcp_decision_free);

  /* RENEWING an address held by another client: NAK. */
  renew->ciaddr = bc_test_ip ("192.168.42.100");
  d = handle (conf, leases, renew);
  g_assert_cmpuint (d->reply_type, ==, BC_DHCP_NAK);
  g_clear_pointer (&d, bc_dhcp_decision_free);

  /* Through a relay: the NAK goes to giaddr:67 with the broadcast bit. */
  reboot->giaddr = bc_test_ip ("192.168.42.2");
  d = handle (conf, leases, reboot);
  g_assert_cmpuint (d->reply_type, ==, BC_DHCP_NAK);
  g_assert_cmpint (d->dest, ==, BC_DHCP_DEST_RELAY);
  g_assert_cmpuint (d->dest_port, ==, 67);
  g_assert_cmpuint (d->reply->flags & BC_DHCP_FLAG_BROADCAST, !=, 0);
}

/* DECLINE: the address is not offered again. */
static void
test_decline (void)
{
  g_autoptr (BcConf) conf = bc_test_conf_from_text (simple_conf);
  g_autoptr (BcLeaseDb) leases = bc_lease_db_new ();
  g_autoptr (BcDhcpMsg) disc = request (BC_DHCP_DISCOVER, 1);
  g_autoptr (BcDhcpMsg) req = selecting (1, "192.168.42.100", SERVER);
  g_autoptr (BcDhcpMsg) decl = request (BC_DHCP_DECLINE, 1);
  g_autoptr (BcDhcpDecision) d1 = handle (conf, leases, disc);
  g_autoptr (BcDhcpDecision) d2 = handle (conf, leases, req);
  g_autoptr (BcDhcpDecision) d3 = NULL, d4 = NULL;

  set_addr_option (decl, BC_DHCP_OPTION_REQUESTED_ADDRESS, "192.168.42.100");
  d3 = handle (conf, leases, decl);
  g_assert_null (d3->reply);
  g_assert_cmpint (bc_lease_db_lookup_addr (leases, bc_test_ip ("192.168.42.100"))->state, ==,
                   BC_LEASE_DECLINED);
  d4 = handle (conf, leases, disc);
  g_assert_cmpuint (d4->reply->yiaddr, ==, bc_test_ip ("192.168.42.101"));
}

/* INFORM: ACK without yiaddr and lease time, unicast to ciaddr, no subnet mask unless
 * asked (ISC). */
static void
test_inform (void)
{
  g_autoptr (BcConf) conf = bc_test_conf_from_text (simple_conf);
  g_autoptr (BcLeaseDb) leases = bc_lease_db_new ();
  g_autoptr (BcDhcpMsg) inf = request (BC_DHCP_INFORM, 7);
  g_autoptr (BcDhcpDecision) d = NULL;
  static const guint8 prl[] = { 3, 6 };

  inf->ciaddr = bc_test_ip ("192.168.42.7");
  bc_dhcp_msg_set_option (inf, BC_DHCP_OPTION_PARAMETER_REQUEST_LIST, prl, sizeof prl);
  d = handle (conf, leases, inf);
  assert_reply (d, BC_DHCP_ACK, "0.0.0.0", SERVER, "undionly.kpxe");
  g_assert_false (has (d, BC_DHCP_OPTION_LEASE_TIME));
  g_assert_false (has (d, BC_DHCP_OPTION_SUBNET_MASK));
  g_assert_cmpint (d->dest, ==, BC_DHCP_DEST_UNICAST);
  g_assert_cmpuint (d->dest_addr, ==, bc_test_ip ("192.168.42.7"));
  g_assert_cmpuint (bc_lease_db_size (leases), ==, 0);
}

/* Hostile or foreign requests are ignored with a reason, never crash, never reply. */
static void
test_hostile (void)
{
  g_autoptr (BcConf) conf = bc_test_conf_from_text (simple_conf);
  g_autoptr (BcLeaseDb) leases = bc_lease_db_new ();
  struct
  {
    const char *what;
    guint8 op, hlen;
    gboolean drop53;
    guint type;
  } cases[] = {
    { "no option 53 (BOOTP)", 1, 6, TRUE, BC_DHCP_DISCOVER },
    { "op BOOTREPLY", 2, 6, FALSE, BC_DHCP_DISCOVER },
    { "hlen 0", 1, 0, FALSE, BC_DHCP_DISCOVER },
    { "hlen 17", 1, 17, FALSE, BC_DHCP_DISCOVER },
    { "an OFFER from another server", 1, 6, FALSE, BC_DHCP_OFFER },
    { "message type 200", 1, 6, FALSE, 200 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (BcDhcpMsg) m = request (cases[i].type, 9);
      g_autoptr (BcDhcpDecision) d = NULL;

      g_test_message ("%s", cases[i].what);
      m->op = cases[i].op;
      m->hlen = cases[i].hlen;
      if (cases[i].drop53)
        bc_dhcp_msg_remove_option (m, BC_DHCP_OPTION_MESSAGE_TYPE);
      d = handle (conf, leases, m);
      g_assert_null (d->reply);
      g_assert_cmpint (d->dest, ==, BC_DHCP_DEST_NONE);
    }
  g_assert_cmpuint (bc_lease_db_size (leases), ==, 0);
}

/* A client on a network the config does not declare is ignored (ISC: "unknown
 * network segment"). */
static void
test_no_subnet (void)
{
  g_autoptr (BcConf) conf = bc_test_conf_from_text ("subnet 10.1.0.0 netmask 255.255.0.0 {\n"
                                                    "  range 10.1.0.10 10.1.0.20;\n}\n");
  g_autoptr (BcLeaseDb) leases = bc_lease_db_new ();
  g_autoptr (BcDhcpMsg) m = request (BC_DHCP_DISCOVER, 1);
  g_autoptr (BcDhcpDecision) d = handle (conf, leases, m);

  g_assert_null (d->reply);
  g_assert_nonnull (strstr (d->reason, "no subnet"));
}

/* The lease file round-trips; a damaged line is an error naming it. */
static void
test_lease_file (void)
{
  g_autoptr (BcConf) conf = bc_test_conf_from_text (simple_conf);
  g_autoptr (BcLeaseDb) leases = bc_lease_db_new ();
  g_autoptr (BcLeaseDb) loaded = bc_lease_db_new ();
  g_autoptr (BcDhcpMsg) disc = request (BC_DHCP_DISCOVER, 1);
  g_autoptr (BcDhcpMsg) req = selecting (1, "192.168.42.100", SERVER);
  g_autoptr (BcDhcpMsg) disc2 = request (BC_DHCP_DISCOVER, 2);
  g_autoptr (BcDhcpDecision) d1 = handle (conf, leases, disc);
  g_autoptr (BcDhcpDecision) d2 = handle (conf, leases, req);
  g_autoptr (BcDhcpDecision) d3 = handle (conf, leases, disc2);
  g_autoptr (BcDhcpDecision) d4 = NULL;
  g_autofree char *data = NULL, *data2 = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (BcLeaseDb) bad = bc_lease_db_new ();

  g_assert_true (bc_lease_db_is_dirty (leases));
  data = bc_lease_db_to_data (leases);
  g_assert_false (bc_lease_db_is_dirty (leases));
  g_test_message ("%s", data);
  g_assert_nonnull (strstr (data, "\"address\":\"192.168.42.100\""));
  g_assert_nonnull (strstr (data, "\"state\":\"bound\""));
  g_assert_nonnull (strstr (data, "\"state\":\"offered\""));
  g_assert_true (bc_lease_db_load_data (loaded, data, &error));
  g_assert_no_error (error);
  data2 = bc_lease_db_to_data (loaded);
  g_assert_cmpstr (data, ==, data2);
  /* After a restart the client keeps its address. */
  d4 = handle (conf, loaded, disc);
  g_assert_cmpuint (d4->reply->yiaddr, ==, bc_test_ip ("192.168.42.100"));

  /* Text that needs JSON escaping survives a save and a load. */
  {
    g_autoptr (BcLeaseDb) odd = bc_lease_db_new ();
    g_autoptr (BcLeaseDb) odd2 = bc_lease_db_new ();
    g_autofree char *o1 = NULL, *o2 = NULL;
    g_assert_true (bc_lease_db_load_data (
        odd, "{\"address\":\"10.0.0.1\",\"client\":\"id:\\\"q\\\\\",\"state\":\"bound\"}\n",
        &error));
    g_assert_no_error (error);
    g_assert_nonnull (bc_lease_db_lookup_client (odd, "id:\"q\\"));
    o1 = bc_lease_db_to_data (odd);
    g_assert_true (bc_lease_db_load_data (odd2, o1, &error));
    g_assert_no_error (error);
    o2 = bc_lease_db_to_data (odd2);
    g_assert_cmpstr (o1, ==, o2);
    g_assert_nonnull (bc_lease_db_lookup_client (odd2, "id:\"q\\"));
  }

  g_assert_false (bc_lease_db_load_data (bad, "{\"address\":\"1.2.3.4\"}\nnot json\n", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "line 1"));
  g_assert_cmpuint (bc_lease_db_size (bad), ==, 0);
}

/* A /16 range: 20,000 clients each get a distinct address without rescanning the
 * range (the cursor), and a released low address is found again. */
static void
test_large_range (void)
{
  g_autoptr (BcLeaseDb) leases = bc_lease_db_new ();
  guint32 start = bc_test_ip ("10.0.0.1"), end = bc_test_ip ("10.0.255.254"), got = 0;

  for (guint i = 0; i < 20000; i++)
    {
      g_autofree char *key = g_strdup_printf ("hw:1:%u", i);
      g_assert_true (bc_lease_db_find_free (leases, start, end, 0, key, NOW, &got));
      g_assert_cmpuint (ntohl (got), ==, ntohl (start) + i);
      bc_lease_db_set (leases, got, key, NULL, BC_LEASE_OFFERED, NOW, NOW + 120);
    }
  bc_lease_db_remove (leases, bc_test_ip ("10.0.0.5"));
  g_assert_true (bc_lease_db_find_free (leases, start, end, 0, "hw:1:new", NOW, &got));
  g_assert_cmpuint (got, ==, bc_test_ip ("10.0.0.5"));
}

/* Never-used addresses go before expired leases (which ISC keeps for their last
 * client as long as it can); then expired ones, lowest first. */
static void
test_unused_before_expired (void)
{
  g_autoptr (BcLeaseDb) leases = bc_lease_db_new ();
  guint32 start = bc_test_ip ("10.0.0.1"), end = bc_test_ip ("10.0.0.4"), got = 0;

  bc_lease_db_set (leases, bc_test_ip ("10.0.0.1"), "hw:1:a", NULL, BC_LEASE_BOUND, NOW - 700,
                   NOW - 100);
  bc_lease_db_set (leases, bc_test_ip ("10.0.0.2"), "hw:1:b", NULL, BC_LEASE_BOUND, NOW - 700,
                   NOW - 100);
  g_assert_true (bc_lease_db_find_free (leases, start, end, 0, "hw:1:c", NOW, &got));
  g_assert_cmpuint (got, ==, bc_test_ip ("10.0.0.3"));
  bc_lease_db_set (leases, got, "hw:1:c", NULL, BC_LEASE_OFFERED, NOW, NOW + 120);
  g_assert_true (bc_lease_db_find_free (leases, start, end, 0, "hw:1:d", NOW, &got));
  g_assert_cmpuint (got, ==, bc_test_ip ("10.0.0.4"));
  bc_lease_db_set (leases, got, "hw:1:d", NULL, BC_LEASE_OFFERED, NOW, NOW + 120);
  g_assert_true (bc_lease_db_find_free (leases, start, end, 0, "hw:1:e", NOW, &got));
  g_assert_cmpuint (got, ==, bc_test_ip ("10.0.0.1"));
  /* The expired lease's own client still gets it back. */
  g_assert_true (bc_lease_db_is_available (leases, bc_test_ip ("10.0.0.2"), "hw:1:b", NOW));
}

/* Through a relay: the reply goes to giaddr:67 and echoes option 82 (RFC 3046). */
static void
test_relay (void)
{
  g_autoptr (BcConf) conf = bc_test_conf_from_text (simple_conf);
  g_autoptr (BcLeaseDb) leases = bc_lease_db_new ();
  g_autoptr (BcDhcpMsg) m = request (BC_DHCP_DISCOVER, 1);
  g_autoptr (BcDhcpDecision) d = NULL;
  static const guint8 rai[] = { 1, 4, 'e', 't', 'h', '0' };

  m->giaddr = bc_test_ip ("192.168.42.2");
  bc_dhcp_msg_set_option (m, 82, rai, sizeof rai);
  d = handle (conf, leases, m);
  assert_reply (d, BC_DHCP_OFFER, "192.168.42.100", SERVER, "undionly.kpxe");
  g_assert_cmpint (d->dest, ==, BC_DHCP_DEST_RELAY);
  g_assert_cmpuint (d->dest_addr, ==, bc_test_ip ("192.168.42.2"));
  g_assert_cmpuint (d->dest_port, ==, 67);
  g_assert_cmpuint (d->reply->giaddr, ==, bc_test_ip ("192.168.42.2"));
  assert_option_hex (d, 82, "01:04:65:74:68:30");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/dhcp-policy/seed000/builtin-discover", test_seed000_builtin);
  g_test_add_func ("/dhcp-policy/seed000/joyent-discover", test_seed000_joyent);
  g_test_add_func ("/dhcp-policy/seed000/same-client-keeps-address",
                   test_seed000_same_client_keeps_address);
  g_test_add_func ("/dhcp-policy/filename-by-fingerprint", test_file_cases);
  g_test_add_func ("/dhcp-policy/seed003/version-match", test_seed003_version_match);
  g_test_add_func ("/dhcp-policy/pxeclient-class-and-host", test_pxeclient_options);
  g_test_add_func ("/dhcp-policy/parameter-request-list", test_parameter_request_list);
  g_test_add_func ("/dhcp-policy/configured-renewal-times", test_configured_renewal_times);
  g_test_add_func ("/dhcp-policy/dora", test_dora);
  g_test_add_func ("/dhcp-policy/pool-exhaustion", test_pool_exhaustion);
  g_test_add_func ("/dhcp-policy/nak", test_nak);
  g_test_add_func ("/dhcp-policy/decline", test_decline);
  g_test_add_func ("/dhcp-policy/inform", test_inform);
  g_test_add_func ("/dhcp-policy/hostile", test_hostile);
  g_test_add_func ("/dhcp-policy/no-subnet", test_no_subnet);
  g_test_add_func ("/dhcp-policy/lease-file", test_lease_file);
  g_test_add_func ("/dhcp-policy/large-range", test_large_range);
  g_test_add_func ("/dhcp-policy/unused-before-expired", test_unused_before_expired);
  g_test_add_func ("/dhcp-policy/relay", test_relay);
  return g_test_run ();
}
