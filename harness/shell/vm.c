/* The libvirt domain: see vm.h. */
#include "harness/shell/vm.h"

#include <errno.h>
#include <gio/gio.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <grp.h>
#include <signal.h>
#include <pwd.h>
#include <string.h>
#include <sys/stat.h>

#include "harness/shell/isolate.h"

G_DEFINE_QUARK (bc - vm - error - quark, bc_vm_error)

struct _BcVm
{
  char *uri;
  char *root;
  char *caps_cache_dir;
  virConnectPtr conn;
  virDomainPtr dom;
  int cb_lifecycle, cb_reboot;
  gint64 last_reboot_us;
  BcVmEventFunc func;
  gpointer user_data;
};

const char *
bc_vm_nic_model (BcNic nic, gboolean non_transitional)
{
  switch (nic)
    {
      case BC_NIC_VIRTIO:
        return non_transitional ? "virtio-non-transitional" : "virtio";
      case BC_NIC_E1000:
        return "e1000";
      case BC_NIC_E1000E:
        return "e1000e";
      case BC_NIC_RTL8139:
        return "rtl8139";
    }
  return "virtio";
}

char *
bc_vm_domain_xml (const BcVmConfig *cfg)
{
  GString *s = g_string_new (NULL);
  g_autofree char *name = g_markup_escape_text (cfg->name, -1);
  g_autofree char *serial = g_markup_escape_text (cfg->serial_path, -1);
  g_autofree char *bridge = g_markup_escape_text (cfg->bridge, -1);

  g_string_append_printf (s, "<domain type='%s'>\n", cfg->domain_type);
  g_string_append_printf (s, "  <name>%s</name>\n", name);
  g_string_append_printf (s, "  <memory unit='MiB'>%u</memory>\n", cfg->memory_mib);
  g_string_append (s, "  <vcpu>1</vcpu>\n");
  g_string_append (s, "  <os>\n");
  g_string_append (s, "    <type arch='x86_64' machine='pc'>hvm</type>\n");
  if (cfg->firmware == BC_FIRMWARE_UEFI)
    {
      g_autofree char *code = g_markup_escape_text (cfg->ovmf_code, -1);
      g_autofree char *vars = g_markup_escape_text (cfg->ovmf_vars, -1);

      g_string_append_printf (s, "    <loader readonly='yes' type='pflash'>%s</loader>\n", code);
      g_string_append_printf (s, "    <nvram>%s</nvram>\n", vars);
    }
  else
    {
      /* SeaBIOS prints to the serial port (-machine graphics=off). */
      g_string_append (s, "    <bios useserial='yes'/>\n");
    }
  g_string_append (s, "  </os>\n");
  g_string_append (s, "  <features><acpi/></features>\n");
  g_string_append (s, "  <on_poweroff>destroy</on_poweroff>\n");
  g_string_append_printf (s, "  <on_reboot>%s</on_reboot>\n",
                          cfg->on_reboot == BC_ON_REBOOT_DESTROY ? "destroy" : "restart");
  g_string_append (s, "  <on_crash>destroy</on_crash>\n");
  g_string_append (s, "  <devices>\n");
  g_string_append (s, "    <interface type='bridge'>\n");
  g_string_append_printf (s, "      <source bridge='%s'/>\n", bridge);
  g_string_append_printf (s, "      <mac address='%s'/>\n", cfg->mac);
  g_string_append_printf (s, "      <model type='%s'/>\n",
                          bc_vm_nic_model (cfg->nic, cfg->virtio_non_transitional));
  if (cfg->rom_disabled)
    g_string_append (s, "      <rom enabled='no'/>\n");
  else if (cfg->rom_file != NULL)
    {
      g_autofree char *rom = g_markup_escape_text (cfg->rom_file, -1);

      g_string_append_printf (s, "      <rom file='%s'/>\n", rom);
    }
  g_string_append (s, "      <boot order='1'/>\n");
  g_string_append (s, "    </interface>\n");
  /* A pty (so `virsh console` works on a --keep run) whose every byte qemu also logs
   * to the file bootcheck follows; with nobody on the pty, qemu drops its output there
   * and still logs it. */
  g_string_append (s, "    <serial type='pty'>\n");
  g_string_append_printf (s, "      <log file='%s' append='on'/>\n", serial);
  g_string_append (s, "      <target port='0'/>\n");
  g_string_append (s, "    </serial>\n");
  g_string_append (s, "    <video><model type='none'/></video>\n");
  g_string_append (s, "    <memballoon model='none'/>\n");
  g_string_append (s, "  </devices>\n");
  g_string_append (s, "</domain>\n");
  return g_string_free (s, FALSE);
}

