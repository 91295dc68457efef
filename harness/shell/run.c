/* The orchestrator of one run: see run.h. */
#include "harness/shell/run.h"

#include <arpa/inet.h>
#include <errno.h>
#include <gio/gio.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "harness/core/image-manifest.h"
#include "harness/core/tap.h"
#include "harness/core/verdict.h"
#include "harness/shell/accel.h"
#include "harness/shell/capture.h"
#include "harness/shell/console.h"
#include "harness/shell/isolate.h"
#include "harness/shell/server-proc.h"
#include "harness/shell/vm.h"
#include "images/image-host.h"

#define BRIDGE "br0"
#define VM_MAC "52:54:00:b0:07:01"
#define HTTP_PORT 80
#define RUN_DIR "/run/bootcheck"

void
bc_run_options_free (BcRunOptions *opts)
{
  if (opts == NULL)
    return;
  g_free (opts->artifacts_dir);
  g_free (opts->connect_uri);
  g_free (opts->cache_dir);
  g_free (opts->bootserv);
  g_free (opts->rom_file);
  g_free (opts->rom_report);
  g_free (opts->ovmf_code);
  g_free (opts->ovmf_vars);
  g_clear_pointer (&opts->tftp_files, g_hash_table_unref);
  g_clear_pointer (&opts->http_files, g_hash_table_unref);
  g_free (opts->skip_reason);
  g_free (opts);
}

/* ---- preparation (bootcheck's own process) ------------------------------------ */

/* Resolves @name; absent images append to @skip, others fail. */
static char *
resolve_image (BcImageSetup *setup, const char *name, GString *skip, GError **error)
{
  g_autoptr (GError) local = NULL;
  char *path = bc_image_manifest_resolve (setup->manifest, &setup->env, name, &local);

  if (path != NULL)
    return path;
  if (g_error_matches (local, BC_IMAGE_ERROR, BC_IMAGE_ERROR_ABSENT))
    {
      if (skip->len > 0)
        g_string_append (skip, "; ");
      g_string_append (skip, local->message);
      return NULL;
    }
  g_propagate_error (error, g_steal_pointer (&local));
  return NULL;
}

