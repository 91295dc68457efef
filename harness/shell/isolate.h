/* Isolation: every scenario runs inside fresh PID + network + mount namespaces (plus a
 * user namespace when bootcheck is not root). The namespace's PID 1 is a tiny init that
 * reaps orphans (libvirt daemonizes qemu, so qemu is re-parented to it) and forwards
 * SIGINT/SIGTERM to the orchestrator it forks as PID 2. Both die with bootcheck
 * (PR_SET_PDEATHSIG), and when PID 1 dies the kernel kills everything in the PID
 * namespace: qemu, bootserv, the tap goes with the network namespace. Nothing of a
 * run survives bootcheck, not even a kill -9 of it. */
#pragma once

#include <glib.h>
#include <sys/types.h>

G_BEGIN_DECLS

#define BC_ISOLATE_ERROR (bc_isolate_error_quark ())
GQuark bc_isolate_error_quark (void);

typedef enum
{
  BC_ISOLATE_ERROR_UNSUPPORTED, /* the host lacks what isolation needs: skip (77) */
  BC_ISOLATE_ERROR_FAILED,      /* a system call failed: harness error (99) */
} BcIsolateError;

/* Runs inside the namespaces as PID 2; the return value is the exit code (0..99).
 * BC_ISOLATE_KEEP + code asks the init to keep the namespace (and whatever still runs
 * in it: qemu, the server) up after PID 2 has exited, until the init is sent SIGINT,
 * SIGTERM or SIGHUP; it then exits with code. (--keep: PID 2 must exit to release the
 * embedded libvirt driver's lock, so that `virsh` can attach from outside.) */
typedef int (*BcIsolateFunc) (gpointer user_data);
#define BC_ISOLATE_KEEP 100

/* Checks that this host can create the namespaces as this user: root, or an
 * unprivileged user with user namespaces enabled, newuidmap/newgidmap and a subuid and
 * subgid range. FALSE with BC_ISOLATE_ERROR_UNSUPPORTED saying what is missing and
 * how to fix it. */
gboolean bc_isolate_check_host (GError **error);

/* Forks @fn into new namespaces. Call while the process has a single thread.
 * Returns the host PID of the namespace's init (wait for it with waitpid; its exit
 * status is @fn's return value, or 99 when the init failed), or -1 with
 * BC_ISOLATE_ERROR. The init is in its own process group: a terminal's Ctrl-C reaches
 * bootcheck only, which forwards it with kill(). */
pid_t bc_isolate_spawn (BcIsolateFunc fn, gpointer user_data, GError **error);

/* Inside (PID 2): private mounts (/ recursively private, a fresh /proc and /sys for
 * the new PID and network namespaces, a tmpfs on /run), lo up, and the bridge @bridge
 * with @cidr ("192.168.42.1/24"), its MAC fixed, DAD off, no route anywhere else. */
gboolean bc_isolate_setup_inside (const char *bridge, const char *cidr, GError **error);

/* Inside: makes NSS answer for the user or group @name (libvirt's compiled-in qemu
 * user, e.g. Debian's "libvirt-qemu", is parsed before qemu.conf is read, and may not
 * exist on a host where the package did not create it) by bind-mounting a copy of
 * /etc/passwd or /etc/group with that entry added, in this mount namespace only. */
gboolean bc_isolate_add_nss_entry (gboolean group, const char *name, GError **error);

G_END_DECLS
