/* Namespaces for one run: see isolate.h. */
#include "harness/shell/isolate.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <poll.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

G_DEFINE_QUARK (bc - isolate - error - quark, bc_isolate_error)

#define STACK_SIZE (256 * 1024)

typedef struct
{
  BcIsolateFunc fn;
  gpointer user_data;
  int go_pipe[2]; /* the parent writes one byte once the user namespace is mapped */
} IsolateCtx;

static volatile sig_atomic_t orchestrator_pid;
static volatile sig_atomic_t keep_signalled;

static void
forward_signal (int sig)
{
  if (orchestrator_pid > 0)
    kill (orchestrator_pid, sig);
}

static void
note_signal (int sig)
{
  keep_signalled = 1;
}

/* --keep: PID 2 is gone, the rest of the namespace stays until we are signalled. Keeps
 * reaping (qemu, the server, `virsh` run through nsenter are our children now). */
static void
keep_until_signalled (int code)
{
  struct sigaction sa;

  memset (&sa, 0, sizeof sa);
  sa.sa_handler = note_signal;
  sigemptyset (&sa.sa_mask);
  sa.sa_flags = 0; /* no SA_RESTART: the signal must interrupt waitpid/pause */
  sigaction (SIGINT, &sa, NULL);
  sigaction (SIGTERM, &sa, NULL);
  sigaction (SIGHUP, &sa, NULL);
  while (!keep_signalled)
    {
      if (waitpid (-1, NULL, 0) < 0 && errno == ECHILD && !keep_signalled)
        pause ();
    }
  _exit (code);
}

/* PID 1 of the new PID namespace. Async-signal-safe calls only up to the fork: the
 * parent may have had threads (it should not, but a library could have started one). */
static int
isolate_init (void *arg)
{
  IsolateCtx *ctx = arg;
  char c;
  struct pollfd pfd;
  struct sigaction sa;
  pid_t orch;

  close (ctx->go_pipe[1]);
  if (read (ctx->go_pipe[0], &c, 1) != 1)
    _exit (99); /* the parent died or failed to map the user namespace */
  if (prctl (PR_SET_PDEATHSIG, SIGKILL) < 0)
    _exit (99);
  /* The parent may have died between its write and the prctl: then the pipe's write
   * end is closed (POLLHUP) and nobody would kill us. */
  pfd.fd = ctx->go_pipe[0];
  pfd.events = POLLIN;
  pfd.revents = 0;
  if (poll (&pfd, 1, 0) > 0 && (pfd.revents & POLLHUP))
    _exit (99);
  setpgid (0, 0);

  orch = fork ();
  if (orch < 0)
    _exit (99);
  if (orch == 0)
    {
      close (ctx->go_pipe[0]);
      prctl (PR_SET_PDEATHSIG, SIGKILL);
      if (getppid () != 1)
        _exit (99);
      _exit (ctx->fn (ctx->user_data));
    }
  orchestrator_pid = orch;

  memset (&sa, 0, sizeof sa);
  sa.sa_handler = forward_signal;
  sigemptyset (&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sigaction (SIGINT, &sa, NULL);
  sigaction (SIGTERM, &sa, NULL);
  sigaction (SIGHUP, &sa, NULL);

  for (;;)
    {
      int status = 0;
      pid_t pid = waitpid (-1, &status, 0);

      if (pid < 0 && errno == EINTR)
        continue;
      if (pid < 0)
        _exit (99);
      if (pid == orch)
        {
          /* Returning kills every process left in the namespace (qemu, servers). */
          if (WIFEXITED (status) && WEXITSTATUS (status) >= BC_ISOLATE_KEEP)
            keep_until_signalled (WEXITSTATUS (status) - BC_ISOLATE_KEEP);
          if (WIFEXITED (status))
            _exit (WEXITSTATUS (status));
          _exit (99);
        }
    }
}

/* The first subordinate range of @user (name or uid) in /etc/subuid or /etc/subgid. */
static gboolean
find_subid_range (const char *file, const char *user, guint uid, guint64 *ret_start,
                  guint64 *ret_count)
{
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  g_autofree char *uid_str = g_strdup_printf ("%u", uid);

  if (!g_file_get_contents (file, &text, NULL, NULL))
    return FALSE;
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto (GStrv) f = g_strsplit (lines[i], ":", 3);

      if (g_strv_length (f) != 3)
        continue;
      if (g_strcmp0 (f[0], user) != 0 && g_strcmp0 (f[0], uid_str) != 0)
        continue;
      *ret_start = g_ascii_strtoull (f[1], NULL, 10);
      *ret_count = g_ascii_strtoull (f[2], NULL, 10);
      if (*ret_count > 0)
        return TRUE;
    }
  return FALSE;
}

