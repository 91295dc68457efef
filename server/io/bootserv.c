/* bootserv: DHCP + TFTP + HTTP boot server for one interface (ARCHITECTURE.md).
 *
 *   bootserv -c dhcpd.conf -i IFACE [--tftp-root DIR] [--http-root DIR] [--http-port N]
 *            [--events FILE|- | --events-fd N] [--leases FILE] [--no-ra] [--no-dhcp]
 *            [--check] [-v]
 *
 * --check parses the configuration, prints its errors (file:line:col, the line, a
 * caret) and exits 1, or exits 0 when it is fine — like `dhcpd -t`. */
#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib-unix.h>
#include <locale.h>
#include <stdio.h>
#include <arpa/inet.h>

#include "server/conf/conf.h"
#include "server/io/dhcp-server.h"
#include "server/io/event-log.h"
#include "server/io/http-server.h"
#include "server/io/router-advert.h"
#include "server/io/tftp-server.h"
#include "server/policy/lease-db.h"

#define LEASE_SAVE_SECONDS 5

typedef struct
{
  GMainLoop *loop;
  BcLeaseDb *leases;
  const char *leases_path;
  int signal;
} Bootserv;

static gboolean
save_leases (Bootserv *bs, GError **error)
{
  g_autofree char *data = NULL;

  if (bs->leases_path == NULL || !bc_lease_db_is_dirty (bs->leases))
    return TRUE;
  data = bc_lease_db_to_data (bs->leases);
  /* Atomic replace: a crash never leaves half a lease file. */
  return g_file_set_contents (bs->leases_path, data, -1, error);
}

static gboolean
save_timer_cb (gpointer user_data)
{
  Bootserv *bs = user_data;
  g_autoptr (GError) error = NULL;

  if (!save_leases (bs, &error))
    g_warning ("leases: %s", error->message);
  return G_SOURCE_CONTINUE;
}

static gboolean
quit_cb (gpointer user_data)
{
  Bootserv *bs = user_data;
  g_main_loop_quit (bs->loop);
  return G_SOURCE_CONTINUE;
}

static void
server_event (BcEventLog *log, const char *event, const char *message, const char *iface,
              const char *address)
{
  JsonBuilder *b;

  if (log == NULL)
    return;
  b = bc_event_log_begin ("server");
  json_builder_set_member_name (b, "event");
  json_builder_add_string_value (b, event);
  if (message != NULL)
    {
      json_builder_set_member_name (b, "message");
      json_builder_add_string_value (b, message);
    }
  if (iface != NULL)
    {
      json_builder_set_member_name (b, "interface");
      json_builder_add_string_value (b, iface);
    }
  if (address != NULL)
    {
      json_builder_set_member_name (b, "address");
      json_builder_add_string_value (b, address);
    }
  bc_event_log_emit (log, b);
}

static BcConf *
load_conf (const char *path, GError **error)
{
  g_autofree char *text = NULL;
  gsize len;

  if (!g_file_get_contents (path, &text, &len, error))
    return NULL;
  return bc_conf_parse (path, text, len, error);
}

