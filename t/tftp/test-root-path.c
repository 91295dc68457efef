/* Request paths under a root: the pure normalisation, and the kernel-confined open
 * against a real directory tree with symlinks that stay inside and that escape. */
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "server/io/root-path.h"

static const struct
{
  const char *request;
  const char *relative; /* NULL: refused */
  int code;
} normal[] = {
  { "undionly.kpxe", "undionly.kpxe", 0 },
  { "/undionly.kpxe", "undionly.kpxe", 0 }, /* firmware's leading '/' */
  { "//boot///x", "boot/x", 0 },
  { "./boot/./x", "boot/x", 0 },
  { "boot/x.", "boot/x.", 0 },
  { "a..b", "a..b", 0 },
  { "...", "...", 0 },
  { "..", NULL, G_IO_ERROR_PERMISSION_DENIED },
  { "../etc/passwd", NULL, G_IO_ERROR_PERMISSION_DENIED },
  { "/../etc/passwd", NULL, G_IO_ERROR_PERMISSION_DENIED },
  { "boot/../../x", NULL, G_IO_ERROR_PERMISSION_DENIED },
  { "boot/..", NULL, G_IO_ERROR_PERMISSION_DENIED },
  { "a\nb", NULL, G_IO_ERROR_PERMISSION_DENIED },
  { "a\x7f", NULL, G_IO_ERROR_PERMISSION_DENIED },
  { "", NULL, G_IO_ERROR_NOT_FOUND },
  { "/", NULL, G_IO_ERROR_NOT_FOUND },
  { "./", NULL, G_IO_ERROR_NOT_FOUND },
  { "boot/", NULL, G_IO_ERROR_NOT_FOUND },
};

static void
test_normalize (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (normal); i++)
    {
      g_autofree char *rel = NULL;
      g_autoptr (GError) error = NULL;
      gboolean ok = bc_root_path_normalize (normal[i].request, &rel, &error);

      g_test_message ("'%s'", normal[i].request);
      if (normal[i].relative != NULL)
        {
          g_assert_no_error (error);
          g_assert_true (ok);
          g_assert_cmpstr (rel, ==, normal[i].relative);
        }
      else
        {
          g_assert_false (ok);
          g_assert_null (rel);
          g_assert_error (error, G_IO_ERROR, normal[i].code);
        }
    }
}