static const char *
user_name (void)
{
  struct passwd *pw = getpwuid (getuid ());

  return pw != NULL ? pw->pw_name : g_get_user_name ();
}

gboolean
bc_isolate_check_host (GError **error)
{
  guint64 start, count;
  g_autofree char *max_ns = NULL;
  g_autofree char *uidmap = NULL;
  g_autofree char *gidmap = NULL;

  if (geteuid () == 0)
    return TRUE;

  if (g_file_get_contents ("/proc/sys/user/max_user_namespaces", &max_ns, NULL, NULL)
      && g_ascii_strtoull (max_ns, NULL, 10) == 0)
    {
      g_set_error (error, BC_ISOLATE_ERROR, BC_ISOLATE_ERROR_UNSUPPORTED,
                   "user namespaces are disabled (user.max_user_namespaces = 0): "
                   "run `sysctl -w user.max_user_namespaces=15000` as root, or run bootcheck "
                   "as root");
      return FALSE;
    }
  uidmap = g_find_program_in_path ("newuidmap");
  gidmap = g_find_program_in_path ("newgidmap");
  if (uidmap == NULL || gidmap == NULL)
    {
      g_set_error (error, BC_ISOLATE_ERROR, BC_ISOLATE_ERROR_UNSUPPORTED,
                   "newuidmap/newgidmap not found: install the 'uidmap' package (Debian) or "
                   "'shadow-utils' (Fedora), or run bootcheck as root");
      return FALSE;
    }
  if (!find_subid_range ("/etc/subuid", user_name (), getuid (), &start, &count)
      || !find_subid_range ("/etc/subgid", user_name (), getuid (), &start, &count))
    {
      g_set_error (error, BC_ISOLATE_ERROR, BC_ISOLATE_ERROR_UNSUPPORTED,
                   "user '%s' has no subordinate uid/gid range (libvirt needs one inside "
                   "the user namespace): as root run `usermod --add-subuids 100000-165535 "
                   "--add-subgids 100000-165535 %s` (Fedora gives every user one), or run "
                   "bootcheck as root",
                   user_name (), user_name ());
      return FALSE;
    }
  return TRUE;
}

/* Maps root in the child's user namespace to us and the rest onto our subordinate
 * range, as `unshare --map-auto --map-root-user` does. */
static gboolean
map_user_namespace (pid_t pid, GError **error)
{
  guint64 ustart = 0, ucount = 0, gstart = 0, gcount = 0;
  g_autofree char *pid_s = g_strdup_printf ("%d", (int)pid);
  g_autofree char *uid_s = g_strdup_printf ("%u", (guint)getuid ());
  g_autofree char *gid_s = g_strdup_printf ("%u", (guint)getgid ());
  g_autofree char *us = NULL, *uc = NULL, *gs = NULL, *gc = NULL;
  int status = 0;

  if (!find_subid_range ("/etc/subuid", user_name (), getuid (), &ustart, &ucount)
      || !find_subid_range ("/etc/subgid", user_name (), getuid (), &gstart, &gcount))
    {
      g_set_error (error, BC_ISOLATE_ERROR, BC_ISOLATE_ERROR_UNSUPPORTED,
                   "no subordinate uid/gid range for '%s'", user_name ());
      return FALSE;
    }
  us = g_strdup_printf ("%" G_GUINT64_FORMAT, ustart);
  uc = g_strdup_printf ("%" G_GUINT64_FORMAT, ucount);
  gs = g_strdup_printf ("%" G_GUINT64_FORMAT, gstart);
  gc = g_strdup_printf ("%" G_GUINT64_FORMAT, gcount);
  {
    const char *uargv[] = { "newuidmap", pid_s, "0", uid_s, "1", "1", us, uc, NULL };
    const char *gargv[] = { "newgidmap", pid_s, "0", gid_s, "1", "1", gs, gc, NULL };
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;

    if (!g_spawn_sync (NULL, (char **)uargv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
                       &status, error))
      return FALSE;
    if (!g_spawn_check_wait_status (status, NULL))
      {
        g_set_error (error, BC_ISOLATE_ERROR, BC_ISOLATE_ERROR_UNSUPPORTED,
                     "newuidmap %s 0 %s 1 1 %s %s failed: %s", pid_s, uid_s, us, uc,
                     g_strstrip (err));
        return FALSE;
      }
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
    if (!g_spawn_sync (NULL, (char **)gargv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
                       &status, error))
      return FALSE;
    if (!g_spawn_check_wait_status (status, NULL))
      {
        g_set_error (error, BC_ISOLATE_ERROR, BC_ISOLATE_ERROR_UNSUPPORTED,
                     "newgidmap %s 0 %s 1 1 %s %s failed: %s", pid_s, gid_s, gs, gc,
                     g_strstrip (err));
        return FALSE;
      }
  }
  return TRUE;
}

