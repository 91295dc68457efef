/* Golden-file checks shared by the tests (libvirt style): compare text with
 * t/data/SUBDIR/NAME; BC_REGENERATE=1 rewrites the file instead (review the diff
 * before committing). */
#pragma once

#include <glib.h>

static inline void
bc_test_check_golden (const char *subdir, const char *name, const char *actual)
{
  g_autofree char *path = g_build_filename (BC_TEST_DATA, subdir, name, NULL);
  g_autofree char *expected = NULL;
  g_autoptr (GError) error = NULL;

  if (g_getenv ("BC_REGENERATE") != NULL)
    {
      g_assert_true (g_file_set_contents (path, actual, -1, &error));
      g_test_message ("regenerated %s", path);
      return;
    }
  if (!g_file_get_contents (path, &expected, NULL, &error))
    g_error ("%s (run with BC_REGENERATE=1 to create it)", error->message);
  g_assert_cmpstr (actual, ==, expected);
}
