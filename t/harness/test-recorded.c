/* Whole recorded runs through the pure core: real captures of bootcheck runs (TFTP
 * payloads zeroed, see t/data/harness/captures/sanitize.py) decoded by the capture
 * decoder, merged with the run's console/vm/server events, judged against the
 * scenario folders. The verdicts must be the ones the live runs reached. */
#include "harness-test.h"

#include <gio/gio.h>

#include "harness/core/capture-decode.h"
#include "harness/core/scenario.h"
#include "harness/core/tap.h"
#include "harness/core/verdict.h"

#define BASE_US (G_GINT64_CONSTANT (1000) * G_USEC_PER_SEC) /* sanitize.py's BASE */

typedef struct
{
  BcEvent *ev;
  guint order;
} Item;

static int
item_compare (gconstpointer a, gconstpointer b)
{
  const Item *x = *(Item *const *)a, *y = *(Item *const *)b;

  if (x->ev->t_us != y->ev->t_us)
    return x->ev->t_us < y->ev->t_us ? -1 : 1;
  return x->order < y->order ? -1 : x->order > y->order;
}

static void
item_free (Item *it)
{
  bc_event_free (it->ev);
  g_free (it);
}

static void
add (GPtrArray *items, BcEvent *ev)
{
  Item *it = g_new0 (Item, 1);

  it->ev = ev;
  it->order = items->len;
  g_ptr_array_add (items, it);
}

static GBytes *
read_gz (const char *path)
{
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (GError) error = NULL;
  g_autoptr (GInputStream) raw = G_INPUT_STREAM (g_file_read (file, NULL, &error));
  g_autoptr (GZlibDecompressor) gz = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP);
  g_autoptr (GInputStream) in = NULL;
  g_autoptr (GOutputStream) out = g_memory_output_stream_new_resizable ();

  g_assert_no_error (error);
  in = g_converter_input_stream_new (raw, G_CONVERTER (gz));
  g_output_stream_splice (out, in, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, &error);
  g_assert_no_error (error);
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
}

/* The capture's frames, decoded (little-endian µs pcap, Ethernet). */
static void
load_capture (const char *name, GPtrArray *items)
{
  g_autofree char *base = g_strconcat (name, ".pcap.gz", NULL);
  g_autofree char *path = g_build_filename (BC_TEST_DATA, "harness", "captures", base, NULL);
  g_autoptr (GBytes) bytes = read_gz (path);
  g_autoptr (BcCaptureDecoder) dec = bc_capture_decoder_new (0);
  gsize len = 0;
  const guint8 *d = g_bytes_get_data (bytes, &len);
  gsize off = 24;
  guint32 magic;

  g_assert_cmpuint (len, >=, 24);
  memcpy (&magic, d, 4);
  g_assert_cmphex (GUINT32_FROM_LE (magic), ==, 0xa1b2c3d4);
  while (off + 16 <= len)
    {
      guint32 hdr[4];
      gint64 t_us;
      g_autoptr (GPtrArray) evs = NULL;
      g_autofree guint8 *frame = NULL;

      memcpy (hdr, d + off, 16);
      off += 16;
      g_assert_cmpuint (GUINT32_FROM_LE (hdr[2]), <=, len - off);
      t_us = (gint64)GUINT32_FROM_LE (hdr[0]) * G_USEC_PER_SEC + GUINT32_FROM_LE (hdr[1]) - BASE_US;
      frame = g_memdup2 (d + off, GUINT32_FROM_LE (hdr[2]));
      evs = bc_capture_decoder_feed (dec, frame, GUINT32_FROM_LE (hdr[2]), t_us);
      off += GUINT32_FROM_LE (hdr[2]);
      while (evs->len > 0)
        add (items, g_ptr_array_steal_index (evs, 0));
    }
  g_assert_cmpuint (off, ==, len);
  g_assert_cmpuint (bc_capture_decoder_get_malformed (dec), ==, 0);
}

/* bootcheck's events.jsonl: {"t":…, "kind":"console"|"vm"|"server", "text", "server"}. */
static void
load_events (const char *name, GPtrArray *items)
{
  g_autofree char *base = g_strconcat (name, ".events.jsonl", NULL);
  g_autofree char *path = g_build_filename (BC_TEST_DATA, "harness", "captures", base, NULL);
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr (JsonNode) node = NULL;
      JsonObject *o;
      const char *kind;
      BcEvent *ev;
      gint64 t_us;

      if (lines[i][0] == '\0')
        continue;
      node = json_from_string (lines[i], NULL);
      g_assert_nonnull (node);
      o = json_node_get_object (node);
      kind = json_object_get_string_member (o, "kind");
      t_us = (gint64)(json_object_get_double_member (o, "t") * G_USEC_PER_SEC
                      + (json_object_get_double_member (o, "t") < 0 ? -0.5 : 0.5));
      if (g_str_equal (kind, "console"))
        ev = bc_event_new (BC_EVENT_CONSOLE, t_us, json_object_get_string_member (o, "text"));
      else if (g_str_equal (kind, "vm"))
        ev = bc_event_new (BC_EVENT_VM, t_us, json_object_get_string_member (o, "text"));
      else
        {
          ev = bc_event_new (BC_EVENT_SERVER, t_us, json_object_get_string_member (o, "text"));
          ev->server = json_node_copy (json_object_get_member (o, "server"));
        }
      add (items, ev);
    }
}