static void
test_too_long (void)
{
  g_autofree char *longpath = g_strnfill (5000, 'a');
  g_autofree char *rel = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_false (bc_root_path_normalize (longpath, &rel, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
}

typedef struct
{
  char *dir; /* holds root/ and outside/ */
  int root_fd;
} Tree;

static void
tree_setup (Tree *t, gconstpointer data)
{
  g_autofree char *root = NULL;
  g_autoptr (GError) error = NULL;

  t->dir = g_dir_make_tmp ("root-path-XXXXXX", &error);
  g_assert_no_error (error);
  root = g_build_filename (t->dir, "root", NULL);
#define P(...) g_build_filename (t->dir, __VA_ARGS__, NULL)
  g_assert_cmpint (g_mkdir (root, 0755), ==, 0);
  {
    g_autofree char *boot = P ("root", "boot");
    g_autofree char *outside = P ("outside");
    g_autofree char *f1 = P ("root", "boot", "ipxe.efi");
    g_autofree char *f2 = P ("outside", "secret");
    g_autofree char *l1 = P ("root", "inside-link");
    g_autofree char *l2 = P ("root", "escape-rel");
    g_autofree char *l3 = P ("root", "escape-abs");
    g_autofree char *l4 = P ("root", "boot", "dir-escape");
    g_autofree char *fifo = P ("root", "fifo");
    g_autofree char *secret_abs = P ("outside", "secret");
    g_autofree char *outside_abs = P ("outside");

    g_assert_cmpint (g_mkdir (boot, 0755), ==, 0);
    g_assert_cmpint (g_mkdir (outside, 0755), ==, 0);
    g_assert_true (g_file_set_contents (f1, "EFI", -1, NULL));
    g_assert_true (g_file_set_contents (f2, "SECRET", -1, NULL));
    g_assert_cmpint (symlink ("boot/ipxe.efi", l1), ==, 0);
    g_assert_cmpint (symlink ("../outside/secret", l2), ==, 0);
    g_assert_cmpint (symlink (secret_abs, l3), ==, 0);
    g_assert_cmpint (symlink (outside_abs, l4), ==, 0);
    g_assert_cmpint (mkfifo (fifo, 0644), ==, 0);
  }
#undef P
  t->root_fd = bc_root_path_open_root (root, &error);
  g_assert_no_error (error);
}

static void
remove_tree (const char *path)
{
  g_autoptr (GDir) d = g_dir_open (path, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static void
tree_teardown (Tree *t, gconstpointer data)
{
  close (t->root_fd);
  remove_tree (t->dir);
  g_free (t->dir);
}

typedef struct
{
  const char *request;
  const char *contents; /* NULL: refused with code */
  int code;
  gboolean via_symlink; /* the fallback walk refuses it (PERMISSION_DENIED) */
} OpenCase;

static const OpenCase opens[] = {
  { "boot/ipxe.efi", "EFI", 0, FALSE },
  { "/boot/ipxe.efi", "EFI", 0, FALSE },
  /* A symlink that stays inside works with openat2; the fallback walk without it
   * refuses every symlink, also one that stays inside. */
  { "inside-link", "EFI", 0, TRUE },
  { "missing", NULL, G_IO_ERROR_NOT_FOUND, FALSE },
  { "boot/missing/x", NULL, G_IO_ERROR_NOT_FOUND, FALSE },
  { "boot/ipxe.efi/x", NULL, G_IO_ERROR_NOT_FOUND, FALSE },
  { "../outside/secret", NULL, G_IO_ERROR_PERMISSION_DENIED, FALSE },
  { "escape-rel", NULL, G_IO_ERROR_PERMISSION_DENIED, FALSE },
  { "escape-abs", NULL, G_IO_ERROR_PERMISSION_DENIED, FALSE },
  { "boot/dir-escape/secret", NULL, G_IO_ERROR_PERMISSION_DENIED, FALSE },
  { "boot", NULL, G_IO_ERROR_IS_DIRECTORY, FALSE },
  { "fifo", NULL, G_IO_ERROR_PERMISSION_DENIED, FALSE }, /* and it must not hang */
};

static void
run_opens (Tree *t, BcRootPathMethod method)
{
  for (gsize i = 0; i < G_N_ELEMENTS (opens); i++)
    {
      const OpenCase *c = &opens[i];
      g_autoptr (GError) error = NULL;
      struct stat st;
      int fd = bc_root_path_open_with (t->root_fd, c->request, method, &st, &error);
      gboolean refused = c->contents == NULL || (c->via_symlink && method == BC_ROOT_PATH_WALK);

      g_test_message ("'%s'", c->request);
      if (!refused)
        {
          char buf[16] = { 0 };
          g_assert_no_error (error);
          g_assert_cmpint (fd, >=, 0);
          g_assert_cmpint (read (fd, buf, sizeof buf - 1), ==, (gssize)strlen (c->contents));
          g_assert_cmpstr (buf, ==, c->contents);
          g_assert_cmpint (st.st_size, ==, (goffset)strlen (c->contents));
          close (fd);
        }
      else
        {
          g_assert_cmpint (fd, ==, -1);
          int code = c->contents == NULL ? c->code : G_IO_ERROR_PERMISSION_DENIED;

          g_assert_error (error, G_IO_ERROR, code);
        }
    }
}

static void
test_open (Tree *t, gconstpointer data)
{
  run_opens (t, BC_ROOT_PATH_AUTO);
}

static void
test_open_walk (Tree *t, gconstpointer data)
{
  run_opens (t, BC_ROOT_PATH_WALK);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/root-path/normalize", test_normalize);
  g_test_add_func ("/root-path/too-long", test_too_long);
  g_test_add ("/root-path/open", Tree, NULL, tree_setup, test_open, tree_teardown);
  g_test_add ("/root-path/open-walk", Tree, NULL, tree_setup, test_open_walk, tree_teardown);
  return g_test_run ();
}
