/* bootcheck-image NAME…: print the path each logical image resolves to on this host
 * (images/manifest.ini), one a line. Exit 0 when all resolve, 77 when one is absent
 * (the message says how to provide it), 99 for an unknown name or a broken manifest:
 * the exit codes of a skipped / erroring test, so scripts can pass them on. */
#include "images/image-host.h"

#include <stdio.h>

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GOptionContext) ctx = g_option_context_new ("NAME… - resolve image names");
  g_autofree char *source_root = g_strdup (BC_SOURCE_ROOT);
  g_autofree char *build_root = g_strdup (BC_BUILD_ROOT);
  gboolean list = FALSE;
  const GOptionEntry entries[] = {
    { "source-root", 0, 0, G_OPTION_ARG_FILENAME, &source_root, "source tree", "DIR" },
    { "build-root", 0, 0, G_OPTION_ARG_FILENAME, &build_root, "meson build dir", "DIR" },
    { "list", 'l', 0, G_OPTION_ARG_NONE, &list, "list every name and its resolution", NULL },
    G_OPTION_ENTRY_NULL,
  };
  g_autoptr (BcImageSetup) setup = NULL;
  int status = 0;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      g_printerr ("bootcheck-image: %s\n", error->message);
      return 99;
    }
  setup = bc_image_setup_new (source_root, build_root, NULL, &error);
  if (setup == NULL)
    {
      g_printerr ("bootcheck-image: %s\n", error->message);
      return 99;
    }
  if (list)
    {
      const char *const *names = bc_image_manifest_names (setup->manifest);
      g_print ("# distro: %s (column %s)\n", setup->distro_id,
               setup->env.distro != NULL ? setup->env.distro : "none");
      for (guint i = 0; names[i] != NULL; i++)
        {
          g_autoptr (GError) local_error = NULL;
          g_autofree char *path
              = bc_image_manifest_resolve (setup->manifest, &setup->env, names[i], &local_error);
          g_print ("%-26s %s\n", names[i], path != NULL ? path : local_error->message);
        }
      return 0;
    }
  if (argc < 2)
    {
      g_printerr ("usage: bootcheck-image [--list] NAME…\n");
      return 99;
    }
  for (int i = 1; i < argc; i++)
    {
      g_autoptr (GError) local_error = NULL;
      g_autofree char *path
          = bc_image_manifest_resolve (setup->manifest, &setup->env, argv[i], &local_error);
      if (path != NULL)
        {
          g_print ("%s\n", path);
          continue;
        }
      g_printerr ("bootcheck-image: %s\n", local_error->message);
      if (local_error->code != BC_IMAGE_ERROR_ABSENT)
        status = 99;
      else if (status == 0)
        status = 77;
    }
  return status;
}
