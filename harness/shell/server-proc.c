/* The run's boot server process(es): see server-proc.h. */
#include "harness/shell/server-proc.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <gio/gunixinputstream.h>
#include <glib-unix.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

struct _BcServerProc
{
  GSubprocess *bootserv;
  GSubprocess *dhcpd;
  int events_fd;
  guint events_source;
  GString *buf;
  gint64 t0_mono_us;
  gboolean stopping;
  gboolean isc, bootserv_no_dhcp;
  GCancellable *cancel;
  BcServerEventFunc on_event;
  BcServerExitFunc on_exit;
  gpointer user_data;
};

char *
bc_server_find_bootserv (void)
{
  const char *env = g_getenv ("BOOTCHECK_BOOTSERV");
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);

  if (env != NULL && *env != '\0')
    return g_strdup (env);
  if (self != NULL)
    {
      g_autofree char *dir = g_path_get_dirname (self);
      const char *rel[] = { "bootserv", "../../server/io/bootserv", "../server/io/bootserv" };

      for (guint i = 0; i < G_N_ELEMENTS (rel); i++)
        {
          g_autofree char *p = g_build_filename (dir, rel[i], NULL);
          g_autofree char *c = g_canonicalize_filename (p, NULL);

          if (g_file_test (c, G_FILE_TEST_IS_EXECUTABLE))
            return g_steal_pointer (&c);
        }
    }
  return g_find_program_in_path ("bootserv");
}

