/*
 * Vote ring in EEPROM. Slot = { seq u32 LE, button, reason, flags, crc8 }
 * + done marker (ee_map.h). The marker is PENDING only when it reads exactly
 * MARK_PENDING; any other value (erased 0xFF, a torn write) means done.
 *
 * Write order, and why a power cut at any byte is safe:
 *   1. marker := DONE (skipped when it already is; it normally is)
 *   2. the 8 record bytes (seq, button, reason, flags, crc)
 *   3. marker := PENDING; only then may the VOTE be sent (terminal waits for
 *      hl_ee_idle()).
 * During 2 the slot is either invalid (CRC) or a valid record marked DONE,
 * so an old ACKed vote can never reappear as pending, and a half-written
 * record is never sent. A cut during 2 or 3 loses only the vote being
 * written, which was never transmitted (§7.1: reusing its seq is then safe;
 * if the record landed whole, its seq is consumed and next starts above it).
 * An ACK writes only the marker (step "DONE"): a torn marker reads as done,
 * so an ACKed vote never comes back.
 */
#include "vote_ring.h"
#include "crc8.h"
#include "ee_map.h"
#include "ee_queue.h"

/* Marker byte of a stored, unacknowledged vote. */
#define MARK_PENDING 0x00
/* Marker byte of a vote ACKed, or of an unused slot (erased EEPROM reads 0xFF). */
#define MARK_DONE 0xFF
/* Record bytes covered by the CRC. */
#define REC_BODY 7

static uint8_t pending_bits[(HL_RING_SLOTS + 7) / 8];
static uint8_t known_bits[(HL_RING_SLOTS + 7) / 8];
static uint32_t press_ms[HL_RING_SLOTS];
static uint8_t pending_count;
/* Slot of the highest seq stored; the next record goes after it. */
static uint8_t head;
static uint32_t next_seq;
/* Write ticket of the newest record's last byte (its PENDING marker). */
static uint16_t head_ticket;

static uint8_t bit_get(const uint8_t *bits, uint8_t i) { return (uint8_t)((bits[i >> 3] >> (i & 7)) & 1u); }
static void bit_set(uint8_t *bits, uint8_t i) { bits[i >> 3] |= (uint8_t)(1u << (i & 7)); }
static void bit_clear(uint8_t *bits, uint8_t i) { bits[i >> 3] &= (uint8_t)~(1u << (i & 7)); }

static uint16_t slot_addr(uint8_t slot) { return (uint16_t)(HL_EE_RING + (uint16_t)slot * HL_EE_SLOT_SIZE); }

/* Reads slot into *v; returns 1 when it holds a valid record. */
static uint8_t read_slot(uint8_t slot, hl_vote_t *v)
{
    uint8_t r[REC_BODY + 1];
    uint16_t a = slot_addr(slot);
    for (uint8_t i = 0; i < sizeof r; i++) r[i] = hl_ee_get((uint16_t)(a + i));
    if (hl_crc8(r, REC_BODY) != r[REC_BODY]) return 0;
    v->seq = (uint32_t)r[0] | ((uint32_t)r[1] << 8) | ((uint32_t)r[2] << 16) | ((uint32_t)r[3] << 24);
    v->button = r[4];
    v->reason = r[5];
    v->flags = r[6];
    /* seq 0 never exists and 0xFFFFFFFF is erased EEPROM: neither is a vote. */
    return v->seq != 0 && v->seq != 0xFFFFFFFFUL && v->button >= 1 && v->button <= 9 && v->reason <= 99 &&
           v->flags <= (HL_VF_COOLDOWN | HL_VF_GATED);
}

/* Queues a whole record in the safe order of the header: DONE, body, PENDING. */
static void write_record(uint8_t slot, uint32_t seq, uint8_t button, uint8_t reason, uint8_t flags)
{
    uint8_t r[REC_BODY + 1] = { (uint8_t)seq, (uint8_t)(seq >> 8), (uint8_t)(seq >> 16), (uint8_t)(seq >> 24),
                                button, reason, flags, 0 };
    r[REC_BODY] = hl_crc8(r, REC_BODY);
    uint16_t a = slot_addr(slot);
    hl_ee_put((uint16_t)(a + HL_EE_SLOT_MARK), MARK_DONE);
    for (uint8_t i = 0; i < sizeof r; i++) hl_ee_put((uint16_t)(a + i), r[i]);
    hl_ee_put((uint16_t)(a + HL_EE_SLOT_MARK), MARK_PENDING);
}

/* The slot after the newest record that holds no pending vote; requires a non-full ring. */
static uint8_t free_slot_after_head(void)
{
    uint8_t slot = head;
    do {
        slot = (uint8_t)((slot + 1) % HL_RING_SLOTS);
    } while (bit_get(pending_bits, slot));
    return slot;
}

