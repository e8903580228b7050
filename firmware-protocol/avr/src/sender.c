/*
 * Stop-and-wait sender. The timeout doubles only on an actual timeout;
 * an ACK or a new session resets it to 1 s. NAK CRC/FORMAT/RANGE (probably
 * line noise) earns one immediate resend per vote; after that, and for
 * BUSY/STORAGE/TYPE/unknown reasons, the NAK is treated as "no ACK coming":
 * the running timer decides when to resend, exactly like a timeout.
 */
#include "sender.h"
#include "hl_config.h"
#include "vote_ring.h"
#include "hl_pgm.h"

static uint8_t inflight;
static uint8_t slot_of;
static hl_vote_t vote;
static uint32_t timeout;
static uint32_t deadline;
static uint8_t send_now;
static uint8_t nak_resent;
static uint8_t bad_naks;

void hl_sender_init(void)
{
    inflight = 0;
    timeout = HL_RESEND_FIRST_MS;
}

void hl_sender_restart(void)
{
    /* Re-picking the oldest vote also clears its per-vote NAK state. */
    inflight = 0;
    timeout = HL_RESEND_FIRST_MS;
}

uint8_t hl_sender_due(uint32_t now, uint8_t can_send, hl_vote_t *v, uint8_t *slot)
{
    if (!can_send) return 0;
    if (!inflight) {
        if (hl_ring_pending() == 0 || !hl_ring_oldest(&vote, &slot_of)) return 0;
        inflight = 1;
        send_now = 1;
        nak_resent = 0;
        bad_naks = 0;
    }
    if (!send_now && (int32_t)(now - deadline) < 0) return 0;
    if (!hl_ring_committed()) return 0;
    *v = vote;
    *slot = slot_of;
    return 1;
}

void hl_sender_sent(uint32_t now)
{
    /* A resend after a timeout doubles the next wait, capped at 30 s (§7.2). */
    if (!send_now) timeout = timeout * 2u > HL_RESEND_MAX_MS ? HL_RESEND_MAX_MS : timeout * 2u;
    send_now = 0;
    deadline = now + timeout;
}

uint8_t hl_sender_ack(uint32_t seq)
{
    if (!inflight || seq != vote.seq) return 0;
    hl_ring_done(slot_of);
    inflight = 0;
    timeout = HL_RESEND_FIRST_MS;
    return 1;
}

/* True when r[0..n) is the flash string `word` (kept out of RAM). */
static uint8_t is_P(const uint8_t *r, uint8_t n, const char *word, uint8_t wlen)
{
    return n == wlen && hl_pgm_cmp(r, word, n) == 0;
}

#define IS(word) is_P(reason, reason_len, PSTR(word), (uint8_t)(sizeof(word) - 1))

uint8_t hl_sender_nak(uint32_t seq, const uint8_t *reason, uint8_t reason_len)
{
    /* A NAK applies to the vote in flight if it names its seq, or 0 (no readable seq). */
    uint8_t applies = inflight && (seq == vote.seq || seq == 0);
    if (IS("VERSION") && (seq == 0 || applies)) return HL_NAK_VERSION;
    if (!applies) return HL_NAK_NONE;
    if (IS("HELLO")) return HL_NAK_HELLO;
    uint8_t format = IS("FORMAT") || IS("RANGE");
    if (format || IS("CRC")) {
        if (format && bad_naks < 255) bad_naks++;
        if (!nak_resent) {
            nak_resent = 1;
            send_now = 1;
        }
    }
    return HL_NAK_NONE;
}

uint8_t hl_sender_troubled(void)
{
    return inflight && bad_naks >= 2;
}
