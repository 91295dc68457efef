/* Packet capture on the bridge: see capture.h. */
#include "harness/shell/capture.h"

#include <gio/gio.h>
#include <glib-unix.h>
#include <pcap/pcap.h>

#include "harness/core/capture-decode.h"

struct _BcCapture
{
  pcap_t *pcap;
  pcap_dumper_t *dumper;
  BcCaptureDecoder *decoder;
  guint source;
  /* pcap timestamps are wall-clock; the timeline is monotonic: their offset is
   * measured once at start (a clock step mid-run would shift later packets). */
  gint64 real_minus_mono_us;
  gint64 t0_mono_us;
  guint64 frames;
  BcCaptureEventFunc func;
  gpointer user_data;
};

static void
on_packet (u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
  BcCapture *cap = (BcCapture *)user;
  gint64 real_us = (gint64)h->ts.tv_sec * G_USEC_PER_SEC + h->ts.tv_usec;
  gint64 t_us = real_us - cap->real_minus_mono_us - cap->t0_mono_us;
  g_autoptr (GPtrArray) events = NULL;

  cap->frames++;
  pcap_dump ((u_char *)cap->dumper, h, bytes);
  pcap_dump_flush (cap->dumper);
  events = bc_capture_decoder_feed (cap->decoder, bytes, h->caplen, t_us);
  for (guint i = 0; i < events->len; i++)
    cap->func (g_steal_pointer (&events->pdata[i]), cap->user_data);
}

void
bc_capture_drain (BcCapture *cap)
{
  while (pcap_dispatch (cap->pcap, -1, on_packet, (u_char *)cap) > 0)
    ;
}

static gboolean
on_readable (gint fd, GIOCondition cond, gpointer user_data)
{
  bc_capture_drain (user_data);
  return G_SOURCE_CONTINUE;
}

BcCapture *
bc_capture_start (const char *iface, const char *pcap_path, guint16 http_port,
                  BcCaptureEventFunc func, gpointer user_data, GError **error)
{
  g_autoptr (BcCapture) cap = g_new0 (BcCapture, 1);
  char errbuf[PCAP_ERRBUF_SIZE] = "";
  int fd;

  cap->func = func;
  cap->user_data = user_data;
  cap->real_minus_mono_us = g_get_real_time () - g_get_monotonic_time ();
  cap->t0_mono_us = g_get_monotonic_time ();
  cap->pcap = pcap_create (iface, errbuf);
  if (cap->pcap == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "pcap on %s: %s", iface, errbuf);
      return NULL;
    }
  pcap_set_snaplen (cap->pcap, 65535);
  pcap_set_promisc (cap->pcap, 1);
  /* Each packet as it arrives: the verdict must not wait for a buffer to fill. */
  pcap_set_immediate_mode (cap->pcap, 1);
  pcap_set_buffer_size (cap->pcap, 4 * 1024 * 1024);
  if (pcap_activate (cap->pcap) < 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "pcap on %s: %s", iface,
                   pcap_geterr (cap->pcap));
      return NULL;
    }
  if (pcap_setnonblock (cap->pcap, 1, errbuf) < 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "pcap on %s: %s", iface, errbuf);
      return NULL;
    }
  cap->dumper = pcap_dump_open (cap->pcap, pcap_path);
  if (cap->dumper == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %s", pcap_path,
                   pcap_geterr (cap->pcap));
      return NULL;
    }
  pcap_dump_flush (cap->dumper);
  cap->decoder = bc_capture_decoder_new (http_port);
  fd = pcap_get_selectable_fd (cap->pcap);
  cap->source = g_unix_fd_add (fd, G_IO_IN, on_readable, cap);
  return g_steal_pointer (&cap);
}

void
bc_capture_set_t0 (BcCapture *cap, gint64 t0_mono_us)
{
  cap->t0_mono_us = t0_mono_us;
}

guint64
bc_capture_get_frames (BcCapture *cap)
{
  return cap->frames;
}

void
bc_capture_free (BcCapture *cap)
{
  if (cap == NULL)
    return;
  if (cap->source != 0)
    g_source_remove (cap->source);
  if (cap->dumper != NULL)
    pcap_dump_close (cap->dumper);
  if (cap->pcap != NULL)
    pcap_close (cap->pcap);
  g_clear_pointer (&cap->decoder, bc_capture_decoder_free);
  g_free (cap);
}