void hl_ring_init(void)
{
    uint32_t max_seq = 0;
    head_ticket = hl_ee_ticket();
    head = HL_RING_SLOTS - 1;
    pending_count = 0;
    for (uint8_t i = 0; i < sizeof pending_bits; i++) {
        pending_bits[i] = 0;
        known_bits[i] = 0;
    }
    for (uint8_t s = 0; s < HL_RING_SLOTS; s++) {
        hl_vote_t v;
        if (!read_slot(s, &v)) continue;
        /* Done records count too: seq must stay above everything ever stored. */
        if (v.seq > max_seq) {
            max_seq = v.seq;
            head = s;
        }
        if (hl_ee_get((uint16_t)(slot_addr(s) + HL_EE_SLOT_MARK)) == MARK_PENDING) {
            bit_set(pending_bits, s);
            pending_count++;
        }
    }
    next_seq = max_seq + 1;
}

uint8_t hl_ring_pending(void) { return pending_count; }

uint8_t hl_ring_full(void)
{
    /* 0xFFFFFFFF is the erased pattern, so the last usable seq is 0xFFFFFFFE (136 years away). */
    return pending_count >= HL_RING_SLOTS || next_seq == 0xFFFFFFFFUL;
}

uint32_t hl_ring_next_seq(void) { return next_seq; }

uint32_t hl_ring_append(uint8_t button, uint8_t reason, uint8_t flags, uint32_t now)
{
    if (hl_ring_full()) return 0;
    /* The slot after the newest record, skipping pending ones (normally none). */
    uint8_t slot = free_slot_after_head();

    uint32_t seq = next_seq;
    write_record(slot, seq, button, reason, flags);
    head_ticket = hl_ee_ticket();

    bit_set(pending_bits, slot);
    bit_set(known_bits, slot);
    press_ms[slot] = now;
    pending_count++;
    head = slot;
    next_seq = seq + 1;
    return seq;
}

uint8_t hl_ring_oldest(hl_vote_t *v, uint8_t *slot)
{
    uint8_t found = 0;
    for (uint8_t s = 0; s < HL_RING_SLOTS; s++) {
        if (!bit_get(pending_bits, s)) continue;
        hl_vote_t cand;
        if (!read_slot(s, &cand)) {
            /* Corrupted since boot (it was valid then): nothing left to send. */
            bit_clear(pending_bits, s);
            pending_count--;
            continue;
        }
        if (!found || cand.seq < v->seq) {
            *v = cand;
            *slot = s;
            found = 1;
        }
    }
    return found;
}

uint8_t hl_ring_committed(void)
{
    return hl_ee_committed(head_ticket);
}

uint8_t hl_ring_press_time(uint8_t slot, uint32_t *at)
{
    if (!bit_get(known_bits, slot)) return 0;
    *at = press_ms[slot];
    return 1;
}

void hl_ring_done(uint8_t slot)
{
    if (!bit_get(pending_bits, slot)) return;
    hl_ee_put((uint16_t)(slot_addr(slot) + HL_EE_SLOT_MARK), MARK_DONE);
    bit_clear(pending_bits, slot);
    bit_clear(known_bits, slot);
    pending_count--;
}

uint8_t hl_ring_continue_above(uint32_t mark)
{
    /*
     * A box with its history intact always has next_seq > mark: the bridge
     * only stores seqs the box sent. next_seq <= mark means the EEPROM lost
     * its records (re-flashed without EESAVE), so the box's unsent votes
     * would be DUPs of old ones and lost (PROTOCOL.md §7.6).
     */
    if (next_seq > mark) return 0;
    /* Keep the erased pattern 0xFFFFFFFF unreachable (hl_ring_full). */
    if (mark > 0xFFFFFFFEUL - 1u - HL_RING_SLOTS) return 0;
    next_seq = mark + 1;
    hl_vote_t v;
    uint8_t s;
    /*
     * Oldest first, so the order of the presses is kept. Each vote is copied
     * to a free slot with its new seq before its old record is marked done:
     * a power cut in between leaves both, the old one is then answered DUP
     * and the copy counted, so nothing is lost or counted twice. Only a ring
     * with no free slot (every slot pending) is renumbered in place, where a
     * cut during the ~35 ms record write loses that one vote.
     */
    while (hl_ring_oldest(&v, &s) && v.seq <= mark) {
        uint8_t dest = pending_count < HL_RING_SLOTS ? free_slot_after_head() : s;
        write_record(dest, next_seq++, v.button, v.reason, v.flags);
        if (dest != s) {
            hl_ee_put((uint16_t)(slot_addr(s) + HL_EE_SLOT_MARK), MARK_DONE);
            bit_clear(pending_bits, s);
            bit_set(pending_bits, dest);
            if (bit_get(known_bits, s)) {
                bit_set(known_bits, dest);
                press_ms[dest] = press_ms[s];
            } else {
                bit_clear(known_bits, dest);
            }
            bit_clear(known_bits, s);
        }
        head = dest;
    }
    head_ticket = hl_ee_ticket();
    return 1;
}