guint16
bc_vm_rom_pci_device_id (const char *path)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  guint16 pcir;

  if (!g_file_get_contents (path, &data, &len, NULL) || len < 0x1a || (guint8)data[0] != 0x55
      || (guint8)data[1] != 0xaa)
    return 0;
  pcir = (guint8)data[0x18] | ((guint8)data[0x19] << 8);
  if ((gsize)pcir + 8 > len || memcmp (data + pcir, "PCIR", 4) != 0)
    return 0;
  return (guint8)data[pcir + 6] | ((guint8)data[pcir + 7] << 8);
}

static void
silent_error_func (void *user_data, virErrorPtr err)
{
  /* Errors are reported through virGetLastErrorMessage by the caller. */
}

static void
set_libvirt_error (GError **error, const char *what)
{
  g_set_error (error, BC_VM_ERROR, BC_VM_ERROR_FAILED, "%s: %s", what, virGetLastErrorMessage ());
}

static const char QEMU_CONF[]
    = "# Written by bootcheck for an embedded driver inside a private namespace.\n"
      "stdio_handler = \"file\"\n"
      "user = \"root\"\n"
      "group = \"root\"\n"
      "dynamic_ownership = 0\n"
      "remember_owner = 0\n"
      "namespaces = []\n"
      "security_driver = \"none\"\n"
      "cgroup_controllers = []\n";

static void
copy_dir_files (const char *from, const char *to, gboolean only_new)
{
  g_autoptr (GDir) dir = g_dir_open (from, 0, NULL);
  const char *name;

  if (dir == NULL)
    return;
  g_mkdir_with_parents (to, 0755);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *src = g_build_filename (from, name, NULL);
      g_autofree char *dst = g_build_filename (to, name, NULL);
      g_autofree char *data = NULL;
      gsize len = 0;

      if (!g_str_has_suffix (name, ".xml"))
        continue;
      if (only_new && g_file_test (dst, G_FILE_TEST_EXISTS))
        continue;
      /* g_file_set_contents renames a temporary file: parallel runs never see a
       * half-written cache file. */
      if (g_file_get_contents (src, &data, &len, NULL))
        g_file_set_contents (dst, data, len, NULL);
    }
}

static char *
caps_dir_in_root (const char *root)
{
  return g_build_filename (root, "cache", "qemu", "capabilities", NULL);
}

