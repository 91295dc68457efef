/* images/manifest.ini resolved for Debian and Fedora hosts, faked through
 * BcImageHost: which files exist and which environment variables are set. */
#include "harness/core/image-manifest.h"

#include <string.h>

typedef struct
{
  GHashTable *files; /* existing paths (set) */
  GHashTable *env;   /* name -> value */
} FakeHost;

static const char *
fake_getenv (const char *name, gpointer user_data)
{
  FakeHost *h = user_data;
  return g_hash_table_lookup (h->env, name);
}

static gboolean
fake_exists (const char *path, gpointer user_data)
{
  FakeHost *h = user_data;
  return g_hash_table_contains (h->files, path);
}

static char **
fake_glob (const char *pattern, gpointer user_data)
{
  FakeHost *h = user_data;
  g_autoptr (GStrvBuilder) b = g_strv_builder_new ();
  GHashTableIter it;
  gpointer key;

  g_hash_table_iter_init (&it, h->files);
  while (g_hash_table_iter_next (&it, &key, NULL))
    if (g_pattern_match_simple (pattern, key))
      g_strv_builder_add (b, key);
  return g_strv_builder_end (b);
}

static void
fake_host_init (FakeHost *h, const char *const *files)
{
  h->files = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  h->env = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (guint i = 0; files != NULL && files[i] != NULL; i++)
    g_hash_table_add (h->files, g_strdup (files[i]));
}

static void
fake_host_clear (FakeHost *h)
{
  g_clear_pointer (&h->files, g_hash_table_unref);
  g_clear_pointer (&h->env, g_hash_table_unref);
}

static BcImageEnv
fake_env (FakeHost *h, const char *distro)
{
  BcImageEnv env = {
    .distro = distro,
    .local_dir = "/src/images/local",
    .build_root = "/src/build",
    .host = { fake_getenv, fake_exists, fake_glob, h },
  };
  return env;
}

static BcImageManifest *
load_manifest (void)
{
  g_autofree char *path = g_build_filename (BC_SOURCE_ROOT, "images", "manifest.ini", NULL);
  g_autofree char *text = NULL;
  g_autoptr (GError) error = NULL;
  gsize len = 0;
  BcImageManifest *m;

  g_assert_true (g_file_get_contents (path, &text, &len, &error));
  g_assert_no_error (error);
  m = bc_image_manifest_parse (text, (gssize)len, &error);
  g_assert_no_error (error);
  g_assert_nonnull (m);
  return m;
}

static const char debian_os_release[] = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"
                                        "NAME=\"Debian GNU/Linux\"\n"
                                        "VERSION_ID=\"12\"\n"
                                        "ID=debian\n";
static const char fedora_os_release[] = "NAME=\"Fedora Linux\"\n"
                                        "VERSION=\"40 (Forty)\"\n"
                                        "ID=fedora\n"
                                        "VERSION_ID=40\n"
                                        "PLATFORM_ID=\"platform:f40\"\n";
static const char ubuntu_os_release[] = "NAME=\"Ubuntu\"\nID=ubuntu\nID_LIKE=debian\n";
static const char centos_os_release[] = "NAME=\"CentOS Stream\"\nID=\"centos\"\n"
                                        "ID_LIKE=\"rhel fedora\"\n";
static const char alma_os_release[] = "ID='almalinux'\nID_LIKE='rhel centos fedora'\n";
static const char mint_like_os_release[] = "ID=somederivative\nID_LIKE=\"ubuntu debian\"\n";
static const char arch_os_release[] = "NAME=\"Arch Linux\"\nID=arch\n";

