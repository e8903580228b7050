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
/* Records hold raw seqs; the wire seq is raw + seq_offset (PROTOCOL.md §7.6). */
static uint32_t next_seq;
static uint32_t seq_offset;
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

/* Reads one copy of the seq offset; returns 1 when it is valid. */
static uint8_t read_offset(uint16_t at, uint32_t *out)
{
    uint8_t r[5];
    for (uint8_t i = 0; i < sizeof r; i++) r[i] = hl_ee_get((uint16_t)(at + i));
    uint32_t v = (uint32_t)r[0] | ((uint32_t)r[1] << 8) | ((uint32_t)r[2] << 16) | ((uint32_t)r[3] << 24);
    /* Erased EEPROM (all 0xFF) is no offset, whatever its CRC says. */
    if (hl_crc8(r, 4) != r[4] || v == 0xFFFFFFFFUL) return 0;
    *out = v;
    return 1;
}

/* Queues one copy of the seq offset. */
static void write_offset(uint16_t at, uint32_t v)
{
    uint8_t r[5] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24), 0 };
    r[4] = hl_crc8(r, 4);
    for (uint8_t i = 0; i < sizeof r; i++) hl_ee_put((uint16_t)(at + i), r[i]);
}

void hl_ring_init(void)
{
    uint32_t max_seq = 0;
    /*
     * Copy A is written completely before copy B, so a torn write leaves one
     * of them valid: A when B was being written (A is new), B when A was
     * (B is old, and nothing was sent with the new offset yet).
     */
    seq_offset = 0;
    if (!read_offset(HL_EE_SEQ_OFFSET_A, &seq_offset)) read_offset(HL_EE_SEQ_OFFSET_B, &seq_offset);
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
    return pending_count >= HL_RING_SLOTS || next_seq == 0xFFFFFFFFUL || next_seq + seq_offset < next_seq ||
           next_seq + seq_offset == 0xFFFFFFFFUL;
}

uint32_t hl_ring_next_seq(void) { return next_seq + seq_offset; }

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
    return seq + seq_offset;
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
    if (found) v->seq += seq_offset;
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
    /*
     * The next VOTE waits for this marker too (hl_ring_committed): with the
     * done mark durable before the next vote is sent, a pending vote below
     * the bridge's mark can only mean lost history (§7.6).
     */
    head_ticket = hl_ee_ticket();
    bit_clear(pending_bits, slot);
    bit_clear(known_bits, slot);
    pending_count--;
}

uint8_t hl_ring_continue_above(uint32_t mark)
{
    hl_vote_t v;
    uint8_t s;
    uint8_t any = hl_ring_oldest(&v, &s);
    uint32_t next = next_seq + seq_offset;
    /*
     * A box with its history intact never has a pending vote below the mark
     * (it sends vote k only once k-1 is durably done, and the bridge only
     * stores seqs it was sent) and its next seq is above the mark. A pending
     * vote equal to the mark is the normal lost-ACK resend: it keeps its seq.
     */
    uint32_t low = any && v.seq < next ? v.seq : next;
    if (!((any && v.seq < mark) || next <= mark)) return 0;
    uint32_t shift = mark + 1u - low;
    /* Keep the erased pattern unreachable; 136 years of presses away in practice. */
    if (seq_offset + shift < seq_offset || next_seq + seq_offset + shift + HL_RING_SLOTS < next_seq) return 0;
    /*
     * One atomic change renumbers every pending vote and the counter:
     * wire seq = record seq + offset. Copy A, then copy B (see hl_ring_init).
     * Records are not rewritten, so no vote is ever half-moved.
     */
    seq_offset += shift;
    write_offset(HL_EE_SEQ_OFFSET_A, seq_offset);
    write_offset(HL_EE_SEQ_OFFSET_B, seq_offset);
    head_ticket = hl_ee_ticket();
    return 1;
}

