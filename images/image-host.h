/* The real host behind BcImageHost (environment, files, glob) and the usual setup:
 * images/manifest.ini of the source tree, /etc/os-release, images/local/. The shell's
 * half of harness/core/image-manifest.h. */
#pragma once

#include "harness/core/image-manifest.h"

G_BEGIN_DECLS

/* Callbacks reading the process environment and the file system. */
BcImageHost bc_image_host_real (void);

typedef struct
{
  BcImageManifest *manifest;
  BcImageEnv env;  /* ready for bc_image_manifest_resolve(); points into this struct */
  char *distro_id; /* os-release ID, for messages ("arch") */
  char *local_dir;
  char *build_root;
} BcImageSetup;

/* Loads @source_root/images/manifest.ini and @os_release_path (NULL:
 * /etc/os-release, then /usr/lib/os-release) and fills the env for this host.
 * @build_root may be NULL (then @builddir@ images do not resolve).
 * Returns: (transfer full), or NULL with BC_IMAGE_ERROR_MANIFEST or G_FILE_ERROR. */
BcImageSetup *bc_image_setup_new (const char *source_root, const char *build_root,
                                  const char *os_release_path, GError **error);
void bc_image_setup_free (BcImageSetup *setup);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BcImageSetup, bc_image_setup_free)

G_END_DECLS