BcVm *
bc_vm_connect (const char *uri, const char *root, const char *caps_cache_dir, GError **error)
{
  g_autoptr (BcVm) vm = g_new0 (BcVm, 1);
  g_autofree char *etc = g_build_filename (root, "etc", NULL);
  g_autofree char *conf = g_build_filename (etc, "qemu.conf", NULL);
  g_autofree char *caps = caps_dir_in_root (root);

  vm->cb_lifecycle = vm->cb_reboot = -1;
  vm->root = g_strdup (root);
  vm->caps_cache_dir = g_strdup (caps_cache_dir);
  vm->uri = uri != NULL ? g_strdup (uri) : g_strdup_printf ("qemu:///embed?root=%s", root);

  if (g_mkdir_with_parents (etc, 0755) < 0)
    {
      g_set_error (error, BC_VM_ERROR, BC_VM_ERROR_FAILED, "%s: %s", etc, g_strerror (errno));
      return NULL;
    }
  if (!g_file_set_contents (conf, QEMU_CONF, -1, error))
    return NULL;
  if (caps_cache_dir != NULL)
    copy_dir_files (caps_cache_dir, caps, FALSE);

  virSetErrorFunc (NULL, silent_error_func);
  if (virInitialize () < 0 || virEventRegisterDefaultImpl () < 0)
    {
      set_libvirt_error (error, "libvirt initialisation");
      return NULL;
    }
  /* The embedded driver parses its compiled-in qemu user and group (Debian
   * "libvirt-qemu", Fedora "qemu") before it reads qemu.conf, and fails for good when
   * they do not exist (a package postinst that did not run). qemu.conf runs qemu as
   * root anyway: add the names, in this mount namespace only. */
  {
    const char *names[] = { "libvirt-qemu", "qemu" };

    for (guint i = 0; i < G_N_ELEMENTS (names); i++)
      {
        if (getpwnam (names[i]) == NULL && !bc_isolate_add_nss_entry (FALSE, names[i], error))
          return NULL;
        if (getgrnam (names[i]) == NULL && !bc_isolate_add_nss_entry (TRUE, names[i], error))
          return NULL;
      }
  }
  vm->conn = virConnectOpen (vm->uri);
  if (vm->conn == NULL)
    {
      const char *msg = virGetLastErrorMessage ();

      if (strstr (msg, "no connection driver available") != NULL
          || strstr (msg, "Failed to load module") != NULL)
        {
          g_set_error (error, BC_VM_ERROR, BC_VM_ERROR_UNSUPPORTED,
                       "libvirt's QEMU driver is not installed (%s): install "
                       "libvirt-daemon-driver-qemu",
                       msg);
          return NULL;
        }
      g_set_error (error, BC_VM_ERROR, BC_VM_ERROR_FAILED, "cannot connect to %s: %s", vm->uri,
                   msg);
      return NULL;
    }
  return g_steal_pointer (&vm);
}

const char *
bc_vm_get_uri (BcVm *vm)
{
  return vm->uri;
}

static int
lifecycle_cb (virConnectPtr conn, virDomainPtr dom, int event, int detail, void *opaque)
{
  BcVm *vm = opaque;

  if (vm->func == NULL)
    return 0;
  switch (event)
    {
      case VIR_DOMAIN_EVENT_STOPPED:
        switch (detail)
          {
            case VIR_DOMAIN_EVENT_STOPPED_CRASHED:
              vm->func ("crashed", "qemu crashed", vm->user_data);
              break;
            case VIR_DOMAIN_EVENT_STOPPED_FAILED:
              vm->func ("crashed", "libvirt failed", vm->user_data);
              break;
            case VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN:
              vm->func ("stopped", "guest shut down", vm->user_data);
              break;
            case VIR_DOMAIN_EVENT_STOPPED_DESTROYED:
              vm->func ("stopped", "destroyed", vm->user_data);
              break;
            default:
              vm->func ("stopped", NULL, vm->user_data);
              break;
          }
        break;
      case VIR_DOMAIN_EVENT_CRASHED:
        vm->func ("crashed", "guest panicked", vm->user_data);
        break;
      default:
        /* STARTED is reported by the caller at t = 0; the rest do not matter here. */
        break;
    }
  return 0;
}

static void
reboot_cb (virConnectPtr conn, virDomainPtr dom, void *opaque)
{
  BcVm *vm = opaque;
  gint64 now = g_get_monotonic_time ();

  /* One guest reset can come as two REBOOT events (the guest's request and QEMU's
   * reset) a few milliseconds apart: report it once. */
  if (now - vm->last_reboot_us < 200 * 1000)
    return;
  vm->last_reboot_us = now;
  if (vm->func != NULL)
    vm->func ("rebooted", NULL, vm->user_data);
}