int
main (int argc, char **argv)
{
  g_autofree char *conf_path = NULL, *ifname = NULL, *tftp_root = NULL, *http_root = NULL;
  g_autofree char *events = NULL, *leases_path = NULL;
  gint http_port = 80, events_fd = -1;
  gboolean no_ra = FALSE, no_dhcp = FALSE, check = FALSE, verbose = FALSE;
  const GOptionEntry entries[] = {
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &conf_path, "dhcpd.conf (ISC syntax)", "FILE" },
    { "interface", 'i', 0, G_OPTION_ARG_STRING, &ifname, "Interface to serve on", "IFACE" },
    { "tftp-root", 0, 0, G_OPTION_ARG_FILENAME, &tftp_root, "Serve TFTP from DIR", "DIR" },
    { "http-root", 0, 0, G_OPTION_ARG_FILENAME, &http_root, "Serve HTTP from DIR", "DIR" },
    { "http-port", 0, 0, G_OPTION_ARG_INT, &http_port, "HTTP port (default 80)", "N" },
    { "events", 0, 0, G_OPTION_ARG_FILENAME, &events, "JSON-lines event log (- = stdout)", "FILE" },
    { "events-fd", 0, 0, G_OPTION_ARG_INT, &events_fd,
      "Write the event log to this inherited fd (a harness's pipe)", "N" },
    { "leases", 0, 0, G_OPTION_ARG_FILENAME, &leases_path, "Lease file (loaded, saved)", "FILE" },
    { "no-dhcp", 0, 0, G_OPTION_ARG_NONE, &no_dhcp,
      "Do not serve DHCP (another server does): TFTP, HTTP and RA only", NULL },
    { "no-ra", 0, 0, G_OPTION_ARG_NONE, &no_ra, "Do not answer IPv6 router solicitations", NULL },
    { "check", 0, 0, G_OPTION_ARG_NONE, &check, "Check the configuration and exit", NULL },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, "Debug messages", NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) octx = g_option_context_new ("- DHCP/TFTP/HTTP boot server");
  g_autoptr (GError) error = NULL;
  g_autoptr (BcConf) conf = NULL;
  g_autoptr (BcLeaseDb) leases = bc_lease_db_new ();
  g_autoptr (BcEventLog) log = NULL;
  g_autoptr (BcDhcpServer) dhcp = NULL;
  g_autoptr (BcRouterAdvert) ra = NULL;
  g_autoptr (BcTftpServer) tftp = NULL;
  g_autoptr (BcHttpServer) http = NULL;
  g_autoptr (GMainLoop) loop = NULL;
  Bootserv bs = { 0 };
  char addr_buf[INET_ADDRSTRLEN];
  guint32 addr;
  guint save_id;

  setlocale (LC_ALL, "");
  g_option_context_add_main_entries (octx, entries, NULL);
  g_option_context_set_description (
      octx, "Serves DHCP (ISC dhcpd.conf semantics) from IFACE's first IPv4 address, and\n"
            "TFTP/HTTP from the given roots. Unless --no-ra, answers IPv6 router\n"
            "solicitations with a minimal advertisement (no prefix, lifetime 0), which\n"
            "spares iPXE its IPv6 autoconfiguration wait; that needs an IPv6 link-local\n"
            "address on IFACE (a bridge or veth gets one when it is up).\n"
            "Events: one JSON object a line (see server/io/event-log.h).\n"
            "SIGINT/SIGTERM: clean exit, leases saved (also every 5 s when changed).");
  if (!g_option_context_parse (octx, &argc, &argv, &error))
    {
      g_printerr ("bootserv: %s\n", error->message);
      return 2;
    }
  if (verbose)
    g_log_set_debug_enabled (TRUE);
  if (conf_path == NULL)
    {
      g_printerr ("bootserv: -c dhcpd.conf is required\n");
      return 2;
    }
  conf = load_conf (conf_path, &error);
  if (check)
    {
      if (conf == NULL)
        {
          g_printerr ("%s\n", error->message);
          return 1;
        }
      g_print ("%s: OK\n", conf_path);
      return 0;
    }
  if (conf == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  if (ifname == NULL)
    {
      g_printerr ("bootserv: -i IFACE is required\n");
      return 2;
    }
  if (http_port <= 0 || http_port > 65535)
    {
      g_printerr ("bootserv: --http-port %d out of range\n", http_port);
      return 2;
    }
  if (events_fd >= 0)
    {
      if (events != NULL || fcntl (events_fd, F_GETFD) < 0)
        {
          g_printerr ("bootserv: --events-fd %d: %s\n", events_fd,
                      events != NULL ? "not with --events" : "not an open file descriptor");
          return 2;
        }
      fcntl (events_fd, F_SETFD, FD_CLOEXEC);
      log = bc_event_log_new_for_fd (events_fd);
    }
  else if (events != NULL)
    {
      log = bc_event_log_open (events, &error);
      if (log == NULL)
        {
          g_printerr ("bootserv: %s\n", error->message);
          return 1;
        }
    }
  if (leases_path != NULL)
    {
      g_autofree char *data = NULL;
      g_autoptr (GError) lerr = NULL;
      if (g_file_get_contents (leases_path, &data, NULL, &lerr))
        {
          if (!bc_lease_db_load_data (leases, data, &error))
            {
              g_printerr ("bootserv: %s: %s\n", leases_path, error->message);
              return 1;
            }
        }
      else if (!g_error_matches (lerr, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          g_printerr ("bootserv: %s\n", lerr->message);
          return 1;
        }
    }

  if (no_dhcp)
    {
      int ifindex;
      if (!bc_interface_get_ipv4 (ifname, &addr, &ifindex, &error))
        {
          g_printerr ("bootserv: %s\n", error->message);
          server_event (log, "error", error->message, ifname, NULL);
          return 1;
        }
    }
  else
    {
      dhcp = bc_dhcp_server_new (conf, leases, ifname, 67, log, &error);
      if (dhcp == NULL)
        {
          g_printerr ("bootserv: %s\n", error->message);
          server_event (log, "error", error->message, ifname, NULL);
          return 1;
        }
      addr = bc_dhcp_server_get_address (dhcp);
    }
  inet_ntop (AF_INET, &addr, addr_buf, sizeof addr_buf);
  if (!no_ra)
    {
      ra = bc_router_advert_new (ifname, log, &error);
      if (ra == NULL)
        {
          g_printerr ("bootserv: %s\n", error->message);
          server_event (log, "error", error->message, ifname, addr_buf);
          return 1;
        }
    }
  if (tftp_root != NULL)
    {
      tftp = bc_tftp_server_new (tftp_root, addr_buf, 69, log, &error);
      if (tftp == NULL)
        {
          g_printerr ("bootserv: TFTP: %s\n", error->message);
          server_event (log, "error", error->message, ifname, addr_buf);
          return 1;
        }
    }
  if (http_root != NULL)
    {
      http = bc_http_server_new (http_root, addr_buf, (guint16)http_port, log, &error);
      if (http == NULL)
        {
          g_printerr ("bootserv: HTTP: %s\n", error->message);
          server_event (log, "error", error->message, ifname, addr_buf);
          return 1;
        }
    }

  loop = g_main_loop_new (NULL, FALSE);
  bs.loop = loop;
  bs.leases = leases;
  bs.leases_path = leases_path;
  g_unix_signal_add (SIGINT, quit_cb, &bs);
  g_unix_signal_add (SIGTERM, quit_cb, &bs);
  save_id = g_timeout_add_seconds (LEASE_SAVE_SECONDS, save_timer_cb, &bs);
  server_event (log, "ready", NULL, ifname, addr_buf);
  g_debug ("serving on %s (%s)", ifname, addr_buf);
  g_main_loop_run (loop);

  server_event (log, "stopping", NULL, ifname, addr_buf);
  g_source_remove (save_id);
  if (!save_leases (&bs, &error))
    {
      g_printerr ("bootserv: leases: %s\n", error->message);
      return 1;
    }
  return 0;
}
