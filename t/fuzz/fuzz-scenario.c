/* Fuzz scenario.ini + expect through bc_scenario_parse_data: the input is the ini
 * text, then a NUL byte, then the expect text (no NUL: ini only). */
#include <glib.h>
#include <stdint.h>
#include <string.h>

#include "harness/core/scenario.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const guint8 *nul;
  gsize ini_len;
  g_autoptr (BcScenario) sc = NULL;
  g_autoptr (GError) error = NULL;

  if (size > 64 * 1024)
    return 0;
  nul = memchr (data, '\0', size);
  ini_len = nul ? (gsize)(nul - data) : size;
  sc = bc_scenario_parse_data ((const char *)data, ini_len, nul ? (const char *)nul + 1 : NULL,
                               nul ? size - ini_len - 1 : 0, &error);
  g_assert ((sc == NULL) == (error != NULL));
  return 0;
}