static gboolean
resolve_files (BcImageSetup *setup, GPtrArray *files, GHashTable **ret_table, GString *skip,
               GError **error)
{
  if (files->len == 0)
    return TRUE;
  *ret_table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (guint i = 0; i < files->len; i++)
    {
      const BcScenarioFile *f = files->pdata[i];
      g_autoptr (GError) local = NULL;
      char *path = resolve_image (setup, f->image, skip, &local);

      if (local != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      if (path != NULL)
        g_hash_table_insert (*ret_table, g_strdup (f->path), path);
    }
  return TRUE;
}

gboolean
bc_run_prepare (BcRunOptions *opts, const char *source_root, const char *build_root, GError **error)
{
  const BcScenario *sc = opts->sc;
  g_autoptr (BcImageSetup) setup = NULL;
  g_autoptr (GString) skip = g_string_new (NULL);
  g_autoptr (GError) local = NULL;

  setup = bc_image_setup_new (source_root, build_root, NULL, error);
  if (setup == NULL)
    return FALSE;

  switch (sc->rom)
    {
      case BC_ROM_BUILTIN:
        {
          /* QEMU loads its default ROM for the NIC (efi-<nic>.rom, BIOS + EFI) and patches
           * its PCI IDs to the device's: Debian's virtio ROM says 1af4:1041 while the
           * transitional virtio-net is 1af4:1000, and SeaBIOS skips a ROM whose IDs do not
           * match, so the same file given as <rom file=…> would not run. Resolve it only
           * to say which ROM booted (and to skip when the package is absent). */
          g_autofree char *name = g_strdup_printf ("ipxe-builtin-efi-%s", bc_nic_name (sc->nic));
          g_autofree char *path = resolve_image (setup, name, skip, &local);

          if (local != NULL)
            {
              g_propagate_error (error, g_steal_pointer (&local));
              return FALSE;
            }
          opts->rom_report = g_strdup_printf ("built-in %s", path ? path : name);
          break;
        }
      case BC_ROM_NONE:
        opts->rom_disabled = TRUE;
        opts->rom_report = g_strdup ("none (the firmware's own PXE)");
        break;
      case BC_ROM_IMAGE:
        if (strchr (sc->rom_image, '/') != NULL)
          {
            /* A path (the user's own ROM), relative to the scenario folder. */
            g_autofree char *p = g_path_is_absolute (sc->rom_image)
                                     ? g_strdup (sc->rom_image)
                                     : g_build_filename (sc->dir, sc->rom_image, NULL);

            if (g_file_test (p, G_FILE_TEST_IS_REGULAR))
              opts->rom_file = g_canonicalize_filename (p, NULL);
            else
              {
                if (skip->len > 0)
                  g_string_append (skip, "; ");
                g_string_append_printf (skip, "the ROM image %s does not exist", p);
              }
          }
        else
          opts->rom_file = resolve_image (setup, sc->rom_image, skip, &local);
        if (local != NULL)
          {
            g_propagate_error (error, g_steal_pointer (&local));
            return FALSE;
          }
        if (opts->rom_file != NULL)
          {
            guint16 dev = bc_vm_rom_pci_device_id (opts->rom_file);

            /* A ROM built for the modern virtio-net ID runs only on a device with it. */
            if (sc->nic == BC_NIC_VIRTIO && dev == 0x1041)
              opts->virtio_non_transitional = TRUE;
            if (strchr (sc->rom_image, '/') != NULL)
              opts->rom_report = g_strdup_printf ("%s (PCI device %04x)", opts->rom_file, dev);
            else
              opts->rom_report
                  = g_strdup_printf ("%s %s (PCI device %04x)", sc->rom_image, opts->rom_file, dev);
          }
        break;
    }
  if (sc->firmware == BC_FIRMWARE_UEFI)
    {
      opts->ovmf_code = resolve_image (setup, "ovmf-code", skip, &local);
      if (local == NULL)
        opts->ovmf_vars = resolve_image (setup, "ovmf-vars", skip, &local);
      if (local != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
    }
  for (guint i = 0; sc->required_images[i] != NULL; i++)
    {
      g_autofree char *p = resolve_image (setup, sc->required_images[i], skip, &local);

      if (local != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
    }
  if (!resolve_files (setup, sc->tftp_files, &opts->tftp_files, skip, error)
      || !resolve_files (setup, sc->http_files, &opts->http_files, skip, error))
    return FALSE;

  if (sc->server_kind == BC_SERVER_ISC_DHCPD)
    {
      g_autofree char *dhcpd = g_find_program_in_path ("dhcpd");

      if (dhcpd == NULL && !g_file_test ("/usr/sbin/dhcpd", G_FILE_TEST_IS_EXECUTABLE))
        {
          if (skip->len > 0)
            g_string_append (skip, "; ");
          g_string_append (skip, "[server] kind = isc-dhcpd needs ISC dhcpd: install "
                                 "isc-dhcp-server (Debian) or dhcp-server (Fedora)");
        }
    }
  if (skip->len > 0)
    opts->skip_reason = g_strdup (skip->str);
  return TRUE;
}

static char *
artifact (const BcRunOptions *opts, const char *name)
{
  return g_build_filename (opts->artifacts_dir, name, NULL);
}

int
bc_run_write_early_result (const BcRunOptions *opts, int code, const char *reason)
{
  g_autofree char *tap_path = artifact (opts, "bootcheck.tap");
  g_autofree char *text = NULL;
  g_autofree char *one_line = g_strdup (reason);

  g_strdelimit (one_line, "\n", ' ');
  if (code == BC_EXIT_SKIP)
    text = g_strdup_printf ("TAP version 14\n# scenario: %s\n1..0 # SKIP %s\n", opts->sc->name,
                            one_line);
  else
    text = g_strdup_printf ("TAP version 14\n# scenario: %s\nBail out! %s\n", opts->sc->name,
                            one_line);
  g_file_set_contents (tap_path, text, -1, NULL);
  return code;
}

/* ---- the run (PID 2 of the namespaces) ---------------------------------------- */

typedef struct
{
  BcRunOptions *opts;
  GMainLoop *loop;
  BcJudge *judge;
  BcCapture *capture;
  BcConsole *console;
  BcServerProc *server;
  BcVm *vm;

  gint64 setup_start_us, create_us, t0_us, verdict_us, last_mark_us;
  gboolean vm_started;
  GPtrArray *pending; /* events before t0 is known (absolute times) */
  FILE *timeline, *events, *console_log;

  guint timeout_source, deadline_source, finish_source;
  guint sig_sources[3];
  char *end_why;
  gboolean interrupted;
  gboolean stopped;    /* VM stopped: finish once the sources are drained */
  char *init_host_pid; /* the namespace's init as the host sees it (--keep's nsenter) */
  gboolean rootless;
} Run;

static void schedule_finish (Run *run, const char *why);

/* -v: where set-up time goes, step by step. */
static void
setup_mark (Run *run, const char *what)
{
  gint64 now = g_get_monotonic_time ();

  if (run->opts->verbose)
    g_printerr ("bootcheck: set-up %-24s %6.3f s (total %.3f s)\n", what,
                (now - run->last_mark_us) / 1e6, (now - run->opts->main_start_us) / 1e6);
  run->last_mark_us = now;
}

static FILE *
open_artifact (Run *run, const char *name)
{
  g_autofree char *path = artifact (run->opts, name);
  FILE *f = fopen (path, "w");

  if (f == NULL)
    g_warning ("%s: %s", path, g_strerror (errno));
  return f;
}

static void
add_str (JsonBuilder *b, const char *name, const char *value)
{
  if (value == NULL)
    return;
  json_builder_set_member_name (b, name);
  json_builder_add_string_value (b, value);
}

static void
add_addr (JsonBuilder *b, const char *name, guint32 addr)
{
  char buf[INET_ADDRSTRLEN];
  struct in_addr in = { .s_addr = addr };

  if (addr == 0)
    return;
  inet_ntop (AF_INET, &in, buf, sizeof buf);
  add_str (b, name, buf);
}

/* events.jsonl: one object per event, with the decoded fields a script would want. */
static void
write_event_json (Run *run, const BcEvent *ev)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *line = NULL;
  g_autofree char *formatted = bc_event_format_line (ev);
  /* "%8.3f %-8s body": the body starts after the kind column */
  const char *body = strlen (formatted) > 18 ? formatted + 18 : "";

  json_builder_begin_object (b);
  /* microseconds since VM start, as an integer: JSON doubles print as 2.3094070000000002 */
  json_builder_set_member_name (b, "t_us");
  json_builder_add_int_value (b, ev->t_us);
  add_str (b, "kind", bc_event_kind_name (ev->kind));
  add_str (b, "text", ev->text ? ev->text : body);
  switch (ev->kind)
    {
      case BC_EVENT_DHCP:
        if (ev->dhcp != NULL)
          {
            g_autofree char *chaddr = bc_dhcp_msg_format_chaddr (ev->dhcp);
            g_autofree char *xid = g_strdup_printf ("0x%08x", ev->dhcp->xid);
            guint type = bc_dhcp_msg_get_message_type (ev->dhcp);

            add_str (b, "op", ev->dhcp->op == BC_DHCP_OP_BOOTREQUEST ? "request" : "reply");
            add_str (b, "type", type ? bc_dhcp_message_type_name (type) : "BOOTP");
            add_str (b, "xid", xid);
            add_str (b, "chaddr", chaddr);
            add_addr (b, "yiaddr", ev->dhcp->yiaddr);
            add_addr (b, "siaddr", ev->dhcp->siaddr);
            if (ev->dhcp->file[0] != '\0')
              add_str (b, "file", ev->dhcp->file);
          }
        add_addr (b, "src", ev->src_addr);
        add_addr (b, "dst", ev->dst_addr);
        break;
      case BC_EVENT_TFTP:
        add_str (b, "file", ev->tftp_file);
        add_str (b, "phase",
                 ev->tftp_phase == BC_TFTP_PHASE_REQUEST    ? "request"
                 : ev->tftp_phase == BC_TFTP_PHASE_COMPLETE ? "complete"
                                                            : "error");
        if (ev->tftp_phase == BC_TFTP_PHASE_COMPLETE)
          {
            json_builder_set_member_name (b, "bytes");
            json_builder_add_int_value (b, (gint64)ev->tftp_bytes);
          }
        add_str (b, "error", ev->tftp_error);
        break;
      case BC_EVENT_HTTP:
        add_str (b, "method", ev->http_method);
        add_str (b, "path", ev->http_path);
        json_builder_set_member_name (b, "status");
        json_builder_add_int_value (b, ev->http_status);
        break;
      case BC_EVENT_SERVER:
        if (ev->server != NULL)
          {
            json_builder_set_member_name (b, "server");
            json_builder_add_value (b, json_node_copy (ev->server));
          }
        break;
      case BC_EVENT_CONSOLE:
      case BC_EVENT_VM:
      default:
        break;
    }
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  line = json_to_string (root, FALSE);
  fprintf (run->events, "%s\n", line);
  fflush (run->events);
}

static void rearm_deadline (Run *run);

/* Every event of the run passes here, in arrival order, on the run's clock. */
static void
process_event (Run *run, BcEvent *ev)
{
  g_autofree char *line = bc_event_format_line (ev);

  if (run->timeline != NULL)
    {
      fprintf (run->timeline, "%s\n", line);
      fflush (run->timeline);
    }
  if (run->events != NULL)
    write_event_json (run, ev);
  if (ev->kind == BC_EVENT_CONSOLE && run->console_log != NULL)
    {
      fprintf (run->console_log, "[%8.3f] %s\n", (double)ev->t_us / G_USEC_PER_SEC, ev->text);
      fflush (run->console_log);
    }
  if (run->opts->verbose)
    g_printerr ("%s\n", line);
  if (!bc_judge_is_final (run->judge))
    {
      if (bc_judge_feed (run->judge, ev))
        {
          run->verdict_us = g_get_monotonic_time ();
          schedule_finish (run, NULL);
        }
      else
        rearm_deadline (run);
    }
  bc_event_free (ev);
}

/* Sources report absolute CLOCK_MONOTONIC times; before the VM starts the zero is
 * unknown, so those events wait. */
static void
take_event (Run *run, BcEvent *ev)
{
  if (!run->vm_started)
    {
      g_ptr_array_add (run->pending, ev);
      return;
    }
  ev->t_us -= run->t0_us;
  process_event (run, ev);
}

static void
on_capture_event (BcEvent *ev, gpointer user_data)
{
  take_event (user_data, ev);
}

static void
on_server_event (BcEvent *ev, gpointer user_data)
{
  take_event (user_data, ev);
}

static void
on_console_line (const char *line, gpointer user_data)
{
  take_event (user_data, bc_event_new (BC_EVENT_CONSOLE, g_get_monotonic_time (), line));
}

static void
drain_sources (Run *run, gboolean flush_partial)
{
  if (run->capture != NULL)
    bc_capture_drain (run->capture);
  if (run->server != NULL)
    bc_server_drain (run->server);
  if (run->console != NULL)
    bc_console_drain (run->console, flush_partial);
}

static void
on_vm_event (const char *word, const char *detail, gpointer user_data)
{
  Run *run = user_data;
  g_autofree char *text = detail ? g_strdup_printf ("%s (%s)", word, detail) : g_strdup (word);
  BcEvent *ev;

  /* What the guest printed and sent before it stopped comes first. */
  drain_sources (run, TRUE);
  ev = bc_event_new (BC_EVENT_VM, g_get_monotonic_time (), word);
  g_free (ev->text);
  ev->text = g_strdup (word);
  take_event (run, ev);
  if (run->opts->verbose && detail != NULL)
    g_printerr ("  (vm %s)\n", text);
  if (g_str_equal (word, "stopped") || g_str_equal (word, "crashed"))
    {
      run->stopped = TRUE;
      schedule_finish (run, text);
    }
}

static void
on_server_exit (const char *what, gpointer user_data)
{
  Run *run = user_data;

  schedule_finish (run, what);
}

static gboolean
on_finish (gpointer user_data)
{
  Run *run = user_data;

  run->finish_source = 0;
  g_main_loop_quit (run->loop);
  return G_SOURCE_REMOVE;
}

static void
schedule_finish (Run *run, const char *why)
{
  if (why != NULL && run->end_why == NULL)
    run->end_why = g_strdup (why);
  if (run->finish_source == 0)
    run->finish_source = g_idle_add_full (G_PRIORITY_HIGH, on_finish, run, NULL);
}

static gboolean
on_deadline (gpointer user_data)
{
  Run *run = user_data;

  run->deadline_source = 0;
  drain_sources (run, FALSE);
  if (!bc_judge_is_final (run->judge)
      && bc_judge_tick (run->judge, g_get_monotonic_time () - run->t0_us))
    {
      run->verdict_us = g_get_monotonic_time ();
      schedule_finish (run, NULL);
    }
  else
    rearm_deadline (run);
  return G_SOURCE_REMOVE;
}

static void
rearm_deadline (Run *run)
{
  gint64 next;
  gint64 now;

  if (!run->vm_started || bc_judge_is_final (run->judge))
    return;
  next = bc_judge_next_deadline (run->judge);
  if (run->deadline_source != 0)
    {
      g_source_remove (run->deadline_source);
      run->deadline_source = 0;
    }
  if (next == G_MAXINT64)
    return;
  now = g_get_monotonic_time () - run->t0_us;
  run->deadline_source
      = g_timeout_add (next > now ? (guint)((next - now) / 1000 + 1) : 0, on_deadline, run);
}

static gboolean
on_timeout (gpointer user_data)
{
  Run *run = user_data;
  g_autofree char *why = g_strdup_printf ("timeout after %u s", run->opts->timeout_s);

  run->timeout_source = 0;
  schedule_finish (run, why);
  return G_SOURCE_REMOVE;
}

static gboolean
on_signal (gpointer user_data)
{
  Run *run = user_data;

  run->interrupted = TRUE;
  schedule_finish (run, "interrupted by a signal");
  return G_SOURCE_CONTINUE;
}

static char *
sanitize_name (const char *name)
{
  char *s = g_strdup_printf ("bootcheck-%s", name);

  for (char *p = s; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_' && *p != '.')
      *p = '_';
  return s;
}

static gboolean
copy_file (const char *from, const char *to, GError **error)
{
  g_autoptr (GFile) src = g_file_new_for_path (from);
  g_autoptr (GFile) dst = g_file_new_for_path (to);

  return g_file_copy (src, dst, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, error);
}

static gboolean
copy_tree (const char *from, const char *to, GError **error)
{
  g_autoptr (GDir) dir = NULL;
  const char *name;

  if (g_mkdir_with_parents (to, 0755) < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "%s: %s", to,
                   g_strerror (errno));
      return FALSE;
    }
  if (from == NULL)
    return TRUE;
  dir = g_dir_open (from, 0, error);
  if (dir == NULL)
    return FALSE;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *s = g_build_filename (from, name, NULL);
      g_autofree char *d = g_build_filename (to, name, NULL);

      if (g_file_test (s, G_FILE_TEST_IS_DIR))
        {
          if (!copy_tree (s, d, error))
            return FALSE;
        }
      else if (!copy_file (s, d, error))
        return FALSE;
    }
  return TRUE;
}

/* The served root: the scenario's folder as is, or, when [tftp]/[http] map images into
 * it, a copy in the run's tmpfs with the images added (copies, not symlinks: bootserv
 * refuses to follow links out of its root). */
static char *
served_root (const char *scenario_root, GHashTable *files, const char *run_path, GError **error)
{
  GHashTableIter it;
  gpointer k, v;

  if (files == NULL || g_hash_table_size (files) == 0)
    return g_strdup (scenario_root);
  if (!copy_tree (scenario_root, run_path, error))
    return NULL;
  g_hash_table_iter_init (&it, files);
  while (g_hash_table_iter_next (&it, &k, &v))
    {
      g_autofree char *dst = g_build_filename (run_path, (const char *)k, NULL);
      g_autofree char *parent = g_path_get_dirname (dst);

      g_mkdir_with_parents (parent, 0755);
      if (!copy_file (v, dst, error))
        return NULL;
    }
  return g_strdup (run_path);
}

static void
write_timing (Run *run, gint64 end_us, gboolean kept)
{
  g_autofree char *path = artifact (run->opts, "timing.ini");
  g_autofree char *text
      = g_strdup_printf ("[timing]\n"
                         "main-start-us=%" G_GINT64_FORMAT "\n"
                         "setup-start-us=%" G_GINT64_FORMAT "\n"
                         "vm-create-us=%" G_GINT64_FORMAT "\n"
                         "vm-start-us=%" G_GINT64_FORMAT "\n"
                         "verdict-us=%" G_GINT64_FORMAT "\n"
                         "end-us=%" G_GINT64_FORMAT "\n"
                         "kept=%s\n",
                         run->opts->main_start_us, run->setup_start_us, run->create_us, run->t0_us,
                         run->verdict_us, end_us, kept ? "true" : "false");

  g_file_set_contents (path, text, -1, NULL);
}

static void
write_tap (Run *run, const char *accel_report, gint64 end_us)
{
  const BcVerdict *v = bc_judge_get_verdict (run->judge);
  g_autofree char *tap_path = artifact (run->opts, "bootcheck.tap");
  g_autofree char *fp = NULL;
  g_autofree char *extra = NULL;
  g_autofree char *text = NULL;
  BcTapInfo info = { 0 };
  double setup_s = run->vm_started ? (run->t0_us - run->opts->main_start_us) / 1e6 : 0;
  double verdict_s = (run->verdict_us - run->t0_us) / 1e6;
  double teardown_s = (end_us - run->verdict_us) / 1e6;

  if (bc_judge_get_first_fingerprint (run->judge) != NULL)
    fp = g_strdup_printf ("\nfirst DHCP from the VM: %s",
                          bc_judge_get_first_fingerprint (run->judge));
  extra = g_strdup_printf ("timing: set-up %.3f s (start to VM start), verdict at t=%.3f s, "
                           "tear-down %.3f s (in the namespace)%s\nartifacts: %s",
                           setup_s, verdict_s, teardown_s, fp ? fp : "", run->opts->artifacts_dir);
  info.scenario = run->opts->sc->name;
  info.accel = accel_report;
  info.rom = run->opts->rom_report;
  info.extra = extra;
  text = bc_tap_format (v, &info);
  g_file_set_contents (tap_path, text, -1, NULL);
}

static void
copy_qemu_log (Run *run, const char *root, const char *dom_name)
{
  g_autofree char *log_name = g_strdup_printf ("%s.log", dom_name);
  g_autofree char *from = g_build_filename (root, "log", "qemu", log_name, NULL);
  g_autofree char *to = artifact (run->opts, "qemu.log");

  if (g_file_test (from, G_FILE_TEST_EXISTS))
    copy_file (from, to, NULL);
}

static int
verdict_exit_code (Run *run)
{
  const BcVerdict *v = bc_judge_get_verdict (run->judge);

  switch (v->kind)
    {
      case BC_VERDICT_PASS:
        return BC_EXIT_PASS;
      case BC_VERDICT_SKIP:
        return BC_EXIT_SKIP;
      case BC_VERDICT_FAIL:
        return BC_EXIT_FAIL;
      case BC_VERDICT_PENDING:
      default:
        return BC_EXIT_ERROR;
    }
}

static void
print_keep_help (Run *run, const char *uri, const char *dom_name)
{
  const char *host_pid = run->init_host_pid ? run->init_host_pid : "PID";
  g_autofree char *enter = g_strdup_printf ("nsenter -t %s -n -m -p%s", host_pid,
                                            run->rootless ? " -U --preserve-credentials" : "");

  g_printerr ("bootcheck: --keep: the VM, the server and the namespace stay up until bootcheck "
              "is interrupted (Ctrl-C); artifacts in %s\n"
              "  serial console:  %s virsh -c '%s' console %s\n"
              "                   (or: tail -f %s/serial.raw)\n"
              "  the namespace:   %s\n"
              "  packets:         %s tcpdump -n -i %s\n",
              run->opts->artifacts_dir, enter, uri, dom_name, run->opts->artifacts_dir, enter,
              enter, BRIDGE);
}

/* Our parent (the namespace's init) as the host sees it: /proc/self/status's PPid is
 * in the PID namespace of the /proc mount, the host's until we mount our own. */
static char *
read_parent_host_pid (void)
{
  g_autofree char *status = NULL;
  const char *p;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return NULL;
  p = strstr (status, "\nPPid:");
  if (p == NULL)
    return NULL;
  p += strlen ("\nPPid:");
  while (*p == '\t' || *p == ' ')
    p++;
  return g_strndup (p, strcspn (p, "\t \n"));
}

/* Inside a user namespace root is mapped from someone: uid_map says from whom. */
static gboolean
host_is_root (void)
{
  g_autofree char *map = NULL;
  unsigned inside = 1, outside = 1;

  if (!g_file_get_contents ("/proc/self/uid_map", &map, NULL, NULL))
    return TRUE;
  if (sscanf (map, "%u %u", &inside, &outside) != 2)
    return TRUE;
  return outside == 0;
}

int
bc_run_execute (BcRunOptions *opts)
{
  const BcScenario *sc = opts->sc;
  Run run_s = { 0 };
  Run *run = &run_s;
  g_autoptr (GError) error = NULL;
  g_autofree char *cidr = NULL;
  g_autofree char *accel_reason = NULL;
  g_autofree char *accel_report = NULL;
  g_autofree char *tftp_root = NULL;
  g_autofree char *http_root = NULL;
  g_autofree char *serial = artifact (opts, "serial.raw");
  g_autofree char *pcap_path = artifact (opts, "capture.pcap");
  g_autofree char *server_log = artifact (opts, "server.log");
  g_autofree char *libvirt_log = artifact (opts, "libvirt.log");
  g_autofree char *domain_xml_path = artifact (opts, "domain.xml");
  g_autofree char *tap_path = artifact (opts, "bootcheck.tap");
  g_autofree char *dom_name = sanitize_name (sc->name);
  g_autofree char *xml = NULL;
  g_autofree char *vars_copy = NULL;
  g_autofree char *libvirt_outputs = NULL;
  const char *root = RUN_DIR "/libvirt";
  const char *accel;
  char addr[32], subnet_s[32], netmask_s[32];
  BcVmConfig vmc = { 0 };
  BcServerConfig srvc = { 0 };
  int code;
  gint64 end_us;

  run->opts = opts;
  run->setup_start_us = g_get_monotonic_time ();
  run->last_mark_us = opts->main_start_us;
  setup_mark (run, "bootcheck start to fork");
  run->verdict_us = 0;
  run->pending = g_ptr_array_new_with_free_func ((GDestroyNotify)bc_event_free);
  run->loop = g_main_loop_new (NULL, FALSE);
  run->judge = bc_judge_new (sc);
  run->init_host_pid = read_parent_host_pid ();
  run->rootless = g_file_test ("/proc/self/uid_map", G_FILE_TEST_EXISTS) && !host_is_root ();

  /* A run killed before its verdict leaves a TAP that says so. */
  g_file_set_contents (tap_path,
                       "TAP version 14\nBail out! bootcheck ended before a verdict "
                       "(killed?)\n",
                       -1, NULL);

  /* libvirt logs to stderr by default: keep its warnings in an artifact. */
  libvirt_outputs = g_strdup_printf ("3:file:%s", libvirt_log);
  g_setenv ("LIBVIRT_LOG_OUTPUTS", libvirt_outputs, FALSE);

  {
    guint32 a = g_ntohl (sc->bridge_addr);

    g_snprintf (addr, sizeof addr, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255,
                a & 255);
    cidr = g_strdup_printf ("%s/%u", addr, sc->prefix_len);
    a = g_ntohl (sc->subnet_addr);
    g_snprintf (subnet_s, sizeof subnet_s, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255,
                a & 255);
    a = g_ntohl (sc->netmask);
    g_snprintf (netmask_s, sizeof netmask_s, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255,
                (a >> 8) & 255, a & 255);
  }
  if (!bc_isolate_setup_inside (BRIDGE, cidr, &error))
    goto harness_error;
  setup_mark (run, "namespace mounts+bridge");
  g_mkdir_with_parents (RUN_DIR, 0755);

  tftp_root = served_root (sc->tftp_root, opts->tftp_files, RUN_DIR "/tftp", &error);
  if (error != NULL)
    goto harness_error;
  http_root = served_root (sc->http_root, opts->http_files, RUN_DIR "/http", &error);
  if (error != NULL)
    goto harness_error;

  setup_mark (run, "served roots");
  accel = bc_accel_choose (opts->accel, opts->cache_dir, &accel_reason);
  accel_report = g_strdup (accel_reason);

  setup_mark (run, "accel");
  run->timeline = open_artifact (run, "timeline.txt");
  run->events = open_artifact (run, "events.jsonl");
  run->console_log = open_artifact (run, "console.log");

  run->capture = bc_capture_start (BRIDGE, pcap_path, HTTP_PORT, on_capture_event, run, &error);
  if (run->capture == NULL)
    goto harness_error;
  bc_capture_set_t0 (run->capture, 0);

  setup_mark (run, "capture");
  srvc.kind = sc->server_kind;
  srvc.bootserv = opts->bootserv;
  srvc.dhcpd_conf = sc->dhcpd_conf_path;
  srvc.iface = BRIDGE;
  srvc.subnet = subnet_s;
  srvc.netmask = netmask_s;
  srvc.tftp_root = tftp_root;
  srvc.http_root = http_root;
  srvc.http_port = HTTP_PORT;
  srvc.router_advertisements = sc->router_advertisements;
  srvc.state_dir = RUN_DIR;
  srvc.log_path = server_log;
  run->server = bc_server_start (&srvc, on_server_event, on_server_exit, run, &error);
  if (run->server == NULL)
    goto harness_error;
  bc_server_set_t0 (run->server, 0);

  setup_mark (run, "server spawn");
  run->vm = bc_vm_connect (opts->connect_uri, root, opts->cache_dir, &error);
  if (run->vm == NULL)
    goto harness_error;

  setup_mark (run, "libvirt connect");
  if (sc->firmware == BC_FIRMWARE_UEFI)
    {
      vars_copy = g_build_filename (RUN_DIR, "OVMF_VARS.fd", NULL);
      if (!copy_file (opts->ovmf_vars, vars_copy, &error))
        goto harness_error;
    }
  vmc.name = dom_name;
  vmc.domain_type = g_str_equal (accel, "kvm") ? "kvm" : "qemu";
  vmc.firmware = sc->firmware;
  vmc.nic = sc->nic;
  vmc.memory_mib = sc->memory_mib;
  vmc.on_reboot = sc->on_reboot;
  vmc.rom_file = opts->rom_file;
  vmc.rom_disabled = opts->rom_disabled;
  vmc.virtio_non_transitional = opts->virtio_non_transitional;
  vmc.ovmf_code = opts->ovmf_code;
  vmc.ovmf_vars = vars_copy;
  vmc.serial_path = serial;
  vmc.bridge = BRIDGE;
  vmc.mac = VM_MAC;
  xml = bc_vm_domain_xml (&vmc);
  g_file_set_contents (domain_xml_path, xml, -1, NULL);

  g_file_set_contents (serial, "", 0, NULL);
  run->console = bc_console_follow (serial, on_console_line, run, &error);
  if (run->console == NULL)
    goto harness_error;

  setup_mark (run, "xml+console");
  run->sig_sources[0] = g_unix_signal_add (SIGINT, on_signal, run);
  run->sig_sources[1] = g_unix_signal_add (SIGTERM, on_signal, run);
  run->sig_sources[2] = g_unix_signal_add (SIGHUP, on_signal, run);

  run->create_us = g_get_monotonic_time ();
  if (!bc_vm_start (run->vm, xml, on_vm_event, run, &error))
    goto harness_error;
  setup_mark (run, "virDomainCreateXML");
  /* libvirt starts qemu with its CPUs paused and resumes them as the call returns:
   * t = 0 is when the firmware starts running. */
  run->t0_us = g_get_monotonic_time ();
  run->vm_started = TRUE;
  {
    BcEvent *started = bc_event_new (BC_EVENT_VM, run->t0_us, "started");
    g_autoptr (GPtrArray) pending = g_steal_pointer (&run->pending);

    run->pending = g_ptr_array_new_with_free_func ((GDestroyNotify)bc_event_free);
    take_event (run, started);
    for (guint i = 0; i < pending->len; i++)
      take_event (run, g_steal_pointer (&pending->pdata[i]));
  }
  if (opts->verbose)
    g_printerr ("bootcheck: %s: VM started (%s) %.3f s after start\n", sc->name, accel,
                (run->t0_us - opts->main_start_us) / 1e6);
  run->timeout_source = g_timeout_add_seconds (opts->timeout_s, on_timeout, run);
  rearm_deadline (run);

  if (!bc_judge_is_final (run->judge))
    {
      /* Probing qemu's capabilities costs seconds on a fresh root: keep them. Done
       * while the firmware initialises, off the critical path. */
      bc_vm_save_caps_cache (run->vm);
      g_main_loop_run (run->loop);
    }

  /* The verdict (or the end): stop everything, then judge what is left. */
  if (run->verdict_us == 0)
    run->verdict_us = g_get_monotonic_time ();
  if (!opts->keep)
    bc_vm_destroy (run->vm);
  drain_sources (run, TRUE);
  if (!bc_judge_is_final (run->judge))
    bc_judge_finish (run->judge, g_get_monotonic_time () - run->t0_us,
                     run->end_why ? run->end_why : "the run ended");
  end_us = g_get_monotonic_time ();
  write_tap (run, accel_report, end_us);
  code = verdict_exit_code (run);
  if (run->interrupted && code != BC_EXIT_PASS)
    code = BC_EXIT_ERROR;

  if (opts->keep)
    {
      g_autofree char *kept = artifact (opts, "server-events-kept.jsonl");
      g_autofree char *tap = NULL;

      /* Release the embedded driver (by exiting) so that virsh can attach, and leave
       * the namespace to the init until bootcheck is interrupted. */
      copy_qemu_log (run, root, dom_name);
      write_timing (run, g_get_monotonic_time (), TRUE);
      if (g_file_get_contents (tap_path, &tap, NULL, NULL))
        fputs (tap, stdout);
      if (run->server != NULL)
        bc_server_hand_over_events (run->server, kept);
      print_keep_help (run, bc_vm_get_uri (run->vm), dom_name);
      code += BC_ISOLATE_KEEP;
      goto out;
    }
  if (run->server != NULL)
    bc_server_stop (run->server);
  copy_qemu_log (run, root, dom_name);
  end_us = g_get_monotonic_time ();
  write_timing (run, end_us, FALSE);
  goto out;

harness_error:
  g_printerr ("bootcheck: %s: %s\n", sc->name, error->message);
  if (run->vm != NULL)
    {
      bc_vm_destroy (run->vm);
      copy_qemu_log (run, root, dom_name);
    }
  {
    g_autofree char *one_line = g_strdup (error->message);

    g_strdelimit (one_line, "\n", ' ');
    /* a host without libvirt's QEMU driver lacks something: skip, saying what */
    gboolean skip = g_error_matches (error, BC_VM_ERROR, BC_VM_ERROR_UNSUPPORTED);
    g_autofree char *text = g_strdup_printf ("TAP version 14\n# scenario: %s\n%s %s\n", sc->name,
                                             skip ? "1..0 # SKIP" : "Bail out!", one_line);

    g_file_set_contents (tap_path, text, -1, NULL);
    code = skip ? BC_EXIT_SKIP : BC_EXIT_ERROR;
  }

out:
  for (guint i = 0; i < G_N_ELEMENTS (run->sig_sources); i++)
    if (run->sig_sources[i] != 0)
      g_source_remove (run->sig_sources[i]);
  if (run->timeout_source != 0)
    g_source_remove (run->timeout_source);
  if (run->deadline_source != 0)
    g_source_remove (run->deadline_source);
  if (run->finish_source != 0)
    g_source_remove (run->finish_source);
  g_clear_pointer (&run->console, bc_console_free);
  g_clear_pointer (&run->capture, bc_capture_free);
  /* bc_vm_free would wait for libvirt's own clean-up; the namespace's end takes qemu
   * with it, and the domain was destroyed above. */
  if (run->timeline)
    fclose (run->timeline);
  if (run->events)
    fclose (run->events);
  if (run->console_log)
    fclose (run->console_log);
  g_free (run->end_why);
  g_free (run->init_host_pid);
  g_ptr_array_unref (run->pending);
  fflush (stdout);
  fflush (stderr);
  /* No clean-up of libvirt, the server or the loop: returning ends PID 1, and the
   * kernel kills what is left of the namespace at once. */
  return code;
}

int
bc_run_config_check (BcRunOptions *opts)
{
  const BcScenario *sc = opts->sc;
  g_autoptr (BcJudge) judge = bc_judge_new (sc);
  g_autoptr (GError) error = NULL;
  g_autofree char *output = NULL;
  g_autofree char *tap_path = artifact (opts, "bootcheck.tap");
  g_autofree char *text = NULL;
  g_autofree char *out_path = artifact (opts, "config-check.txt");
  gboolean refused = FALSE;
  BcServerConfig srvc = { 0 };
  BcTapInfo info = { 0 };

  srvc.kind = sc->server_kind;
  srvc.bootserv = opts->bootserv;
  srvc.dhcpd_conf = sc->dhcpd_conf_path;
  if (!bc_server_check_config (&srvc, &output, &refused, &error))
    return bc_run_write_early_result (opts, BC_EXIT_ERROR, error->message);
  g_file_set_contents (out_path, output, -1, NULL);
  bc_judge_feed_config_check (judge, output, refused, 0);
  bc_judge_finish (judge, 0, "the configuration check ended");
  info.scenario = sc->name;
  info.extra = "no VM: the server's configuration check was judged";
  text = bc_tap_format (bc_judge_get_verdict (judge), &info);
  g_file_set_contents (tap_path, text, -1, NULL);
  switch (bc_judge_get_verdict (judge)->kind)
    {
      case BC_VERDICT_PASS:
        return BC_EXIT_PASS;
      case BC_VERDICT_SKIP:
        return BC_EXIT_SKIP;
      case BC_VERDICT_FAIL:
        return BC_EXIT_FAIL;
      default:
        return BC_EXIT_ERROR;
    }
}
