/* bootcheck: runs scenario folders, each in its own namespaces, and reports TAP.
 * Exit: 0 pass, 1 fail, 77 skip (automake/meson), 99 harness error. See bootcheck.1. */
#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness/core/scenario.h"
#include "harness/shell/accel.h"
#include "harness/shell/isolate.h"
#include "harness/shell/run.h"
#include "harness/shell/server-proc.h"

#ifndef BC_SOURCE_ROOT
#define BC_SOURCE_ROOT "."
#endif
#ifndef BC_BUILD_ROOT
#define BC_BUILD_ROOT NULL
#endif

typedef struct
{
  BcRunOptions *opts;
  pid_t pid; /* the namespace's init, 0 when not started / done */
  int code;
  gint64 exit_us;
  gboolean done;
} Job;

static GPtrArray *jobs; /* of Job* */

static void
forward_signal (int sig)
{
  if (jobs == NULL)
    return;
  for (guint i = 0; i < jobs->len; i++)
    {
      Job *j = jobs->pdata[i];

      if (j->pid > 0 && !j->done)
        kill (j->pid, sig);
    }
}

static char *opt_artifacts;
static char *opt_accel;
static char *opt_connect;
static int opt_jobs = 1;
static int opt_timeout;
static gboolean opt_keep;
static gboolean opt_verbose;

static GOptionEntry entries[] = {
  { "artifacts", 'a', 0, G_OPTION_ARG_FILENAME, &opt_artifacts,
    "Where artifacts go (default ./bootcheck-artifacts/SCENARIO/TIMESTAMP; with several "
    "scenarios DIR/SCENARIO)",
    "DIR" },
  { "accel", 0, 0, G_OPTION_ARG_STRING, &opt_accel,
    "auto (KVM when it really works, else TCG), kvm or tcg (default: the scenario's)",
    "auto|kvm|tcg" },
  { "connect", 'c', 0, G_OPTION_ARG_STRING, &opt_connect,
    "libvirt URI (default: the embedded driver in the run's namespace, "
    "qemu:///embed?root=/run/bootcheck/libvirt)",
    "URI" },
  { "jobs", 'j', 0, G_OPTION_ARG_INT, &opt_jobs, "Run N scenarios at once (default 1)", "N" },
  { "timeout", 't', 0, G_OPTION_ARG_INT, &opt_timeout,
    "Seconds from VM start before the run fails (default: the scenario's, 120)", "S" },
  { "keep", 'k', 0, G_OPTION_ARG_NONE, &opt_keep,
    "After the verdict leave the VM, server and namespace up (until Ctrl-C) and say how to "
    "reach them",
    NULL },
  { "verbose", 'v', 0, G_OPTION_ARG_NONE, &opt_verbose, "Print the timeline as it happens", NULL },
  { NULL },
};

static char *
default_artifacts_dir (const char *scenario, guint n_scenarios)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");
  g_autofree char *ms
      = g_strdup_printf ("%s.%03d", stamp, g_date_time_get_microsecond (now) / 1000);
  char *dir;

  if (opt_artifacts != NULL)
    {
      if (n_scenarios == 1)
        return g_canonicalize_filename (opt_artifacts, NULL);
      dir = g_build_filename (opt_artifacts, scenario, NULL);
    }
  else
    dir = g_build_filename ("bootcheck-artifacts", scenario, ms, NULL);
  {
    char *abs = g_canonicalize_filename (dir, NULL);

    g_free (dir);
    return abs;
  }
}

static char *
cache_dir (void)
{
  const char *env = g_getenv ("BOOTCHECK_CACHE_DIR");

  if (env != NULL && *env != '\0')
    return g_strdup (env);
  return g_build_filename (g_get_user_cache_dir (), "bootcheck", NULL);
}

static int
run_in_namespace (gpointer user_data)
{
  BcRunOptions *opts = user_data;

  return bc_run_execute (opts);
}

static gboolean
parse_accel (const char *s, BcAccel *ret)
{
  if (g_strcmp0 (s, "auto") == 0)
    *ret = BC_ACCEL_AUTO;
  else if (g_strcmp0 (s, "kvm") == 0)
    *ret = BC_ACCEL_KVM;
  else if (g_strcmp0 (s, "tcg") == 0)
    *ret = BC_ACCEL_TCG;
  else
    return FALSE;
  return TRUE;
}

