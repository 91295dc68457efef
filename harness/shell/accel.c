/* Accelerator choice and the KVM probe: see accel.h. */
#include "harness/shell/accel.h"

#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

/* Long enough for SeaBIOS + iPXE's init under a working KVM (under TCG here it takes
 * 0.3 s from start to "iPXE initialising devices"; KVM is faster),
 * short enough to pay once per host. */
#define PROBE_TIMEOUT_US (5 * G_USEC_PER_SEC / 2)

char *
bc_accel_find_qemu (void)
{
  char *p = g_find_program_in_path ("qemu-system-x86_64");

  if (p == NULL && g_file_test ("/usr/libexec/qemu-kvm", G_FILE_TEST_IS_EXECUTABLE))
    p = g_strdup ("/usr/libexec/qemu-kvm");
  return p;
}

static char *
probe_key (const char *qemu)
{
  struct utsname u;
  struct stat st = { 0 };

  uname (&u);
  stat (qemu, &st);
  return g_strdup_printf ("%s %s %lld", u.release, qemu, (long long)st.st_mtime);
}

/* TRUE when iPXE got past "starting execution" under KVM. */
static gboolean
probe_kvm (const char *qemu, char **ret_reason)
{
  g_autofree char *dir = g_dir_make_tmp ("bootcheck-kvm-probe-XXXXXX", NULL);
  g_autofree char *serial = NULL;
  g_autofree char *chardev = NULL;
  g_autoptr (GSubprocess) proc = NULL;
  g_autoptr (GError) error = NULL;
  gint64 deadline = g_get_monotonic_time () + PROBE_TIMEOUT_US;
  gboolean ok = FALSE;
  g_autofree char *text = NULL;

  if (dir == NULL)
    {
      *ret_reason = g_strdup ("tcg: cannot create a directory for the kvm probe");
      return FALSE;
    }
  serial = g_build_filename (dir, "serial", NULL);
  chardev = g_strdup_printf ("file,id=s0,path=%s", serial);
  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                           &error, qemu, "-machine", "pc,graphics=off", "-accel", "kvm", "-m",
                           "128", "-display", "none", "-nodefaults", "-no-user-config", "-chardev",
                           chardev, "-device", "isa-serial,chardev=s0", "-netdev",
                           "hubport,id=n0,hubid=0", "-device", "virtio-net-pci,netdev=n0", NULL);
  if (proc == NULL)
    {
      *ret_reason = g_strdup_printf ("tcg: the kvm probe did not start: %s", error->message);
      goto out;
    }
  while (g_get_monotonic_time () < deadline)
    {
      g_clear_pointer (&text, g_free);
      if (g_file_get_contents (serial, &text, NULL, NULL)
          && (strstr (text, "iPXE initialising devices") != NULL
              || strstr (text, "Open Source Network Boot Firmware") != NULL))
        {
          ok = TRUE;
          break;
        }
      /* qemu gone: "KVM internal error" and friends */
      if (g_subprocess_get_identifier (proc) == NULL)
        break;
      g_usleep (20 * 1000);
    }
  g_subprocess_force_exit (proc);
  g_subprocess_wait (proc, NULL, NULL);
  if (ok)
    *ret_reason = g_strdup ("kvm: the probe boot reached iPXE under KVM");
  else if (text != NULL && strstr (text, "starting execution") != NULL)
    *ret_reason = g_strdup ("tcg: iPXE hangs under this host's KVM at \"starting execution\"");
  else if (text != NULL && strstr (text, "iPXE") != NULL)
    *ret_reason = g_strdup ("tcg: the built-in iPXE ROM starts but hangs under this host's KVM");
  else
    *ret_reason = g_strdup ("tcg: the kvm probe boot did not reach iPXE");
out:
  if (serial != NULL)
    g_unlink (serial);
  g_rmdir (dir);
  return ok;
}

const char *
bc_accel_choose (BcAccel requested, const char *cache_dir, char **ret_reason)
{
  g_autofree char *reason = NULL;
  g_autofree char *qemu = NULL;
  g_autofree char *key = NULL;
  g_autofree char *cache_file = NULL;
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  gboolean works;
  int fd;

  if (requested == BC_ACCEL_TCG)
    {
      if (ret_reason)
        *ret_reason = g_strdup ("tcg: requested");
      return "tcg";
    }
  if (requested == BC_ACCEL_KVM)
    {
      if (ret_reason)
        *ret_reason = g_strdup ("kvm: requested");
      return "kvm";
    }
  fd = open ("/dev/kvm", O_RDWR | O_CLOEXEC);
  if (fd < 0)
    {
      if (ret_reason)
        *ret_reason = g_strdup ("tcg: /dev/kvm is absent or not accessible");
      return "tcg";
    }
  close (fd);
  qemu = bc_accel_find_qemu ();
  if (qemu == NULL)
    {
      if (ret_reason)
        *ret_reason = g_strdup ("tcg: no qemu-system-x86_64 to probe kvm with");
      return "tcg";
    }
  key = probe_key (qemu);
  if (cache_dir != NULL)
    {
      cache_file = g_build_filename (cache_dir, "accel-probe.ini", NULL);
      if (g_key_file_load_from_file (kf, cache_file, G_KEY_FILE_NONE, NULL))
        {
          g_autofree char *k = g_key_file_get_string (kf, "probe", "key", NULL);
          g_autofree char *r = g_key_file_get_string (kf, "probe", "reason", NULL);

          if (g_strcmp0 (k, key) == 0 && r != NULL)
            {
              works = g_key_file_get_boolean (kf, "probe", "kvm-works", NULL);
              if (ret_reason)
                *ret_reason = g_strdup_printf ("%s (cached probe)", r);
              return works ? "kvm" : "tcg";
            }
        }
    }
  works = probe_kvm (qemu, &reason);
  if (cache_file != NULL)
    {
      g_key_file_set_string (kf, "probe", "key", key);
      g_key_file_set_boolean (kf, "probe", "kvm-works", works);
      g_key_file_set_string (kf, "probe", "reason", reason);
      g_mkdir_with_parents (cache_dir, 0755);
      g_key_file_save_to_file (kf, cache_file, NULL);
    }
  if (ret_reason)
    *ret_reason = g_steal_pointer (&reason);
  return works ? "kvm" : "tcg";
}