static const char *
member_str (JsonObject *o, const char *name)
{
  JsonNode *n = json_object_get_member (o, name);

  if (n == NULL || JSON_NODE_TYPE (n) != JSON_NODE_VALUE
      || json_node_get_value_type (n) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (n);
}

static gint64
member_int (JsonObject *o, const char *name, gint64 dflt)
{
  JsonNode *n = json_object_get_member (o, name);

  if (n == NULL || JSON_NODE_TYPE (n) != JSON_NODE_VALUE)
    return dflt;
  if (json_node_get_value_type (n) == G_TYPE_INT64)
    return json_node_get_int (n);
  if (json_node_get_value_type (n) == G_TYPE_DOUBLE)
    return (gint64)json_node_get_double (n);
  return dflt;
}

char *
bc_server_event_summary (JsonNode *node)
{
  JsonObject *o;
  const char *type;
  GString *s;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return g_strdup ("?");
  o = json_node_get_object (node);
  type = member_str (o, "type");
  s = g_string_new (NULL);
  if (g_strcmp0 (type, "dhcp") == 0)
    {
      JsonNode *reason = json_object_get_member (o, "reason");
      const char *reply = member_str (o, "reply");

      g_string_append_printf (s, "bootserv dhcp %s %s from %s",
                              member_str (o, "event") ? member_str (o, "event") : "?",
                              member_str (o, "msg") ? member_str (o, "msg") : "?",
                              member_str (o, "chaddr") ? member_str (o, "chaddr") : "?");
      g_string_append_printf (s, " -> %s", reply ? reply : "no reply");
      if (member_str (o, "file"))
        g_string_append_printf (s, " file=%s", member_str (o, "file"));
      if (member_str (o, "error"))
        g_string_append_printf (s, " error: %s", member_str (o, "error"));
      if (reason != NULL && JSON_NODE_HOLDS_OBJECT (reason))
        {
          JsonObject *r = json_node_get_object (reason);

          if (member_str (r, "text"))
            g_string_append_printf (s, " (%s)", member_str (r, "text"));
          if (member_str (r, "filename"))
            g_string_append_printf (s, " [filename from %s]", member_str (r, "filename"));
        }
    }
  else if (g_strcmp0 (type, "tftp") == 0)
    {
      g_string_append_printf (s, "bootserv tftp %s %s",
                              member_str (o, "event") ? member_str (o, "event") : "?",
                              member_str (o, "file") ? member_str (o, "file") : "?");
      if (json_object_has_member (o, "bytes"))
        g_string_append_printf (s, " %" G_GINT64_FORMAT " bytes", member_int (o, "bytes", 0));
      if (member_str (o, "error"))
        g_string_append_printf (s, " error: %s", member_str (o, "error"));
    }
  else if (g_strcmp0 (type, "http") == 0)
    g_string_append_printf (s, "bootserv http %s %s %" G_GINT64_FORMAT,
                            member_str (o, "method") ? member_str (o, "method") : "?",
                            member_str (o, "path") ? member_str (o, "path") : "?",
                            member_int (o, "status", 0));
  else if (g_strcmp0 (type, "ra") == 0)
    g_string_append_printf (s, "bootserv router advertisement to %s",
                            member_str (o, "to") ? member_str (o, "to") : "?");
  else
    g_string_append_printf (s, "bootserv %s %s%s%s", type ? type : "?",
                            member_str (o, "event") ? member_str (o, "event") : "",
                            member_str (o, "message") ? ": " : "",
                            member_str (o, "message") ? member_str (o, "message") : "");
  return g_string_free (s, FALSE);
}

static void
handle_line (BcServerProc *srv, const char *line)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  JsonNode *root;
  g_autofree char *summary = NULL;
  BcEvent *ev;
  gint64 mono;

  if (*line == '\0')
    return;
  if (!json_parser_load_from_data (parser, line, -1, &error))
    {
      g_debug ("bootserv event not JSON (%s): %s", error->message, line);
      return;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return;
  /* With ISC dhcpd answering, bootserv's own DHCP decisions (nothing offered) are noise:
   * the reasons the judge shows must be the real server's. */
  if (srv->isc && g_strcmp0 (member_str (json_node_get_object (root), "type"), "dhcp") == 0)
    return;
  mono = member_int (json_node_get_object (root), "mono_us", g_get_monotonic_time ());
  summary = bc_server_event_summary (root);
  ev = bc_event_new (BC_EVENT_SERVER, mono - srv->t0_mono_us, summary);
  ev->server = json_node_copy (root);
  srv->on_event (ev, srv->user_data);
}

void
bc_server_drain (BcServerProc *srv)
{
  char chunk[8192];

  if (srv->events_fd < 0)
    return;
  for (;;)
    {
      ssize_t n = read (srv->events_fd, chunk, sizeof chunk);
      char *nl;

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      g_string_append_len (srv->buf, chunk, n);
      while ((nl = memchr (srv->buf->str, '\n', srv->buf->len)) != NULL)
        {
          g_autofree char *line = g_strndup (srv->buf->str, nl - srv->buf->str);

          g_string_erase (srv->buf, 0, nl - srv->buf->str + 1);
          handle_line (srv, line);
        }
    }
}

static gboolean
on_events (gint fd, GIOCondition cond, gpointer user_data)
{
  BcServerProc *srv = user_data;

  bc_server_drain (srv);
  if (cond & (G_IO_HUP | G_IO_ERR))
    {
      srv->events_source = 0;
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
on_proc_exit (GObject *obj, GAsyncResult *res, gpointer user_data)
{
  BcServerProc *srv = user_data;
  GSubprocess *proc = G_SUBPROCESS (obj);
  g_autoptr (GError) error = NULL;
  g_autofree char *what = NULL;
  const char *name;

  if (!g_subprocess_wait_finish (proc, res, &error))
    return; /* cancelled: srv may be gone */
  if (srv->stopping)
    return;
  name = proc == srv->dhcpd ? "ISC dhcpd" : "bootserv";
  if (g_subprocess_get_if_exited (proc))
    what = g_strdup_printf ("%s exited with status %d (see server.log)", name,
                            g_subprocess_get_exit_status (proc));
  else
    what = g_strdup_printf ("%s was killed by signal %d", name, g_subprocess_get_term_sig (proc));
  bc_server_drain (srv);
  srv->on_exit (what, srv->user_data);
}

static gboolean
bootserv_has_option (const char *bootserv, const char *opt)
{
  const char *argv[] = { bootserv, "--help", NULL };
  g_autofree char *out = NULL;

  if (!g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out, NULL,
                     NULL, NULL))
    return FALSE;
  return out != NULL && strstr (out, opt) != NULL;
}

BcServerProc *
bc_server_start (const BcServerConfig *cfg, BcServerEventFunc on_event, BcServerExitFunc on_exit,
                 gpointer user_data, GError **error)
{
  g_autoptr (BcServerProc) srv = g_new0 (BcServerProc, 1);
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *leases = g_build_filename (cfg->state_dir, "bootserv.leases", NULL);
  GInputStream *out;

  srv->events_fd = -1;
  srv->buf = g_string_new (NULL);
  srv->cancel = g_cancellable_new ();
  srv->on_event = on_event;
  srv->on_exit = on_exit;
  srv->user_data = user_data;
  srv->t0_mono_us = g_get_monotonic_time ();

  if (cfg->kind == BC_SERVER_ISC_DHCPD)
    {
      g_autofree char *dhcpd = g_find_program_in_path ("dhcpd");
      g_autofree char *dleases = g_build_filename (cfg->state_dir, "dhcpd.leases", NULL);
      g_autofree char *dpid = g_build_filename (cfg->state_dir, "dhcpd.pid", NULL);
      g_autoptr (GSubprocessLauncher) dl = NULL;

      if (dhcpd == NULL && g_file_test ("/usr/sbin/dhcpd", G_FILE_TEST_IS_EXECUTABLE))
        dhcpd = g_strdup ("/usr/sbin/dhcpd");
      if (dhcpd == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                       "[server] kind = isc-dhcpd needs ISC dhcpd: install isc-dhcp-server "
                       "(Debian) or dhcp-server (Fedora)");
          return NULL;
        }
      srv->isc = TRUE;
      srv->bootserv_no_dhcp = bootserv_has_option (cfg->bootserv, "--no-dhcp");
      if (!g_file_set_contents (dleases, "", 0, error))
        return NULL;
      dl = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
      g_subprocess_launcher_set_stderr_file_path (dl, cfg->log_path);
      srv->dhcpd
          = g_subprocess_launcher_spawn (dl, error, dhcpd, "-4", "-f", "-d", "-cf", cfg->dhcpd_conf,
                                         "-lf", dleases, "-pf", dpid, cfg->iface, NULL);
      if (srv->dhcpd == NULL)
        return NULL;
      g_subprocess_wait_async (srv->dhcpd, srv->cancel, on_proc_exit, srv);
    }

  g_ptr_array_add (argv, g_strdup (cfg->bootserv));
  g_ptr_array_add (argv, g_strdup ("-c"));
  if (srv->isc && !srv->bootserv_no_dhcp)
    {
      /* ISC dhcpd answers DHCP. A bootserv without --no-dhcp still listens on port
       * 67, so give it a configuration without any subnet: like ISC dhcpd, it ignores
       * clients on networks it does not know (a subnet with no range would still NAK
       * their REQUESTs), and serves TFTP, HTTP and router advertisements. */
      g_autofree char *quiet = g_build_filename (cfg->state_dir, "bootserv-no-dhcp.conf", NULL);
      g_autofree char *text = g_strdup_printf (
          "# bootcheck, [server] kind = isc-dhcpd: ISC dhcpd answers DHCP on %s (%s/%s);\n"
          "# this bootserv serves TFTP, HTTP and router advertisements only.\n",
          cfg->iface, cfg->subnet, cfg->netmask);

      if (!g_file_set_contents (quiet, text, -1, error))
        return NULL;
      g_ptr_array_add (argv, g_strdup (quiet));
    }
  else
    g_ptr_array_add (argv, g_strdup (cfg->dhcpd_conf));
  g_ptr_array_add (argv, g_strdup ("-i"));
  g_ptr_array_add (argv, g_strdup (cfg->iface));
  if (cfg->tftp_root != NULL)
    {
      g_ptr_array_add (argv, g_strdup ("--tftp-root"));
      g_ptr_array_add (argv, g_strdup (cfg->tftp_root));
    }
  if (cfg->http_root != NULL)
    {
      g_ptr_array_add (argv, g_strdup ("--http-root"));
      g_ptr_array_add (argv, g_strdup (cfg->http_root));
      g_ptr_array_add (argv, g_strdup ("--http-port"));
      g_ptr_array_add (argv, g_strdup_printf ("%u", cfg->http_port));
    }
  g_ptr_array_add (argv, g_strdup ("--events"));
  g_ptr_array_add (argv, g_strdup ("-"));
  g_ptr_array_add (argv, g_strdup ("--leases"));
  g_ptr_array_add (argv, g_strdup (leases));
  if (!cfg->router_advertisements)
    g_ptr_array_add (argv, g_strdup ("--no-ra"));
  if (srv->isc && srv->bootserv_no_dhcp)
    g_ptr_array_add (argv, g_strdup ("--no-dhcp"));
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_stderr_file_path (launcher, cfg->log_path);
  srv->bootserv = g_subprocess_launcher_spawnv (launcher, (const char *const *)argv->pdata, error);
  if (srv->bootserv == NULL)
    return NULL;
  g_subprocess_wait_async (srv->bootserv, srv->cancel, on_proc_exit, srv);
  out = g_subprocess_get_stdout_pipe (srv->bootserv);
  srv->events_fd = g_unix_input_stream_get_fd (G_UNIX_INPUT_STREAM (out));
  g_unix_set_fd_nonblocking (srv->events_fd, TRUE, NULL);
  srv->events_source
      = g_unix_fd_add (srv->events_fd, G_IO_IN | G_IO_HUP | G_IO_ERR, on_events, srv);
  return g_steal_pointer (&srv);
}

void
bc_server_set_t0 (BcServerProc *srv, gint64 t0_mono_us)
{
  srv->t0_mono_us = t0_mono_us;
}

void
bc_server_hand_over_events (BcServerProc *srv, const char *path)
{
  int out;
  pid_t pid;

  bc_server_drain (srv);
  if (srv->events_fd < 0)
    return;
  out = open (path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (out < 0)
    return;
  g_unix_set_fd_nonblocking (srv->events_fd, FALSE, NULL);
  pid = fork ();
  if (pid == 0)
    {
      /* Only async-signal-safe calls: the parent has threads. */
      char buf[4096];
      ssize_t n;

      while ((n = read (srv->events_fd, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
        if (n > 0 && write (out, buf, (size_t)n) < 0)
          break;
      _exit (0);
    }
  close (out);
}

void
bc_server_stop (BcServerProc *srv)
{
  srv->stopping = TRUE;
  if (srv->bootserv != NULL)
    g_subprocess_send_signal (srv->bootserv, SIGTERM);
  if (srv->dhcpd != NULL)
    g_subprocess_send_signal (srv->dhcpd, SIGTERM);
}

void
bc_server_free (BcServerProc *srv)
{
  if (srv == NULL)
    return;
  srv->stopping = TRUE;
  g_cancellable_cancel (srv->cancel);
  if (srv->events_source != 0)
    g_source_remove (srv->events_source);
  if (srv->bootserv != NULL)
    g_subprocess_force_exit (srv->bootserv);
  if (srv->dhcpd != NULL)
    g_subprocess_force_exit (srv->dhcpd);
  g_clear_object (&srv->bootserv);
  g_clear_object (&srv->dhcpd);
  g_clear_object (&srv->cancel);
  g_string_free (srv->buf, TRUE);
  g_free (srv);
}

/* g_spawn_sync's child_setup runs after its pipe redirections: stderr joins stdout,
 * so the check's messages stay in the order the checker printed them. */
static void
merge_stderr_into_stdout (gpointer user_data)
{
  dup2 (STDOUT_FILENO, STDERR_FILENO);
}

gboolean
bc_server_check_config (const BcServerConfig *cfg, char **ret_output, gboolean *ret_refused,
                        GError **error)
{
  g_autofree char *dhcpd = NULL;
  g_autofree char *out = NULL;
  const char *argv[7] = { NULL };
  int status = 0;

  if (cfg->kind == BC_SERVER_ISC_DHCPD)
    {
      dhcpd = g_find_program_in_path ("dhcpd");
      if (dhcpd == NULL)
        dhcpd = g_strdup ("/usr/sbin/dhcpd");
      argv[0] = dhcpd;
      argv[1] = "-4";
      argv[2] = "-t";
      argv[3] = "-cf";
      argv[4] = cfg->dhcpd_conf;
    }
  else
    {
      argv[0] = cfg->bootserv;
      argv[1] = "--check";
      argv[2] = "-c";
      argv[3] = cfg->dhcpd_conf;
    }
  /* Not GSubprocess: this runs in bootcheck's first process, before it clones the
   * namespaced runs, and GSubprocess starts GLib's worker thread, which a clone()
   * child does not have: the child's first GSubprocess would wait on it forever.
   * g_spawn_sync reaps with waitpid and starts no thread. */
  if (!g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, merge_stderr_into_stdout, NULL,
                     &out, NULL, &status, error))
    return FALSE;
  *ret_refused = !g_spawn_check_wait_status (status, NULL);
  *ret_output = g_steal_pointer (&out);
  if (*ret_output == NULL)
    *ret_output = g_strdup ("");
  return TRUE;
}