/* Feeds the merged timeline until the verdict is final; returns the judge. */
static BcJudge *
replay (const BcScenario *sc, const char *name)
{
  g_autoptr (GPtrArray) items = g_ptr_array_new_with_free_func ((GDestroyNotify)item_free);
  BcJudge *judge = bc_judge_new (sc);

  load_events (name, items);
  load_capture (name, items);
  g_ptr_array_sort (items, item_compare);
  for (guint i = 0; i < items->len && !bc_judge_is_final (judge); i++)
    bc_judge_feed (judge, ((Item *)items->pdata[i])->ev);
  if (!bc_judge_is_final (judge))
    bc_judge_finish (judge, ((Item *)items->pdata[items->len - 1])->ev->t_us, "end of recording");
  return judge;
}

static BcScenario *
load_scenario (const char *name)
{
  g_autofree char *dir = g_build_filename (BC_SOURCE_ROOT, "scenarios", name, NULL);
  g_autoptr (GError) error = NULL;
  BcScenario *sc = bc_scenario_load (dir, &error);

  g_assert_no_error (error);
  return sc;
}

static const BcStepResult *
step (BcJudge *judge, guint i)
{
  return bc_judge_get_verdict (judge)->steps->pdata[i];
}

/* Seed 000's first config on purpose: the third identical hand-out of undionly.kpxe
 * is the expected loop; the live run passed at t=21.70 s. */
static void
test_seed000_naive_loop (void)
{
  g_autoptr (BcScenario) sc = load_scenario ("seed000-naive-loop");
  g_autoptr (BcJudge) judge = replay (sc, "seed000-naive-loop");
  const BcVerdict *v = bc_judge_get_verdict (judge);

  g_assert_cmpint (v->kind, ==, BC_VERDICT_PASS);
  g_assert_cmpstr (v->loop->file, ==, "undionly.kpxe");
  g_assert_cmpuint (v->loop->count, ==, 3);
  g_assert_cmpint (v->end_us / 10000, ==, 2170);            /* 21.70 s */
  g_assert_cmpint (step (judge, 4)->t_us / 10000, ==, 555); /* tftp undionly.kpxe, 5.55 s */
}

/* The same recording, judged by a story that does not expect the loop: it fails at
 * the third hand-out, naming the file, the fingerprint and the config line. */
static void
test_seed000_loop_unexpected (void)
{
  g_autoptr (BcScenario) sc = NULL;
  g_autoptr (BcJudge) judge = NULL;
  g_autoptr (GError) error = NULL;
  const char *expect = "console /iPXE .* -- Open Source Network Boot Firmware/\n"
                       "tftp undionly.kpxe\n"
                       "dhcp discover user-class=iPXE 175.20\n"
                       "http GET /boot.ipxe\n";
  const BcVerdict *v;
  g_autofree char *tap = NULL;

  sc = bc_scenario_parse_data ("", 0, expect, strlen (expect), &error);
  g_assert_no_error (error);
  judge = replay (sc, "seed000-naive-loop");
  v = bc_judge_get_verdict (judge);
  g_assert_cmpint (v->kind, ==, BC_VERDICT_FAIL);
  g_assert_nonnull (v->loop);
  g_assert_cmpstr (v->loop->file, ==, "undionly.kpxe");
  g_assert_cmpstr (v->loop->chaddr, ==, "52:54:00:b0:07:01");
  g_assert_true (strstr (v->loop->fingerprint_text, "broadcast") != NULL);
  g_assert_nonnull (v->loop->server_reason);
  g_assert_true (strstr (v->loop->server_reason,
                         "filename from "
                         "/work/main/scenarios/seed000-naive-loop/dhcpd.conf:12:2")
                 != NULL);
  g_assert_cmpint (step (judge, 2)->state, ==, BC_STEP_FAILED);
  g_assert_true (g_str_has_prefix (step (judge, 2)->message,
                                   "boot loop: 52:54:00:b0:07:01 was handed 'undionly.kpxe' 3 "
                                   "times"));
  tap = bc_tap_format (v, NULL);
  g_assert_true (strstr (tap, "not ok 5 - verdict fail: boot loop: 52:54:00:b0:07:01 handed "
                              "'undionly.kpxe' 3 times (loop-limit 3)")
                 != NULL);
}

/* OVMF's EDK2 PXE -> TFTP ipxe-x86_64.efi (EDK2 first aborts a tsize probe) -> iPXE ->
 * HTTP boot.ipxe; the live run passed at t=12.42 s. */
static void
test_seed003_efi_pxe_chainload (void)
{
  g_autoptr (BcScenario) sc = load_scenario ("seed003-efi-pxe-chainload");
  g_autoptr (BcJudge) judge = replay (sc, "seed003-efi-pxe-chainload");
  const BcVerdict *v = bc_judge_get_verdict (judge);

  g_assert_cmpint (v->kind, ==, BC_VERDICT_PASS);
  g_assert_null (v->loop);
  g_assert_cmpint (v->end_us / 10000, ==, 1242);
  g_assert_cmpint (step (judge, 3)->t_us / 10000, ==, 1030); /* tftp, after the aborted probe */
  g_assert_true (strstr (bc_judge_get_first_fingerprint (judge), "arch=7") != NULL);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/recorded/seed000-naive-loop", test_seed000_naive_loop);
  g_test_add_func ("/recorded/seed000-loop-unexpected", test_seed000_loop_unexpected);
  g_test_add_func ("/recorded/seed003-efi-pxe-chainload", test_seed003_efi_pxe_chainload);
  return g_test_run ();
}