/* What the host must have before any scenario can boot; NULL when all is there. */
static char *
host_lacks (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *qemu = bc_accel_find_qemu ();

  if (qemu == NULL)
    return g_strdup ("qemu-system-x86_64 not found: install qemu-system-x86 (Debian) or "
                     "qemu-system-x86-core (Fedora)");
  if (!g_file_test ("/dev/net/tun", G_FILE_TEST_EXISTS))
    return g_strdup ("/dev/net/tun is missing (the VM's tap needs it): modprobe tun");
  if (!bc_isolate_check_host (&error))
    return g_strdup (error->message);
  return NULL;
}

static void
print_tap (Job *j, guint index, guint n)
{
  g_autofree char *path = g_build_filename (j->opts->artifacts_dir, "bootcheck.tap", NULL);
  g_autofree char *text = NULL;
  g_autofree char *timing_path = g_build_filename (j->opts->artifacts_dir, "timing.ini", NULL);
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autofree char *timing = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    text = g_strdup_printf ("TAP version 14\nBail out! %s: no bootcheck.tap was written\n",
                            j->opts->sc->name);
  if (g_key_file_load_from_file (kf, timing_path, G_KEY_FILE_NONE, NULL))
    {
      gint64 main_start = g_key_file_get_int64 (kf, "timing", "main-start-us", NULL);
      gint64 vm_start = g_key_file_get_int64 (kf, "timing", "vm-start-us", NULL);
      gint64 verdict = g_key_file_get_int64 (kf, "timing", "verdict-us", NULL);

      if (vm_start > 0 && verdict > 0)
        timing = g_strdup_printf ("# timing: set-up %.3f s, verdict at t=%.3f s after VM start, "
                                  "tear-down %.3f s, wall %.3f s\n",
                                  (vm_start - main_start) / 1e6, (verdict - vm_start) / 1e6,
                                  (j->exit_us - verdict) / 1e6, (j->exit_us - main_start) / 1e6);
    }
  if (n == 1 && g_key_file_get_boolean (kf, "timing", "kept", NULL))
    {
      /* the run printed its TAP itself before keeping the VM up; its tear-down is
       * however long the user kept it */
    }
  else if (n == 1)
    {
      fputs (text, stdout);
      if (timing)
        fputs (timing, stdout);
    }
  else
    {
      g_auto (GStrv) lines = g_strsplit (text, "\n", -1);

      printf ("# Subtest: %s\n", j->opts->sc->name);
      for (guint i = 0; lines[i] != NULL; i++)
        if (*lines[i] != '\0' && !g_str_has_prefix (lines[i], "TAP version"))
          printf ("    %s\n", lines[i]);
      if (timing)
        printf ("    %s", timing);
      if (j->code == BC_EXIT_SKIP)
        printf ("ok %u - %s # SKIP\n", index, j->opts->sc->name);
      else
        printf ("%s %u - %s\n", j->code == BC_EXIT_PASS ? "ok" : "not ok", index,
                j->opts->sc->name);
    }
  fflush (stdout);
}

