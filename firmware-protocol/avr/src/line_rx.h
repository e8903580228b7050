/*
 * Incremental receiver for the serial byte stream: splits lines at LF (CR
 * optional), resynchronises at every `$`, reports noise, and never holds
 * more than HL_MAX_FRAME bytes however long a line runs. A mirror of
 * FrameDecoder in firmware-protocol/src/frame-decoder.ts.
 */
#ifndef HL_LINE_RX_H
#define HL_LINE_RX_H

#include <stdint.h>
#include "proto.h"

/* Receiver state; the frame is decoded in place from buf. */
typedef struct {
    uint8_t buf[HL_MAX_FRAME];
    uint8_t len;       /* bytes stored in buf */
    uint8_t state;     /* IDLE, NOISE, FRAME, OVERFLOW */
    uint8_t pending_cr;
} hl_line_rx_t;

/* Empties the receiver (power-up, or a port that closed mid-line). */
void hl_line_rx_init(hl_line_rx_t *rx);

/*
 * Feeds one byte. Returns 1 when the byte completed a line: *m then holds
 * its result (a message, a frame error, or truncated / too-long /
 * missing-start for the stream errors). A byte completes at most one line.
 */
uint8_t hl_line_rx_push(hl_line_rx_t *rx, uint8_t c, hl_msg_t *m);

#endif
