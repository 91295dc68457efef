/* Runs just bootserv's TFTP and HTTP servers, for the integration tests and
 * benchmarks in t/tftp and t/http (bootserv's main adds DHCP around the same calls).
 *   serve-roots [--tftp-root DIR] [--http-root DIR] [--address A] [--tftp-port N]
 *               [--http-port N] [--events FILE|-] [--ready FILE]
 * Writes "tftp=PORT http=PORT pid=PID" to --ready once listening; stops on SIGTERM/SIGINT. */
#include <glib-unix.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "server/io/event-log.h"
#include "server/io/http-server.h"
#include "server/io/tftp-server.h"

static gboolean
on_signal (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

int
main (int argc, char **argv)
{
  g_autofree char *tftp_root = NULL, *http_root = NULL, *address = NULL, *events = NULL,
                  *ready = NULL;
  int tftp_port = 69, http_port = 80;
  GOptionEntry entries[] = {
    { "tftp-root", 0, 0, G_OPTION_ARG_FILENAME, &tftp_root, "TFTP root", "DIR" },
    { "http-root", 0, 0, G_OPTION_ARG_FILENAME, &http_root, "HTTP root", "DIR" },
    { "address", 0, 0, G_OPTION_ARG_STRING, &address, "bind address (default any)", "A" },
    { "tftp-port", 0, 0, G_OPTION_ARG_INT, &tftp_port, "TFTP port (69)", "N" },
    { "http-port", 0, 0, G_OPTION_ARG_INT, &http_port, "HTTP port (80)", "N" },
    { "events", 0, 0, G_OPTION_ARG_FILENAME, &events, "event log", "FILE" },
    { "ready", 0, 0, G_OPTION_ARG_FILENAME, &ready, "write the ports here when listening", "FILE" },
    G_OPTION_ENTRY_NULL,
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- serve TFTP/HTTP roots");
  g_autoptr (GError) error = NULL;
  g_autoptr (BcEventLog) log = NULL;
  g_autoptr (BcTftpServer) tftp = NULL;
  g_autoptr (BcHttpServer) http = NULL;
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      fprintf (stderr, "serve-roots: %s\n", error->message);
      return 2;
    }
  log = bc_event_log_open (events, &error);
  if (log == NULL)
    {
      fprintf (stderr, "serve-roots: %s\n", error->message);
      return 1;
    }
  if (tftp_root != NULL)
    {
      tftp = bc_tftp_server_new (tftp_root, address, (guint16)tftp_port, log, &error);
      if (tftp == NULL)
        {
          fprintf (stderr, "serve-roots: %s\n", error->message);
          return 1;
        }
    }
  if (http_root != NULL)
    {
      http = bc_http_server_new (http_root, address, (guint16)http_port, log, &error);
      if (http == NULL)
        {
          fprintf (stderr, "serve-roots: %s\n", error->message);
          return 1;
        }
    }
  if (ready != NULL)
    {
      g_autofree char *text = g_strdup_printf (
          "tftp=%u http=%u pid=%d\n", tftp != NULL ? bc_tftp_server_get_port (tftp) : 0,
          http != NULL ? bc_http_server_get_port (http) : 0, (int)getpid ());
      if (!g_file_set_contents (ready, text, -1, &error))
        {
          fprintf (stderr, "serve-roots: %s\n", error->message);
          return 1;
        }
    }
  g_unix_signal_add (SIGTERM, on_signal, loop);
  g_unix_signal_add (SIGINT, on_signal, loop);
  g_main_loop_run (loop);
  return 0;
}