/* Threads of this process: clone() copies only the calling one. */
static guint
count_threads (void)
{
  g_autoptr (GDir) dir = g_dir_open ("/proc/self/task", 0, NULL);
  guint n = 0;

  if (dir == NULL)
    return 1;
  while (g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

pid_t
bc_isolate_spawn (BcIsolateFunc fn, gpointer user_data, GError **error)
{
  IsolateCtx ctx = { .fn = fn, .user_data = user_data };
  int flags = CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWNS | SIGCHLD;
  g_autofree guint8 *stack = NULL;
  guint threads = count_threads ();
  pid_t pid;

  /* A child cloned from a threaded process inherits GLib state that names threads it
   * does not have (GLib's worker thread serves GSubprocess and unix signal sources):
   * its first wait on them would hang for ever. Refuse loudly instead. */
  if (threads > 1)
    {
      g_set_error (error, BC_ISOLATE_ERROR, BC_ISOLATE_ERROR_FAILED,
                   "internal error: bootcheck has %u threads before starting a run; "
                   "the run's namespace would inherit a broken GLib",
                   threads);
      return -1;
    }

  if (geteuid () != 0)
    flags |= CLONE_NEWUSER;
  if (pipe2 (ctx.go_pipe, O_CLOEXEC) < 0)
    {
      g_set_error (error, BC_ISOLATE_ERROR, BC_ISOLATE_ERROR_FAILED, "pipe: %s",
                   g_strerror (errno));
      return -1;
    }
  stack = g_malloc (STACK_SIZE);
  pid = clone (isolate_init, stack + STACK_SIZE, flags, &ctx);
  close (ctx.go_pipe[0]);
  if (pid < 0)
    {
      int e = errno;

      close (ctx.go_pipe[1]);
      g_set_error (error, BC_ISOLATE_ERROR,
                   e == EPERM || e == EINVAL || e == ENOSPC ? BC_ISOLATE_ERROR_UNSUPPORTED
                                                            : BC_ISOLATE_ERROR_FAILED,
                   "cannot create PID/network/mount%s namespaces: %s",
                   (flags & CLONE_NEWUSER) ? "/user" : "", g_strerror (e));
      return -1;
    }
  if ((flags & CLONE_NEWUSER) && !map_user_namespace (pid, error))
    {
      close (ctx.go_pipe[1]);
      kill (pid, SIGKILL);
      waitpid (pid, NULL, 0);
      return -1;
    }
  /* The child keeps its copy of the stack; ours can go. The write end stays open for
   * the child's life (its POLLHUP check); it is close-on-exec. */
  if (write (ctx.go_pipe[1], "g", 1) != 1)
    {
      g_set_error (error, BC_ISOLATE_ERROR, BC_ISOLATE_ERROR_FAILED, "write: %s",
                   g_strerror (errno));
      close (ctx.go_pipe[1]);
      kill (pid, SIGKILL);
      waitpid (pid, NULL, 0);
      return -1;
    }
  /* Deliberately leaked: closing it would not hurt the child, but keeping it means a
   * child that checks POLLHUP late still sees us alive. One fd per scenario. */
  return pid;
}

static gboolean
write_file (const char *path, const char *text, GError **error)
{
  int fd = open (path, O_WRONLY | O_CLOEXEC);

  if (fd < 0 || write (fd, text, strlen (text)) < 0)
    {
      int e = errno;

      if (fd >= 0)
        close (fd);
      g_set_error (error, BC_ISOLATE_ERROR, BC_ISOLATE_ERROR_FAILED, "%s: %s", path,
                   g_strerror (e));
      return FALSE;
    }
  close (fd);
  return TRUE;
}

static gboolean
do_mount (const char *src, const char *target, const char *type, unsigned long flags,
          const char *data, GError **error)
{
  if (mount (src, target, type, flags, data) < 0)
    {
      g_set_error (error, BC_ISOLATE_ERROR, BC_ISOLATE_ERROR_FAILED, "mount %s on %s: %s",
                   type ? type : src, target, g_strerror (errno));
      return FALSE;
    }
  return TRUE;
}

gboolean
bc_isolate_setup_inside (const char *bridge, const char *cidr, GError **error)
{
  g_autofree char *batch = NULL;
  g_autofree char *err = NULL;
  int status = 0;
  const char *argv[] = { "ip", "-batch", "-", NULL };
  g_autoptr (GSubprocess) proc = NULL;

  /* Nothing mounted here may propagate back to the host. */
  if (!do_mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL, error))
    return FALSE;
  /* libvirt reads /proc/PID of the qemu it started: PIDs of this namespace. */
  if (!do_mount ("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, error))
    return FALSE;
  /* /sys/class/net shows the network namespace of whoever mounts sysfs. */
  if (umount2 ("/sys", MNT_DETACH) < 0 && errno != EINVAL)
    g_debug ("umount /sys: %s", g_strerror (errno));
  if (!do_mount ("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, error))
    return FALSE;
  /* Private runtime state (libvirt's embed root, per-run roots): gone with the run. */
  if (!do_mount ("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755", error))
    return FALSE;
  /* /var/lock is /run/lock: `virsh console` (a --keep run) locks the pty there. */
  if (mkdir ("/run/lock", 01777) == 0)
    chmod ("/run/lock", 01777);

  /* The VM's tap joins the bridge at start: no duplicate address detection to wait
   * for before the bridge's link-local address can send router advertisements. */
  if (!write_file ("/proc/sys/net/ipv6/conf/default/accept_dad", "0", error))
    return FALSE;
  batch = g_strdup_printf ("link set lo up\n"
                           "link add %s address 02:42:c0:a8:2a:01 type bridge forward_delay 0 "
                           "stp_state 0\n"
                           "addr add %s dev %s\n"
                           "link set %s up\n",
                           bridge, cidr, bridge, bridge);
  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE
                               | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                           error, argv[0], argv[1], argv[2], NULL);
  if (proc == NULL)
    return FALSE;
  if (!g_subprocess_communicate_utf8 (proc, batch, NULL, NULL, &err, error))
    return FALSE;
  status = g_subprocess_get_status (proc);
  if (!g_spawn_check_wait_status (status, NULL))
    {
      g_set_error (error, BC_ISOLATE_ERROR, BC_ISOLATE_ERROR_FAILED,
                   "setting up %s (%s) with ip -batch failed: %s", bridge, cidr,
                   err ? g_strstrip (err) : "");
      return FALSE;
    }
  return TRUE;
}

gboolean
bc_isolate_add_nss_entry (gboolean group, const char *name, GError **error)
{
  const char *file = group ? "/etc/group" : "/etc/passwd";
  g_autofree char *text = NULL;
  g_autofree char *copy = g_strdup_printf ("/run/bootcheck-%s", group ? "group" : "passwd");
  g_autoptr (GString) s = NULL;

  /* After a first bind mount this reads our copy: entries accumulate. */
  if (!g_file_get_contents (file, &text, NULL, error))
    return FALSE;
  s = g_string_new (text);
  if (s->len > 0 && s->str[s->len - 1] != '\n')
    g_string_append_c (s, '\n');
  if (group)
    g_string_append_printf (s, "%s:x:0:\n", name);
  else
    g_string_append_printf (s, "%s:x:0:0:bootcheck:/nonexistent:/usr/sbin/nologin\n", name);
  {
    /* Rewritten in place, not renamed: once bound over /etc, the copy's inode is what
     * the system sees, and a bind onto an unlinked file fails. */
    static gboolean bound[2];
    int fd = open (copy, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

    if (fd < 0 || write (fd, s->str, s->len) != (ssize_t)s->len)
      {
        int e = errno;

        if (fd >= 0)
          close (fd);
        g_set_error (error, BC_ISOLATE_ERROR, BC_ISOLATE_ERROR_FAILED, "%s: %s", copy,
                     g_strerror (e));
        return FALSE;
      }
    close (fd);
    if (bound[group])
      return TRUE;
    bound[group] = TRUE;
    return do_mount (copy, file, NULL, MS_BIND, NULL, error);
  }
}
