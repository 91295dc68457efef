/* BcImageHost on the real host. See image-host.h. */
#include "images/image-host.h"

#include <glob.h>
#include <sys/stat.h>

static const char *
host_getenv (const char *name, gpointer user_data)
{
  return g_getenv (name);
}

/* A regular file with content: an empty file is never an image (build-payload leaves
 * empty outputs when the host's kernel is unreadable, so the build never fails). */
static gboolean
host_exists (const char *path, gpointer user_data)
{
  struct stat st;
  return stat (path, &st) == 0 && S_ISREG (st.st_mode) && st.st_size > 0;
}

static char **
host_glob (const char *pattern, gpointer user_data)
{
  g_autoptr (GStrvBuilder) b = g_strv_builder_new ();
  glob_t g = { 0 };

  if (glob (pattern, 0, NULL, &g) == 0)
    for (gsize i = 0; i < g.gl_pathc; i++)
      if (host_exists (g.gl_pathv[i], NULL))
        g_strv_builder_add (b, g.gl_pathv[i]);
  globfree (&g);
  return g_strv_builder_end (b);
}

BcImageHost
bc_image_host_real (void)
{
  BcImageHost host = { host_getenv, host_exists, host_glob, NULL };
  return host;
}

void
bc_image_setup_free (BcImageSetup *setup)
{
  if (setup == NULL)
    return;
  bc_image_manifest_free (setup->manifest);
  g_free (setup->distro_id);
  g_free (setup->local_dir);
  g_free (setup->build_root);
  g_free (setup);
}

BcImageSetup *
bc_image_setup_new (const char *source_root, const char *build_root, const char *os_release_path,
                    GError **error)
{
  g_autoptr (BcImageSetup) setup = g_new0 (BcImageSetup, 1);
  g_autofree char *manifest_path = g_build_filename (source_root, "images", "manifest.ini", NULL);
  g_autofree char *text = NULL;
  g_autofree char *os_release = NULL;
  gsize len = 0;

  if (!g_file_get_contents (manifest_path, &text, &len, error))
    return NULL;
  setup->manifest = bc_image_manifest_parse (text, (gssize)len, error);
  if (setup->manifest == NULL)
    return NULL;

  if (os_release_path != NULL)
    {
      if (!g_file_get_contents (os_release_path, &os_release, NULL, error))
        return NULL;
    }
  else if (!g_file_get_contents ("/etc/os-release", &os_release, NULL, NULL))
    g_file_get_contents ("/usr/lib/os-release", &os_release, NULL, NULL);

  setup->local_dir = g_build_filename (source_root, "images", "local", NULL);
  setup->build_root = g_strdup (build_root);
  setup->env.distro = bc_image_manifest_distro_for_os_release (
      setup->manifest, os_release != NULL ? os_release : "", &setup->distro_id);
  setup->env.local_dir = setup->local_dir;
  setup->env.build_root = setup->build_root;
  setup->env.host = bc_image_host_real ();
  return g_steal_pointer (&setup);
}