int
main (int argc, char **argv)
{
  gint64 main_start = g_get_monotonic_time ();
  g_autoptr (GOptionContext) ctx = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *bootserv = NULL;
  g_autofree char *lacks = NULL;
  g_autofree char *cache = NULL;
  const char *source_root = g_getenv ("BOOTCHECK_SOURCE_ROOT");
  const char *build_root = g_getenv ("BOOTCHECK_BUILD_ROOT");
  BcAccel accel_override = BC_ACCEL_AUTO;
  guint n, next = 0, running = 0, index = 0;
  gboolean spawned_any = FALSE;
  int overall = -1;
  struct sigaction sa;

  ctx = g_option_context_new ("SCENARIO_DIR... - check network boots end to end");
  g_option_context_set_summary (
      ctx, "Boots real firmware in libvirt/QEMU on a bridge inside private namespaces, serves it "
           "with bootserv (or ISC dhcpd), captures every packet, reads the serial console and "
           "checks each scenario's expect file. TAP on stdout.\n"
           "Exit status: 0 pass, 1 fail, 77 skip, 99 harness error.");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      g_printerr ("bootcheck: %s\n", error->message);
      return BC_EXIT_ERROR;
    }
  if (argc < 2)
    {
      g_printerr ("bootcheck: no scenario folder given (see bootcheck --help)\n");
      return BC_EXIT_ERROR;
    }
  if (opt_accel != NULL && !parse_accel (opt_accel, &accel_override))
    {
      g_printerr ("bootcheck: --accel must be auto, kvm or tcg, not '%s'\n", opt_accel);
      return BC_EXIT_ERROR;
    }
  if (opt_connect != NULL && !g_str_has_prefix (opt_connect, "qemu:///embed?"))
    {
      /* A libvirtd outside the run's namespaces would put the VM's NIC on that host's
       * own bridge of the same name, outside the isolated network. */
      g_printerr ("bootcheck: --connect %s: only the embedded driver "
                  "(qemu:///embed?root=DIR) runs inside the run's namespaces and sees its "
                  "bridge\n",
                  opt_connect);
      return BC_EXIT_ERROR;
    }
  if (opt_jobs < 1)
    opt_jobs = 1;
  if (source_root == NULL)
    source_root = BC_SOURCE_ROOT;
  if (build_root == NULL)
    build_root = BC_BUILD_ROOT;
  /* ip, dhcpd and friends live in sbin, which a plain user's PATH may lack. */
  {
    g_autofree char *path = g_strdup_printf (
        "%s:/usr/sbin:/sbin", g_getenv ("PATH") ? g_getenv ("PATH") : "/usr/bin:/bin");

    g_setenv ("PATH", path, TRUE);
  }

  n = (guint)argc - 1;
  jobs = g_ptr_array_new ();
  cache = cache_dir ();
  bootserv = bc_server_find_bootserv ();
  lacks = host_lacks ();

  for (guint i = 0; i < n; i++)
    {
      Job *j = g_new0 (Job, 1);
      BcScenario *sc = bc_scenario_load (argv[i + 1], &error);

      g_ptr_array_add (jobs, j);
      j->opts = g_new0 (BcRunOptions, 1);
      if (sc == NULL)
        {
          g_printerr ("bootcheck: %s\n", error->message);
          sc = bc_scenario_parse_data ("", 0, NULL, 0, NULL);
          g_free (sc->name);
          sc->name = g_path_get_basename (argv[i + 1]);
          j->code = BC_EXIT_ERROR;
          j->done = TRUE;
          g_clear_error (&error);
        }
      j->opts->sc = sc;
      j->opts->artifacts_dir = default_artifacts_dir (sc->name, n);
      j->opts->connect_uri = g_strdup (opt_connect);
      j->opts->accel = opt_accel != NULL ? accel_override : sc->accel;
      j->opts->timeout_s = opt_timeout > 0 ? (guint)opt_timeout : sc->timeout_s;
      j->opts->keep = opt_keep;
      j->opts->verbose = opt_verbose;
      j->opts->cache_dir = g_strdup (cache);
      j->opts->bootserv = g_strdup (bootserv);
      j->opts->main_start_us = main_start;
      if (g_mkdir_with_parents (j->opts->artifacts_dir, 0755) < 0)
        {
          g_printerr ("bootcheck: %s: %s\n", j->opts->artifacts_dir, g_strerror (errno));
          j->code = BC_EXIT_ERROR;
          j->done = TRUE;
          continue;
        }
      {
        /* a reused artifacts folder must not report a previous run's timings */
        g_autofree char *stale = g_build_filename (j->opts->artifacts_dir, "timing.ini", NULL);

        g_unlink (stale);
      }
      if (j->done)
        {
          bc_run_write_early_result (j->opts, BC_EXIT_ERROR, "the scenario did not load");
          continue;
        }
      if (sc->expect_config_error)
        {
          if (bootserv == NULL && sc->server_kind == BC_SERVER_BOOTSERV)
            j->code = bc_run_write_early_result (j->opts, BC_EXIT_ERROR,
                                                 "bootserv not found (set BOOTCHECK_BOOTSERV)");
          else
            j->code = bc_run_config_check (j->opts);
          j->done = TRUE;
          continue;
        }
      if (lacks != NULL)
        {
          j->code = bc_run_write_early_result (j->opts, BC_EXIT_SKIP, lacks);
          j->done = TRUE;
          continue;
        }
      if (bootserv == NULL)
        {
          j->code = bc_run_write_early_result (
              j->opts, BC_EXIT_ERROR,
              "bootserv not found next to bootcheck, in the build tree or in PATH "
              "(set BOOTCHECK_BOOTSERV)");
          j->done = TRUE;
          continue;
        }
      if (!bc_run_prepare (j->opts, source_root, build_root, &error))
        {
          j->code = bc_run_write_early_result (j->opts, BC_EXIT_ERROR, error->message);
          g_printerr ("bootcheck: %s: %s\n", sc->name, error->message);
          g_clear_error (&error);
          j->done = TRUE;
          continue;
        }
      if (j->opts->skip_reason != NULL)
        {
          j->code = bc_run_write_early_result (j->opts, BC_EXIT_SKIP, j->opts->skip_reason);
          j->done = TRUE;
        }
    }

  memset (&sa, 0, sizeof sa);
  sa.sa_handler = forward_signal;
  sigemptyset (&sa.sa_mask);
  sigaction (SIGINT, &sa, NULL);
  sigaction (SIGTERM, &sa, NULL);
  sigaction (SIGHUP, &sa, NULL);

  if (n > 1)
    printf ("TAP version 14\n1..%u\n", n);
  fflush (stdout);

  /* Start up to --jobs runs, report each as it ends (in order of the command line). */
  for (;;)
    {
      while (running < (guint)opt_jobs && next < n)
        {
          Job *j = jobs->pdata[next++];

          if (j->done)
            continue;
          /* A run's set-up is timed from when its own work began: bootcheck's start
           * for the first, its spawn for one that waited for a free job slot. */
          if (spawned_any)
            j->opts->main_start_us = g_get_monotonic_time ();
          spawned_any = TRUE;
          j->pid = bc_isolate_spawn (run_in_namespace, j->opts, &error);
          if (j->pid < 0)
            {
              j->code = bc_run_write_early_result (
                  j->opts,
                  g_error_matches (error, BC_ISOLATE_ERROR, BC_ISOLATE_ERROR_UNSUPPORTED)
                      ? BC_EXIT_SKIP
                      : BC_EXIT_ERROR,
                  error->message);
              g_printerr ("bootcheck: %s: %s\n", j->opts->sc->name, error->message);
              g_clear_error (&error);
              j->done = TRUE;
              j->pid = 0;
              continue;
            }
          running++;
        }
      while (index < n && ((Job *)jobs->pdata[index])->done)
        {
          Job *j = jobs->pdata[index];

          index++;
          print_tap (j, index, n);
        }
      if (running == 0 && next >= n)
        break;
      {
        int status = 0;
        pid_t pid = waitpid (-1, &status, 0);

        if (pid < 0 && errno == EINTR)
          continue;
        if (pid < 0)
          break;
        for (guint i = 0; i < jobs->len; i++)
          {
            Job *j = jobs->pdata[i];

            if (j->pid == pid && !j->done)
              {
                j->exit_us = g_get_monotonic_time ();
                j->code = WIFEXITED (status) ? WEXITSTATUS (status) : BC_EXIT_ERROR;
                j->done = TRUE;
                running--;
              }
          }
      }
    }

  /* Any harness error wins, then any failure; all skipped is a skip. */
  for (guint i = 0; i < jobs->len; i++)
    {
      Job *j = jobs->pdata[i];

      if (j->code == BC_EXIT_ERROR
          || (j->code != BC_EXIT_PASS && j->code != BC_EXIT_FAIL && j->code != BC_EXIT_SKIP))
        overall = BC_EXIT_ERROR;
      else if (overall != BC_EXIT_ERROR && j->code == BC_EXIT_FAIL)
        overall = BC_EXIT_FAIL;
      else if (overall == -1 && j->code == BC_EXIT_SKIP)
        overall = BC_EXIT_SKIP;
      else if ((overall == -1 || overall == BC_EXIT_SKIP) && j->code == BC_EXIT_PASS)
        overall = BC_EXIT_PASS;
    }
  if (overall == BC_EXIT_SKIP)
    {
      for (guint i = 0; i < jobs->len; i++)
        if (((Job *)jobs->pdata[i])->code != BC_EXIT_SKIP)
          overall = BC_EXIT_PASS;
    }
  return overall < 0 ? BC_EXIT_ERROR : overall;
}
