/* See root-path.h: normalise (pure), then let the kernel confine the lookup. */
#include "server/io/root-path.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

gboolean
bc_root_path_normalize (const char *request, char **ret_relative, GError **error)
{
  g_autoptr (GString) out = NULL;
  const char *p = request;
  gsize len = strlen (request);

  if (len >= PATH_MAX)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                   "path too long (%" G_GSIZE_FORMAT " bytes)", len);
      return FALSE;
    }
  for (gsize i = 0; i < len; i++)
    {
      guchar c = (guchar)request[i];
      if (c < 0x20 || c == 0x7f)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                       "control character 0x%02x in path", c);
          return FALSE;
        }
    }
  if (len > 0 && request[len - 1] == '/')
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "a directory is not served");
      return FALSE;
    }

  out = g_string_sized_new (len);
  while (*p != '\0')
    {
      const char *slash = strchr (p, '/');
      gsize clen = slash != NULL ? (gsize)(slash - p) : strlen (p);

      /* Empty components ("//", a leading '/') and "." mean nothing: a leading '/' is
       * thereby mapped into the root. */
      if (clen == 0 || (clen == 1 && p[0] == '.'))
        ;
      else if (clen == 2 && p[0] == '.' && p[1] == '.')
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                               "'..' in path: outside the root");
          return FALSE;
        }
      else
        {
          if (out->len > 0)
            g_string_append_c (out, '/');
          g_string_append_len (out, p, (gssize)clen);
        }
      p += clen;
      if (*p == '/')
        p++;
    }
  if (out->len == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "empty path");
      return FALSE;
    }
  *ret_relative = g_string_free (g_steal_pointer (&out), FALSE);
  return TRUE;
}

int
bc_root_path_open_root (const char *root, GError **error)
{
  int fd = open (root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "root %s: %s", root,
                   g_strerror (saved));
    }
  return fd;
}

/* openat2 (Linux 5.6): the kernel refuses any step out of root_fd (EXDEV), with
 * ".." or through a symlink, absolute or relative; symlinks inside are followed. */
static int
open_beneath (int root_fd, const char *relative)
{
  struct open_how how = {
    .flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK,
    .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
  };
  return (int)syscall (SYS_openat2, root_fd, relative, &how, sizeof how);
}

/* Without openat2: walk one component at a time, never following a symlink. */
static int
open_walk (int root_fd, const char *relative)
{
  g_auto (GStrv) parts = g_strsplit (relative, "/", -1);
  int dir = dup (root_fd);
  guint n = g_strv_length (parts);

  if (dir < 0)
    return -1;
  for (guint i = 0; i < n; i++)
    {
      gboolean last = i + 1 == n;
      int next = openat (dir, parts[i],
                         (last ? O_RDONLY | O_NOCTTY | O_NONBLOCK : O_PATH | O_DIRECTORY)
                             | O_NOFOLLOW | O_CLOEXEC);
      int saved = errno;
      struct stat st;

      /* O_DIRECTORY on a symlink says ENOTDIR: report it as the symlink it is. */
      if (next < 0 && saved == ENOTDIR && fstatat (dir, parts[i], &st, AT_SYMLINK_NOFOLLOW) == 0
          && S_ISLNK (st.st_mode))
        saved = ELOOP;
      close (dir);
      if (next < 0)
        {
          errno = saved;
          return -1;
        }
      dir = next;
    }
  return dir;
}

int
bc_root_path_open (int root_fd, const char *request, struct stat *ret_st, GError **error)
{
  return bc_root_path_open_with (root_fd, request, BC_ROOT_PATH_AUTO, ret_st, error);
}

int
bc_root_path_open_with (int root_fd, const char *request, BcRootPathMethod method,
                        struct stat *ret_st, GError **error)
{
  g_autofree char *relative = NULL;
  struct stat st;
  int fd;

  if (!bc_root_path_normalize (request, &relative, error))
    return -1;

  if (method == BC_ROOT_PATH_WALK)
    fd = open_walk (root_fd, relative);
  else
    {
      fd = open_beneath (root_fd, relative);
      if (fd < 0 && (errno == ENOSYS || errno == EPERM))
        fd = open_walk (root_fd, relative);
    }
  if (fd < 0)
    {
      int saved = errno;
      switch (saved)
        {
          case ENOENT:
          case ENOTDIR:
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "%s: not found", relative);
            break;
          case EXDEV:
          case ELOOP:
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                         "%s: resolves outside the root", relative);
            break;
          case EISDIR:
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY, "%s: is a directory",
                         relative);
            break;
          case EACCES:
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED, "%s: not readable",
                         relative);
            break;
          default:
            g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s: %s", relative,
                         g_strerror (saved));
            break;
        }
      return -1;
    }
  if (fstat (fd, &st) < 0)
    {
      int saved = errno;
      close (fd);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s: %s", relative,
                   g_strerror (saved));
      return -1;
    }
  if (S_ISDIR (st.st_mode))
    {
      close (fd);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY, "%s: is a directory", relative);
      return -1;
    }
  if (!S_ISREG (st.st_mode))
    {
      close (fd);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED, "%s: not a regular file",
                   relative);
      return -1;
    }
  /* O_NONBLOCK was for the open (a FIFO must not hang the server); on the regular
   * file it stays, as it changes nothing for read/pread (two syscalls saved per
   * request). */
  *ret_st = st;
  return fd;
}
