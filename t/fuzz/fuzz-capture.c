/* Fuzz the capture decoder and the judge behind it: the input is a sequence of
 * records, each a 2-byte big-endian length and that many frame bytes. Every event
 * decoded is fed to a judge running a seed 000 style expect. */
#include <glib.h>
#include <stdint.h>
#include <string.h>

#include "harness/core/capture-decode.h"
#include "harness/core/tap.h"
#include "harness/core/verdict.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static const char expect[] = "dhcp discover user-class=iPXE !175.20\n"
                             "offer file=undionly.kpxe\n"
                             "never tftp pxelinux.0 error\n"
                             "tftp undionly.kpxe\n"
                             "dhcp discover 175.20\n"
                             "http GET /boot.ipxe\n";
static const char ini[] = "[run]\nloop-limit = 2\n";

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (BcCaptureDecoder) dec = bc_capture_decoder_new (8080);
  g_autoptr (BcScenario) sc
      = bc_scenario_parse_data (ini, strlen (ini), expect, strlen (expect), NULL);
  g_autoptr (BcJudge) judge = NULL;
  g_autofree char *tap = NULL;
  gsize off = 0;
  gint64 t = 0;

  g_assert (sc != NULL);
  judge = bc_judge_new (sc);
  while (off + 2 <= size)
    {
      gsize len = (gsize)data[off] << 8 | data[off + 1];
      g_autoptr (GPtrArray) evs = NULL;
      g_autofree guint8 *frame = NULL;

      off += 2;
      if (len > size - off)
        len = size - off;
      frame = g_memdup2 (data + off, len);
      off += len;
      t += 1000;
      evs = bc_capture_decoder_feed (dec, frame, len, t);
      for (guint i = 0; i < evs->len; i++)
        {
          g_free (bc_event_format_line (evs->pdata[i]));
          bc_judge_feed (judge, evs->pdata[i]);
        }
    }
  bc_judge_finish (judge, t + 1, "end of input");
  tap = bc_tap_format (bc_judge_get_verdict (judge), NULL);
  return 0;
}
