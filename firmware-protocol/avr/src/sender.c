/*
 * The send window (PROTOCOL.md §7.7). The votes in flight are the pending
 * votes with a wire seq up to `sent_upto`: always the oldest ones, since
 * votes are sent in seq order and only ACKs (cumulative, oldest first)
 * complete them. `cursor` is the seq of the last vote transmitted in the
 * current pass; going back N sets it to 0, so the oldest in flight goes
 * out again first. One timer serves the window: it starts when the oldest
 * vote in flight is (re)sent or when a vote is sent with none in flight,
 * restarts when an ACK completes some and leaves others in flight, and
 * stops when none are. Its timeout doubles only on an actual expiry; an ACK
 * or a new session resets it to 1 s. NAK CRC/FORMAT/RANGE (probably line
 * noise) earns one immediate go-back-N per completion; after that, and for
 * BUSY/STORAGE/TYPE/unknown reasons, the NAK is "no ACK coming": the
 * running timer decides, exactly like a timeout.
 */
#include "sender.h"
#include "hl_config.h"
#include "hl_pgm.h"
#include "vote_ring.h"

static uint8_t asked = HL_WINDOW;
static uint8_t window;
/* An ACK has completed a vote in this session: the window may open past 1. */
static uint8_t opened;
static uint8_t inflight;
static uint32_t sent_upto;
static uint32_t cursor;
static uint32_t timeout;
static uint32_t deadline;
static uint8_t nak_resent;
static uint8_t bad_naks;
/* Set by hl_sender_due for hl_sender_sent: the vote about to go out, and whether it is a resend. */
static uint32_t due_seq;
static uint8_t due_timer;

void hl_sender_init(void)
{
    hl_sender_restart(0);
}

uint8_t hl_sender_asked(void) { return asked; }

void hl_sender_set_asked(uint8_t w) { asked = w == 0 ? 1 : w; }

void hl_sender_restart(uint32_t granted)
{
    window = granted == 0 ? 1 : granted < asked ? (uint8_t)granted : asked;
    opened = 0;
    inflight = 0;
    sent_upto = 0;
    cursor = 0;
    timeout = HL_RESEND_FIRST_MS;
    nak_resent = 0;
    bad_naks = 0;
}

/* Go back N: the oldest vote in flight is the next to go out (again). */
static void go_back(void) { cursor = 0; }

uint8_t hl_sender_due(uint32_t now, uint8_t can_send, hl_vote_t *v, uint8_t *slot)
{
    if (!can_send) return 0;
    if (inflight && (int32_t)(now - deadline) >= 0 && cursor != 0) {
        /* Expired: go back N with a doubled timeout (§7.2 1, 2, 4, 8, 16, 30, 30 s). */
        timeout = timeout * 2u > HL_RESEND_MAX_MS ? HL_RESEND_MAX_MS : timeout * 2u;
        go_back();
    }
    uint8_t resend = cursor < sent_upto;
    /* The first vote of a session goes alone (§7.7). */
    uint8_t room = inflight < (opened ? window : 1) && hl_ring_pending() > inflight;
    if (!resend && !room) return 0;
    /* Done marks of an ACK, and the record of a new vote, go to EEPROM before the window slides. */
    if (!hl_ring_committed()) return 0;
    if (!hl_ring_after(cursor, v, slot)) return 0;
    if (!resend && v->seq <= sent_upto) return 0;
    due_seq = v->seq;
    /* The timer (re)starts with the oldest vote in flight, or with a first vote in flight. */
    due_timer = cursor == 0 || inflight == 0;
    return 1;
}

void hl_sender_sent(uint32_t now)
{
    if (due_timer) deadline = now + timeout;
    cursor = due_seq;
    if (due_seq > sent_upto) {
        sent_upto = due_seq;
        inflight++;
    }
}

uint8_t hl_sender_ack(uint32_t seq, uint32_t now)
{
    hl_vote_t v;
    uint8_t slot, n = 0;
    /* Only a seq in flight counts; then it completes every vote in flight below it too (§7.7). */
    if (!inflight || seq > sent_upto || !hl_ring_oldest(&v, &slot) || seq < v.seq) return 0;
    while (v.seq <= seq) {
        uint32_t done = v.seq;
        hl_ring_done(slot);
        n++;
        if (!hl_ring_after(done, &v, &slot)) break;
    }
    inflight = (uint8_t)(inflight > n ? inflight - n : 0);
    if (cursor < seq) cursor = seq;
    opened = 1;
    timeout = HL_RESEND_FIRST_MS;
    deadline = now + timeout;
    nak_resent = 0;
    bad_naks = 0;
    return n;
}

/* True when r[0..n) is the flash string `word` (kept out of RAM). */
static uint8_t is_P(const uint8_t *r, uint8_t n, const char *word, uint8_t wlen)
{
    return n == wlen && hl_pgm_cmp(r, word, n) == 0;
}

#define IS(word) is_P(reason, reason_len, PSTR(word), (uint8_t)(sizeof(word) - 1))

uint8_t hl_sender_nak(uint32_t seq, const uint8_t *reason, uint8_t reason_len, uint8_t active)
{
    hl_vote_t v;
    uint8_t slot;
    if (!active) return seq == 0 && IS("VERSION") ? HL_NAK_VERSION : HL_NAK_NONE;
    /* A NAK concerns the window if it names a vote in flight, or 0 (no readable seq) while any is. */
    uint8_t applies = inflight && (seq == 0 || (seq <= sent_upto && hl_ring_oldest(&v, &slot) && seq >= v.seq));
    if (IS("VERSION") && (seq == 0 || applies)) return HL_NAK_VERSION;
    if (!applies) return HL_NAK_NONE;
    if (IS("HELLO")) return HL_NAK_HELLO;
    uint8_t format = IS("FORMAT") || IS("RANGE");
    if (format || IS("CRC")) {
        if (format && bad_naks < 255) bad_naks++;
        if (!nak_resent) {
            /* Once per completion; the timeout is not doubled, the timer restarts with the resend. */
            nak_resent = 1;
            go_back();
        }
    }
    return HL_NAK_NONE;
}

uint8_t hl_sender_troubled(void)
{
    return inflight && bad_naks >= 2;
}
