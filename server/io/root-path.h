/* Request paths (TFTP file names, HTTP URL paths) resolved under a served root.
 *
 * Two layers: a pure normalisation (bc_root_path_normalize: fuzzable, no fds) that
 * maps a leading '/' into the root (iPXE and EDK2 send "/boot/x" as often as
 * "boot/x") and refuses what can never name a file under the root; then the kernel
 * does the real confinement (bc_root_path_open): openat2 RESOLVE_BENEATH from the
 * root's fd, so ".." and symlinks that leave the root fail in the kernel, not in a
 * string check, while symlinks that stay inside work. Where openat2 is missing
 * (Linux < 5.6, seccomp), a component-by-component openat walk with O_NOFOLLOW
 * refuses every symlink instead. Only regular files are served: no directories,
 * devices, FIFOs or sockets. */
#pragma once

#include <gio/gio.h>
#include <sys/stat.h>

G_BEGIN_DECLS

/* Pure. @request is what the client sent. On success *ret_relative is a newly
 * allocated path relative to the root: components separated by single '/', no
 * leading '/', no "." components, never empty. Refused (G_IO_ERROR_PERMISSION_DENIED):
 * a ".." component, a control character (0x01-0x1f, 0x7f), longer than PATH_MAX;
 * G_IO_ERROR_NOT_FOUND: nothing left after normalisation ("", "/", "./"), or a
 * trailing '/' (a directory, never served). */
gboolean bc_root_path_normalize (const char *request, char **ret_relative, GError **error);

/* Opens @request (normalised as above) under the directory @root_fd for reading.
 * Returns a new fd (O_RDONLY|O_CLOEXEC|O_NONBLOCK, which regular files ignore) of a regular file and its stat in @ret_st,
 * or -1 with G_IO_ERROR: NOT_FOUND (missing), PERMISSION_DENIED (escape, symlink
 * escape, not readable, a device/FIFO/socket), IS_DIRECTORY (a directory). The
 * message names the request, not the host path. */
int bc_root_path_open (int root_fd, const char *request, struct stat *ret_st, GError **error);

/* bc_root_path_open with the lookup chosen, so tests can run the fallback where
 * openat2 exists. AUTO: openat2, the walk when openat2 is unavailable. */
typedef enum
{
  BC_ROOT_PATH_AUTO,
  BC_ROOT_PATH_WALK, /* component by component, O_NOFOLLOW: every symlink refused */
} BcRootPathMethod;
int bc_root_path_open_with (int root_fd, const char *request, BcRootPathMethod method,
                            struct stat *ret_st, GError **error);

/* Opens @root as a directory fd (O_PATH|O_DIRECTORY|O_CLOEXEC) to serve from. */
int bc_root_path_open_root (const char *root, GError **error);

G_END_DECLS
