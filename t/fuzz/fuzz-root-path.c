/* Fuzz request-path normalisation (pure): whatever it accepts must be a relative
 * path of single-'/'-separated components with no "", ".", ".." component, no
 * control characters, and normalising it again changes nothing. */
#include <glib.h>
#include <stdint.h>
#include <string.h>

#include "server/io/root-path.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *request = g_strndup ((const char *)data, size); /* stops at a NUL */
  g_autofree char *rel = NULL;
  g_autofree char *again = NULL;
  g_auto (GStrv) parts = NULL;

  if (!bc_root_path_normalize (request, &rel, NULL))
    return 0;
  g_assert_cmpuint (strlen (rel), >, 0);
  g_assert_true (rel[0] != '/');
  parts = g_strsplit (rel, "/", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_assert_cmpstr (parts[i], !=, "");
      g_assert_cmpstr (parts[i], !=, ".");
      g_assert_cmpstr (parts[i], !=, "..");
    }
  for (const char *c = rel; *c != '\0'; c++)
    g_assert_true ((guchar)*c >= 0x20 && *c != 0x7f);
  g_assert_true (bc_root_path_normalize (rel, &again, NULL));
  g_assert_cmpstr (again, ==, rel);
  return 0;
}
