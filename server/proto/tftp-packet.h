/* TFTP packets: bytes <-> BcTftpPacket (RFC 1350; options RFC 2347, blksize RFC 2348,
 * timeout and tsize RFC 2349, windowsize RFC 7440), and option negotiation as a pure
 * function. No sockets, no clock. All wire data is hostile: every string must end
 * with a NUL inside the packet, every length is checked before use. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define BC_TFTP_ERROR (bc_tftp_error_quark ())
GQuark bc_tftp_error_quark (void);

/* Parse errors. The matching wire error code to answer with is in the comment. */
typedef enum
{
  BC_TFTP_ERROR_TRUNCATED, /* shorter than its opcode needs (4: illegal operation) */
  BC_TFTP_ERROR_MALFORMED, /* string without NUL, option without value, bad number (4) */
  BC_TFTP_ERROR_OPCODE,    /* unknown opcode (4) */
} BcTftpError;

typedef enum
{
  BC_TFTP_OP_RRQ = 1,
  BC_TFTP_OP_WRQ = 2,
  BC_TFTP_OP_DATA = 3,
  BC_TFTP_OP_ACK = 4,
  BC_TFTP_OP_ERROR = 5,
  BC_TFTP_OP_OACK = 6, /* RFC 2347 */
} BcTftpOpcode;

/* RFC 1350 §5 error codes, plus 8 from RFC 2347. */
typedef enum
{
  BC_TFTP_ERR_UNDEFINED = 0,
  BC_TFTP_ERR_NOT_FOUND = 1,
  BC_TFTP_ERR_ACCESS = 2,
  BC_TFTP_ERR_DISK_FULL = 3,
  BC_TFTP_ERR_ILLEGAL_OP = 4,
  BC_TFTP_ERR_UNKNOWN_TID = 5,
  BC_TFTP_ERR_EXISTS = 6,
  BC_TFTP_ERR_NO_USER = 7,
  BC_TFTP_ERR_OPTIONS = 8,
} BcTftpErrorCode;

#define BC_TFTP_DEFAULT_BLKSIZE 512  /* RFC 1350 */
#define BC_TFTP_MIN_BLKSIZE 8        /* RFC 2348 */
#define BC_TFTP_MAX_BLKSIZE 65464    /* RFC 2348: 65535 - 20 (IP) - 8 (UDP) - 4 (TFTP) - 39 */
#define BC_TFTP_MAX_WINDOWSIZE 65535 /* RFC 7440 */
#define BC_TFTP_MAX_PACKET (4 + BC_TFTP_MAX_BLKSIZE)

typedef struct
{
  char *name;  /* lower-cased (RFC 2347: names are case-insensitive) */
  char *value; /* as sent */
} BcTftpOption;

typedef struct
{
  BcTftpOpcode opcode;
  /* RRQ/WRQ */
  char *filename;     /* as sent (not validated as a path: see server/io/root-path.h) */
  char *mode;         /* lower-cased: "octet", "netascii", "mail", or anything else sent */
  GPtrArray *options; /* of BcTftpOption*, wire order; RRQ/WRQ/OACK; never NULL */
  /* DATA/ACK */
  guint16 block;
  /* DATA */
  GBytes *data;
  /* ERROR */
  guint16 error_code;
  char *error_message;
} BcTftpPacket;

BcTftpPacket *bc_tftp_packet_new (BcTftpOpcode opcode);
void bc_tftp_packet_free (BcTftpPacket *packet);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BcTftpPacket, bc_tftp_packet_free)

/* Parse a whole UDP payload. RRQ/WRQ/OACK: filename and mode (not for OACK) then
 * name/value pairs, each NUL-terminated inside the packet (RFC 2347 §"Packet format");
 * a name without a value, or a duplicate name, is malformed. Extra bytes after an
 * ACK's block number are ignored (some clients pad). ERROR without a NUL-terminated
 * message is accepted with the bytes present (the message is only for people).
 * Returns FALSE with BC_TFTP_ERROR; *ret_packet untouched on failure. */
gboolean bc_tftp_packet_parse (const guint8 *data, gsize len, BcTftpPacket **ret_packet,
                               GError **error);

/* The block number of an ACK, without allocating: the server's hot path. Returns
 * FALSE when @data is not an ACK of at least 4 bytes. */
gboolean bc_tftp_packet_peek_ack (const guint8 *data, gsize len, guint16 *ret_block);

/* Serialise any packet (the inverse of parse). Never fails for a packet from
 * bc_tftp_packet_new with its fields set; returns a new GBytes. */
GBytes *bc_tftp_packet_build (const BcTftpPacket *packet);
GBytes *bc_tftp_packet_build_error (guint16 code, const char *message);
GBytes *bc_tftp_packet_build_ack (guint16 block);
/* Writes the 4-byte DATA header into @buf (the caller puts the payload after it). */
void bc_tftp_packet_write_data_header (guint8 *buf, guint16 block);

/* Returns the value of option @name (lower case), borrowed, or NULL. */
const char *bc_tftp_packet_get_option (const BcTftpPacket *packet, const char *name);
void bc_tftp_packet_add_option (BcTftpPacket *packet, const char *name, const char *value);

/* What the server can offer: inputs to negotiation. */
typedef struct
{
  guint max_blksize;    /* path MTU - 20 (IPv4) - 8 (UDP) - 4 (TFTP), capped to 65464 */
  guint max_windowsize; /* at least 1 */
  guint64 file_size;    /* answered to tsize */
} BcTftpLimits;

/* The result: what the transfer uses, and the options to put in an OACK. */
typedef struct
{
  guint blksize;    /* 512 unless negotiated */
  guint windowsize; /* 1 unless negotiated */
  guint timeout_s;  /* 0: not negotiated (the server picks its own retransmission times) */
  GPtrArray *oack;  /* of BcTftpOption*, request order, only options asked for and
                       * accepted; empty: send no OACK, start with DATA block 1 */
} BcTftpNegotiated;

void bc_tftp_negotiated_clear (BcTftpNegotiated *negotiated);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (BcTftpNegotiated, bc_tftp_negotiated_clear)

/* RFC 2347: options the server does not know or cannot accept are left out of the
 * OACK (never an error). Per option:
 *   blksize (RFC 2348) 8..65464: min(asked, limits->max_blksize); asked > 65464 is
 *     treated as 65464 (a server may always answer smaller); < 8 or not a number: ignored.
 *   tsize (RFC 2349): a RRQ carries 0 (iPXE, EDK2) or anything; the answer is the file size.
 *   timeout (RFC 2349) 1..255 seconds: accepted as asked; else ignored.
 *   windowsize (RFC 7440) 1..65535: min(asked, limits->max_windowsize); else ignored.
 * Never fails. @request must be an RRQ (options only read). */
void bc_tftp_negotiate (const BcTftpPacket *request, const BcTftpLimits *limits,
                        BcTftpNegotiated *ret_negotiated);

/* A number as TFTP options carry them: decimal digits only, no sign, no spaces, at
 * most 20 digits, fits a guint64. */
gboolean bc_tftp_parse_number (const char *text, guint64 *ret_value);

/* "RRQ", "DATA", … or "OPCODE-n". Static string. */
const char *bc_tftp_opcode_to_string (guint opcode);

G_END_DECLS