static void
test_os_release (void)
{
  g_autoptr (BcImageManifest) m = load_manifest ();
  static const struct
  {
    const char *text;
    const char *column;
  } cases[] = {
    { debian_os_release, "debian" }, { fedora_os_release, "fedora" },
    { ubuntu_os_release, "debian" }, { centos_os_release, "fedora" },
    { alma_os_release, "fedora" },   { mint_like_os_release, "debian" },
    { arch_os_release, NULL },       { "", NULL },
    { "ID=\"unterminated\n", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *id = NULL;
      const char *column = bc_image_manifest_distro_for_os_release (m, cases[i].text, &id);
      g_assert_cmpstr (column, ==, cases[i].column);
      g_assert_nonnull (id);
    }
}

static void
test_env_var_name (void)
{
  static const struct
  {
    const char *name, *var;
  } cases[] = {
    { "undionly-fixed.kpxe", "BOOTCHECK_IMAGE_UNDIONLY_FIXED_KPXE" },
    { "ipxe-x86_64-fixed.efi", "BOOTCHECK_IMAGE_IPXE_X86_64_FIXED_EFI" },
    { "ovmf-code", "BOOTCHECK_IMAGE_OVMF_CODE" },
    { "a b/c", "BOOTCHECK_IMAGE_A_B_C" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *var = bc_image_env_var_name (cases[i].name);
      g_assert_cmpstr (var, ==, cases[i].var);
    }
}

/* Each distro image, with every distro file present, resolves to the path the
 * distro's package installs. */
static const struct
{
  const char *name, *debian, *fedora;
} distro_paths[] = {
  { "ipxe-builtin-virtio", "/usr/lib/ipxe/qemu/pxe-virtio.rom",
    "/usr/share/ipxe/qemu/pxe-virtio.rom" },
  { "ipxe-builtin-efi-virtio", "/usr/lib/ipxe/qemu/efi-virtio.rom",
    "/usr/share/ipxe/qemu/efi-virtio.rom" },
  { "ipxe-builtin-e1000", "/usr/lib/ipxe/qemu/pxe-e1000.rom",
    "/usr/share/ipxe/qemu/pxe-e1000.rom" },
  { "ipxe-builtin-efi-e1000", "/usr/lib/ipxe/qemu/efi-e1000.rom",
    "/usr/share/ipxe/qemu/efi-e1000.rom" },
  { "undionly.kpxe", "/usr/lib/ipxe/undionly.kpxe", "/usr/share/ipxe/undionly.kpxe" },
  { "ipxe.efi", "/usr/lib/ipxe/ipxe.efi", "/usr/share/ipxe/ipxe-x86_64.efi" },
  { "snponly.efi", "/usr/lib/ipxe/snponly.efi", "/usr/share/ipxe/ipxe-snponly-x86_64.efi" },
  { "ovmf-code", "/usr/share/OVMF/OVMF_CODE.fd", "/usr/share/edk2/ovmf/OVMF_CODE.fd" },
  { "ovmf-vars", "/usr/share/OVMF/OVMF_VARS.fd", "/usr/share/edk2/ovmf/OVMF_VARS.fd" },
  { "payload-kernel", "/src/build/images/payload-vmlinuz", "/src/build/images/payload-vmlinuz" },
  { "payload-initrd", "/src/build/images/payload-initrd.gz",
    "/src/build/images/payload-initrd.gz" },
};

static void
check_distro_paths (gboolean fedora)
{
  g_autoptr (BcImageManifest) m = load_manifest ();
  const char *distro = bc_image_manifest_distro_for_os_release (
      m, fedora ? fedora_os_release : debian_os_release, NULL);
  g_autoptr (GPtrArray) files = g_ptr_array_new ();
  FakeHost h;
  BcImageEnv env;

  for (guint i = 0; i < G_N_ELEMENTS (distro_paths); i++)
    g_ptr_array_add (files, (gpointer)(fedora ? distro_paths[i].fedora : distro_paths[i].debian));
  g_ptr_array_add (files, NULL);
  fake_host_init (&h, (const char *const *)files->pdata);
  env = fake_env (&h, distro);

  for (guint i = 0; i < G_N_ELEMENTS (distro_paths); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *path = bc_image_manifest_resolve (m, &env, distro_paths[i].name, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (path, ==, fedora ? distro_paths[i].fedora : distro_paths[i].debian);
      g_assert_false (bc_image_manifest_is_user (m, distro_paths[i].name));
      g_assert_nonnull (bc_image_manifest_describe (m, distro_paths[i].name));
    }
  fake_host_clear (&h);
}

static void
test_debian_paths (void)
{
  check_distro_paths (FALSE);
}

static void
test_fedora_paths (void)
{
  check_distro_paths (TRUE);
}

/* The kernel: newest of several installed, in version order (not string order). */
static void
test_kernel_glob (void)
{
  g_autoptr (BcImageManifest) m = load_manifest ();
  static const char *const files[] = {
    "/boot/vmlinuz-6.1.0-9-amd64",
    "/boot/vmlinuz-6.1.0-56-amd64",
    "/boot/vmlinuz-5.10.0-30-amd64",
    "/lib/modules/6.8.5-301.fc40.x86_64/vmlinuz",
    "/lib/modules/6.10.12-200.fc40.x86_64/vmlinuz",
    NULL,
  };
  FakeHost h;
  BcImageEnv env;
  g_autofree char *debian = NULL, *fedora = NULL;
  g_autoptr (GError) error = NULL;

  fake_host_init (&h, files);
  env = fake_env (&h, "debian");
  debian = bc_image_manifest_resolve (m, &env, "kernel", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (debian, ==, "/boot/vmlinuz-6.1.0-56-amd64");
  env.distro = "fedora";
  fedora = bc_image_manifest_resolve (m, &env, "kernel", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (fedora, ==, "/lib/modules/6.10.12-200.fc40.x86_64/vmlinuz");
  fake_host_clear (&h);
}

static void
test_kernel_absent (void)
{
  g_autoptr (BcImageManifest) m = load_manifest ();
  FakeHost h;
  BcImageEnv env;
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;

  fake_host_init (&h, NULL);
  env = fake_env (&h, "fedora");
  path = bc_image_manifest_resolve (m, &env, "kernel", &error);
  g_assert_null (path);
  g_assert_error (error, BC_IMAGE_ERROR, BC_IMAGE_ERROR_ABSENT);
  g_assert_nonnull (strstr (error->message, "install the fedora package kernel-core"));
  fake_host_clear (&h);
}

/* A distro image that is not installed: the message names the package for that
 * distro, and the variable that overrides it. */
static void
test_distro_absent (void)
{
  g_autoptr (BcImageManifest) m = load_manifest ();
  FakeHost h;
  BcImageEnv env;

  fake_host_init (&h, NULL);
  env = fake_env (&h, "debian");
  {
    g_autoptr (GError) error = NULL;
    g_autofree char *path = bc_image_manifest_resolve (m, &env, "snponly.efi", &error);
    g_assert_null (path);
    g_assert_error (error, BC_IMAGE_ERROR, BC_IMAGE_ERROR_ABSENT);
    g_assert_nonnull (strstr (error->message, "/usr/lib/ipxe/snponly.efi"));
    g_assert_nonnull (strstr (error->message, "install the debian package ipxe,"));
    g_assert_nonnull (strstr (error->message, "BOOTCHECK_IMAGE_SNPONLY_EFI="));
  }
  env.distro = "fedora";
  {
    g_autoptr (GError) error = NULL;
    g_autofree char *path = bc_image_manifest_resolve (m, &env, "ovmf-code", &error);
    g_assert_null (path);
    g_assert_error (error, BC_IMAGE_ERROR, BC_IMAGE_ERROR_ABSENT);
    g_assert_nonnull (strstr (error->message, "/usr/share/edk2/ovmf/OVMF_CODE.fd"));
    g_assert_nonnull (strstr (error->message, "install the fedora package edk2-ovmf"));
  }
  {
    g_autoptr (GError) error = NULL;
    g_autofree char *path = bc_image_manifest_resolve (m, &env, "payload-initrd", &error);
    g_assert_null (path);
    g_assert_error (error, BC_IMAGE_ERROR, BC_IMAGE_ERROR_ABSENT);
    g_assert_nonnull (strstr (error->message, "images/build-payload"));
  }
  fake_host_clear (&h);
}

/* The seeds' fixed ROM is the user's: skipped with a message that says how to give it. */
static void
test_user_image_absent (void)
{
  g_autoptr (BcImageManifest) m = load_manifest ();
  const char *distros[] = { "debian", "fedora", NULL };
  FakeHost h;

  fake_host_init (&h, (const char *const[]){ "/usr/lib/ipxe/undionly.kpxe",
                                             "/usr/share/ipxe/undionly.kpxe", NULL });
  g_assert_true (bc_image_manifest_is_user (m, "undionly-fixed.kpxe"));
  for (guint i = 0; i < G_N_ELEMENTS (distros); i++)
    {
      BcImageEnv env = fake_env (&h, distros[i]);
      g_autoptr (GError) error = NULL;
      g_autofree char *path = bc_image_manifest_resolve (m, &env, "undionly-fixed.kpxe", &error);

      g_assert_null (path);
      g_assert_error (error, BC_IMAGE_ERROR, BC_IMAGE_ERROR_ABSENT);
      g_assert_nonnull (strstr (error->message, "BOOTCHECK_IMAGE_UNDIONLY_FIXED_KPXE="));
      g_assert_nonnull (strstr (error->message, "/src/images/local/undionly-fixed.kpxe"));
      g_assert_nonnull (strstr (error->message, "HTTPS"));
    }
  fake_host_clear (&h);
}

static void
test_user_image_env (void)
{
  g_autoptr (BcImageManifest) m = load_manifest ();
  FakeHost h;
  BcImageEnv env;

  fake_host_init (&h, (const char *const[]){ "/home/u/joyent/undionly.kpxe", NULL });
  env = fake_env (&h, "fedora");
  g_hash_table_insert (h.env, g_strdup ("BOOTCHECK_IMAGE_UNDIONLY_FIXED_KPXE"),
                       g_strdup ("/home/u/joyent/undionly.kpxe"));
  {
    g_autoptr (GError) error = NULL;
    g_autofree char *path = bc_image_manifest_resolve (m, &env, "undionly-fixed.kpxe", &error);
    g_assert_no_error (error);
    g_assert_cmpstr (path, ==, "/home/u/joyent/undionly.kpxe");
  }
  /* A variable naming a missing file is reported, not silently ignored. */
  g_hash_table_insert (h.env, g_strdup ("BOOTCHECK_IMAGE_UNDIONLY_FIXED_KPXE"),
                       g_strdup ("/home/u/typo.kpxe"));
  {
    g_autoptr (GError) error = NULL;
    g_autofree char *path = bc_image_manifest_resolve (m, &env, "undionly-fixed.kpxe", &error);
    g_assert_null (path);
    g_assert_error (error, BC_IMAGE_ERROR, BC_IMAGE_ERROR_ABSENT);
    g_assert_nonnull (strstr (error->message, "/home/u/typo.kpxe"));
  }
  /* An empty variable counts as unset. */
  g_hash_table_insert (h.env, g_strdup ("BOOTCHECK_IMAGE_UNDIONLY_FIXED_KPXE"), g_strdup (""));
  {
    g_autoptr (GError) error = NULL;
    g_autofree char *path = bc_image_manifest_resolve (m, &env, "undionly-fixed.kpxe", &error);
    g_assert_null (path);
    g_assert_error (error, BC_IMAGE_ERROR, BC_IMAGE_ERROR_ABSENT);
  }
  fake_host_clear (&h);
}

/* images/local/<name> provides a user image and overrides a distro one; the
 * environment overrides both. */
static void
test_local_and_override (void)
{
  g_autoptr (BcImageManifest) m = load_manifest ();
  FakeHost h;
  BcImageEnv env;

  fake_host_init (&h,
                  (const char *const[]){ "/src/images/local/undionly-fixed.kpxe",
                                         "/src/images/local/undionly.kpxe",
                                         "/usr/lib/ipxe/undionly.kpxe", "/tmp/other.kpxe", NULL });
  env = fake_env (&h, "debian");
  {
    g_autofree char *path = bc_image_manifest_resolve (m, &env, "undionly-fixed.kpxe", NULL);
    g_assert_cmpstr (path, ==, "/src/images/local/undionly-fixed.kpxe");
  }
  {
    g_autofree char *path = bc_image_manifest_resolve (m, &env, "undionly.kpxe", NULL);
    g_assert_cmpstr (path, ==, "/src/images/local/undionly.kpxe");
  }
  g_hash_table_insert (h.env, g_strdup ("BOOTCHECK_IMAGE_UNDIONLY_KPXE"),
                       g_strdup ("/tmp/other.kpxe"));
  {
    g_autofree char *path = bc_image_manifest_resolve (m, &env, "undionly.kpxe", NULL);
    g_assert_cmpstr (path, ==, "/tmp/other.kpxe");
  }
  /* Without a local dir, the distro path. */
  g_hash_table_remove (h.env, "BOOTCHECK_IMAGE_UNDIONLY_KPXE");
  env.local_dir = NULL;
  {
    g_autofree char *path = bc_image_manifest_resolve (m, &env, "undionly.kpxe", NULL);
    g_assert_cmpstr (path, ==, "/usr/lib/ipxe/undionly.kpxe");
  }
  fake_host_clear (&h);
}

static void
test_unknown_and_unsupported_distro (void)
{
  g_autoptr (BcImageManifest) m = load_manifest ();
  FakeHost h;
  BcImageEnv env;

  fake_host_init (&h, (const char *const[]){ "/usr/lib/ipxe/undionly.kpxe", NULL });
  env = fake_env (&h, NULL);
  {
    g_autoptr (GError) error = NULL;
    g_autofree char *path = bc_image_manifest_resolve (m, &env, "no-such-image", &error);
    g_assert_null (path);
    g_assert_error (error, BC_IMAGE_ERROR, BC_IMAGE_ERROR_UNKNOWN);
    g_assert_false (bc_image_manifest_has (m, "no-such-image"));
  }
  {
    /* Arch Linux: no distro column, so only the environment or images/local help. */
    g_autoptr (GError) error = NULL;
    g_autofree char *path = bc_image_manifest_resolve (m, &env, "undionly.kpxe", &error);
    g_assert_null (path);
    g_assert_error (error, BC_IMAGE_ERROR, BC_IMAGE_ERROR_ABSENT);
    g_assert_nonnull (strstr (error->message, "not in images/manifest.ini"));
    g_assert_nonnull (strstr (error->message, "BOOTCHECK_IMAGE_UNDIONLY_KPXE="));
  }
  fake_host_clear (&h);
}

/* A scenario's [images] requires: all missing images in one skip message. */
static void
test_resolve_all (void)
{
  g_autoptr (BcImageManifest) m = load_manifest ();
  FakeHost h;
  BcImageEnv env;
  const char *const present[] = { "undionly.kpxe", "ovmf-code", NULL };
  const char *const missing[]
      = { "undionly.kpxe", "undionly-fixed.kpxe", "ipxe-x86_64-fixed.efi", NULL };
  const char *const unknown[] = { "undionly-fixed.kpxe", "bogus", NULL };

  fake_host_init (&h, (const char *const[]){ "/usr/share/ipxe/undionly.kpxe",
                                             "/usr/share/edk2/ovmf/OVMF_CODE.fd", NULL });
  env = fake_env (&h, "fedora");
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (GHashTable) paths = bc_image_manifest_resolve_all (m, &env, present, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (g_hash_table_lookup (paths, "ovmf-code"), ==,
                     "/usr/share/edk2/ovmf/OVMF_CODE.fd");
    g_assert_cmpuint (g_hash_table_size (paths), ==, 2);
  }
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (GHashTable) paths = bc_image_manifest_resolve_all (m, &env, missing, &error);
    g_assert_null (paths);
    g_assert_error (error, BC_IMAGE_ERROR, BC_IMAGE_ERROR_ABSENT);
    g_assert_nonnull (strstr (error->message, "BOOTCHECK_IMAGE_UNDIONLY_FIXED_KPXE"));
    g_assert_nonnull (strstr (error->message, "\n"));
    g_assert_nonnull (strstr (error->message, "BOOTCHECK_IMAGE_IPXE_X86_64_FIXED_EFI"));
  }
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (GHashTable) paths = bc_image_manifest_resolve_all (m, &env, unknown, &error);
    g_assert_null (paths);
    g_assert_error (error, BC_IMAGE_ERROR, BC_IMAGE_ERROR_UNKNOWN);
  }
  fake_host_clear (&h);
}

/* The real manifest: every name resolves on both distros once its files exist, and
 * every non-user image names a package or a way to provide it. */
static void
test_manifest_complete (void)
{
  g_autoptr (BcImageManifest) m = load_manifest ();
  const char *const *names = bc_image_manifest_names (m);
  guint n = 0;

  for (; names[n] != NULL; n++)
    g_assert_nonnull (bc_image_manifest_describe (m, names[n]));
  g_assert_cmpuint (n, >=, 15);
  g_assert_true (bc_image_manifest_has (m, "ipxe-builtin-virtio"));
  g_assert_true (bc_image_manifest_has (m, "ipxe-builtin-efi-virtio"));
}

static void
test_manifest_malformed (void)
{
  static const struct
  {
    const char *text;
    const char *message;
  } cases[] = {
    { "[x]\ndebian = /a\n", "no [distros]" },
    { "[distros]\n", "names no distro" },
    { "[distros]\ndebian = debian\n[x]\ndebian = /a\nfedora = /b\n", "unknown key 'fedora'" },
    { "[distros]\ndebian = debian\nfedora = fedora\n[x]\ndebian = /a\n",
      "no path for distro 'fedora'" },
    { "[distros]\ndebian = debian\n[x]\nuser = true\ndebian = /a\n",
      "user image has no distro path" },
    { "[distros]\ndebian = debian\n[x]\nuser = maybe\n", "[x] user" },
    { "[distros]\ndebian = debian\n[x]\ndebian = /a\npackage.arch = foo\n", "unknown key" },
    { "not an ini file", "manifest:" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (BcImageManifest) m = bc_image_manifest_parse (cases[i].text, -1, &error);
      g_assert_null (m);
      g_assert_error (error, BC_IMAGE_ERROR, BC_IMAGE_ERROR_MANIFEST);
      if (strstr (error->message, cases[i].message) == NULL)
        g_error ("case %u: '%s' lacks '%s'", i, error->message, cases[i].message);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/image-manifest/os-release", test_os_release);
  g_test_add_func ("/image-manifest/env-var-name", test_env_var_name);
  g_test_add_func ("/image-manifest/debian/paths", test_debian_paths);
  g_test_add_func ("/image-manifest/fedora/paths", test_fedora_paths);
  g_test_add_func ("/image-manifest/kernel/newest", test_kernel_glob);
  g_test_add_func ("/image-manifest/kernel/absent", test_kernel_absent);
  g_test_add_func ("/image-manifest/distro-image/absent", test_distro_absent);
  g_test_add_func ("/image-manifest/user-image/absent", test_user_image_absent);
  g_test_add_func ("/image-manifest/user-image/env", test_user_image_env);
  g_test_add_func ("/image-manifest/local-and-override", test_local_and_override);
  g_test_add_func ("/image-manifest/unknown-and-unsupported-distro",
                   test_unknown_and_unsupported_distro);
  g_test_add_func ("/image-manifest/requires", test_resolve_all);
  g_test_add_func ("/image-manifest/manifest/complete", test_manifest_complete);
  g_test_add_func ("/image-manifest/manifest/malformed", test_manifest_malformed);
  return g_test_run ();
}
