/*
 * Stream framing per PROTOCOL.md §9.1 ("Stream decoding"): a `$` always
 * starts a frame (a partial one is reported `truncated`), bytes outside a
 * frame are reported once per run as `missing-start`, a CR not followed by
 * LF is a data byte, and a frame over 120 bytes is reported `too-long` once
 * when it ends. The receiver stores at most HL_MAX_FRAME bytes, so noise
 * can never grow memory use (§9.3).
 */
#include "line_rx.h"
#include "decode.h"
#include <string.h>

enum { IDLE, NOISE, FRAME, OVERFLOW };

void hl_line_rx_init(hl_line_rx_t *rx)
{
    rx->len = 0;
    rx->state = IDLE;
    rx->pending_cr = 0;
}

static void stream_error(hl_msg_t *m, uint8_t code)
{
    memset(m, 0, sizeof *m);
    m->error = code;
    m->type = HL_TYPE_NONE;
    m->field = HL_FIELD_LINE;
}

/* Reports the current line and returns to IDLE; `interrupted` = ended by `$`. */
static void finish(hl_line_rx_t *rx, uint8_t interrupted, hl_msg_t *m)
{
    if (rx->state == FRAME && !interrupted)
        hl_decode(rx->buf, rx->len, m);
    else if (rx->state == FRAME)
        stream_error(m, HL_E_TRUNCATED);
    else if (rx->state == OVERFLOW)
        stream_error(m, HL_E_TOO_LONG);
    else
        stream_error(m, HL_E_MISSING_START);
    rx->state = IDLE;
    rx->len = 0;
}

/* One line byte other than the terminator; returns 1 if it ended a line. */
static uint8_t data(hl_line_rx_t *rx, uint8_t c, hl_msg_t *m)
{
    uint8_t done = 0;
    if (c == '$') {
        if (rx->state != IDLE) {
            finish(rx, 1, m);
            done = 1;
        }
        rx->state = FRAME;
        rx->buf[0] = '$';
        rx->len = 1;
        return done;
    }
    if (rx->state == IDLE) rx->state = NOISE;
    if (rx->len < HL_MAX_FRAME)
        rx->buf[rx->len++] = c;
    else if (rx->state == FRAME)
        rx->state = OVERFLOW;
    return 0;
}

uint8_t hl_line_rx_push(hl_line_rx_t *rx, uint8_t c, hl_msg_t *m)
{
    if (c == '\n') {
        rx->pending_cr = 0;
        /* A bare LF or CRLF between lines is a blank line: ignored silently. */
        if (rx->state == IDLE) return 0;
        finish(rx, 0, m);
        return 1;
    }
    uint8_t done = 0;
    if (rx->pending_cr) {
        /* The CR was not followed by LF: it belongs to the line. A CR never
         * ends a line, so this cannot produce a result. */
        rx->pending_cr = 0;
        data(rx, '\r', m);
    }
    if (c == '\r')
        rx->pending_cr = 1;
    else
        done = data(rx, c, m);
    return done;
}