gboolean
bc_vm_start (BcVm *vm, const char *xml, BcVmEventFunc func, gpointer user_data, GError **error)
{
  vm->func = func;
  vm->user_data = user_data;
  vm->cb_lifecycle
      = virConnectDomainEventRegisterAny (vm->conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                          VIR_DOMAIN_EVENT_CALLBACK (lifecycle_cb), vm, NULL);
  vm->cb_reboot = virConnectDomainEventRegisterAny (
      vm->conn, NULL, VIR_DOMAIN_EVENT_ID_REBOOT, VIR_DOMAIN_EVENT_CALLBACK (reboot_cb), vm, NULL);
  if (vm->cb_lifecycle < 0 || vm->cb_reboot < 0)
    {
      set_libvirt_error (error, "registering for domain events");
      return FALSE;
    }
  /* No VIR_DOMAIN_START_AUTODESTROY: the embedded driver refuses it; bc_vm_destroy
   * on every exit path, and the PID namespace for the paths where we cannot. */
  vm->dom = virDomainCreateXML (vm->conn, xml, 0);
  if (vm->dom == NULL)
    {
      set_libvirt_error (error, "starting the VM");
      return FALSE;
    }
  return TRUE;
}

void
bc_vm_save_caps_cache (BcVm *vm)
{
  g_autofree char *caps = caps_dir_in_root (vm->root);

  if (vm->caps_cache_dir != NULL)
    copy_dir_files (caps, vm->caps_cache_dir, TRUE);
}

/* virDomainDestroy sends SIGTERM and then sleeps 200 ms before it looks again
 * (virProcessKillPainfully): 200 ms of every run's tear-down. The guest's state does not
 * matter to us, so kill qemu outright (SIGKILL, found by libvirt's pidfile) and wait
 * until it is gone (milliseconds: our namespace's init reaps it). TRUE when it is. */
static gboolean
kill_qemu_first (BcVm *vm)
{
  const char *name = virDomainGetName (vm->dom);
  g_autofree char *pidfile = NULL;
  g_autofree char *text = NULL;
  gint64 pid, deadline;

  if (name == NULL)
    return FALSE;
  pidfile = g_strdup_printf ("%s/run/qemu/%s.pid", vm->root, name);
  if (!g_file_get_contents (pidfile, &text, NULL, NULL))
    return FALSE;
  pid = g_ascii_strtoll (text, NULL, 10);
  if (pid <= 1 || kill ((pid_t)pid, SIGKILL) < 0)
    return FALSE;
  deadline = g_get_monotonic_time () + 500 * 1000;
  while (kill ((pid_t)pid, 0) == 0)
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_usleep (1000);
    }
  return TRUE;
}

void
bc_vm_destroy (BcVm *vm)
{
  if (vm->dom == NULL)
    return;
  vm->func = NULL;
  /* qemu is gone once kill_qemu_first returns TRUE; libvirt's own clean-up after it
   * (virDomainDestroy, or its monitor-EOF handler) waits 200 ms more for nothing, and
   * its state lives in this run's tmpfs. */
  if (!kill_qemu_first (vm) && virDomainIsActive (vm->dom) == 1 && virDomainDestroy (vm->dom) < 0)
    g_debug ("destroying the VM: %s", virGetLastErrorMessage ());
  virDomainFree (vm->dom);
  vm->dom = NULL;
}

void
bc_vm_disconnect (BcVm *vm)
{
  vm->func = NULL;
  if (vm->dom != NULL)
    {
      virDomainFree (vm->dom);
      vm->dom = NULL;
    }
  if (vm->conn != NULL)
    {
      if (vm->cb_lifecycle >= 0)
        virConnectDomainEventDeregisterAny (vm->conn, vm->cb_lifecycle);
      if (vm->cb_reboot >= 0)
        virConnectDomainEventDeregisterAny (vm->conn, vm->cb_reboot);
      vm->cb_lifecycle = vm->cb_reboot = -1;
      virConnectClose (vm->conn);
      vm->conn = NULL;
    }
}

void
bc_vm_free (BcVm *vm)
{
  if (vm == NULL)
    return;
  bc_vm_destroy (vm);
  bc_vm_disconnect (vm);
  g_free (vm->uri);
  g_free (vm->root);
  g_free (vm->caps_cache_dir);
  g_free (vm);
}
