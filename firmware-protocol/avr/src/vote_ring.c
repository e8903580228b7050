/*
 * Vote ring in EEPROM, layout 2 (ee_map.h, vote_record.h). The marker is
 * PENDING only when it reads exactly HL_MARK_PENDING; any other value
 * (erased 0xFF, a torn write) means done.
 *
 * Write order, and why a power cut at any byte is safe:
 *   0. the seq base, when the new seq is HL_SEQ_BASE_STEP above it (copy A,
 *      then B): either copy leaves every stored record decodable
 *   1. marker := DONE (skipped when it already is; it normally is)
 *   2. the 5 record bytes (packed word, CRC)
 *   3. marker := PENDING; only then may the VOTE be sent (terminal waits for
 *      hl_ring_committed()).
 * During 2 the slot is either invalid (CRC) or a valid record marked DONE,
 * so an old ACKed vote can never reappear as pending, and a half-written
 * record is never sent. A cut during 2 or 3 loses only the vote being
 * written, which was never transmitted (§7.1: reusing its seq is then safe;
 * if the record landed whole, its seq is consumed and next starts above it).
 * An ACK writes only the marker: a torn marker reads as done, so an ACKed
 * vote never comes back.
 *
 * Press times (§5.3 ageMs) live in RAM only, as the gap from the previous
 * press, 2 bytes per vote: exact to the ms for gaps under 4.096 s, within
 * 1/2048 of the gap above that (a 12-bit mantissa and a shift), up to 37 h.
 * Seqs of the votes pressed since boot are consecutive, so the gaps sit in
 * an array indexed by raw seq, and a press time is the newest press's exact
 * time minus the gaps after it, so they come out in press order. 147
 * 4-byte times (588 B) would not fit the 1 KB static RAM budget with the
 * rest.
 */
#include "vote_ring.h"
#include "ee_map.h"
#include "ee_queue.h"
#include "ring_migrate.h"

/* Largest gap a 2-byte gap holds: 4095 << 15 ms, 37.3 h. */
#define GAP_MAX (4095UL << 15)

static uint8_t pending_bits[(HL_RING_SLOTS + 7) / 8];
/* Gap before the press of raw seq r, at r % HL_RING_SLOTS (encoded, see gap_encode). */
static uint16_t press_gap[HL_RING_SLOTS];
/* Exact time of the newest press, and the first raw seq pressed since boot. */
static uint32_t last_press;
static uint32_t boot_seq;
static uint8_t pending_count;
/* Slot of the highest seq stored; the next record goes after it. */
static uint8_t head;
/* Records hold raw seqs; the wire seq is raw + seq_offset (PROTOCOL.md §7.6). */
static uint32_t next_seq;
static uint32_t seq_offset;
/* High bits of every record's seq (vote_record.c). */
static uint32_t seq_base;
/* Write ticket of the newest record's last byte (its PENDING marker). */
static uint16_t head_ticket;

static uint8_t bit_get(const uint8_t *bits, uint8_t i) { return (uint8_t)((bits[i >> 3] >> (i & 7)) & 1u); }
static void bit_set(uint8_t *bits, uint8_t i) { bits[i >> 3] |= (uint8_t)(1u << (i & 7)); }
static void bit_clear(uint8_t *bits, uint8_t i) { bits[i >> 3] &= (uint8_t)~(1u << (i & 7)); }

/* A gap in ms as 4 bits of shift and 12 of mantissa: exact below 4096 ms. */
static uint16_t gap_encode(uint32_t ms)
{
    if (ms > GAP_MAX) ms = GAP_MAX;
    uint8_t e = 0;
    while (ms > 4095u) {
        ms >>= 1;
        e++;
    }
    return (uint16_t)(((uint16_t)e << 12) | (uint16_t)ms);
}

static uint32_t gap_decode(uint16_t g) { return (uint32_t)(g & 0x0FFFu) << (g >> 12); }

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
    hl_ring_migrate();
    seq_offset = 0;
    hl_ee_load_u32x2(HL_EE_SEQ_OFFSET_A, HL_EE_SEQ_OFFSET_B, &seq_offset);
    seq_base = 0;
    hl_ee_load_u32x2(HL_EE_SEQ_BASE_A, HL_EE_SEQ_BASE_B, &seq_base);
    /* Votes wait for those repairs too (hl_ring_committed). */
    head_ticket = hl_ee_ticket();
    head = HL_RING_SLOTS - 1;
    pending_count = 0;
    for (uint8_t i = 0; i < sizeof pending_bits; i++) pending_bits[i] = 0;
    /* The base is a seq stored or used, so the counter starts above it too. */
    uint32_t max_seq = seq_base;
    for (uint8_t s = 0; s < HL_RING_SLOTS; s++) {
        hl_vote_t v;
        if (!hl_rec_read(s, seq_base, &v)) continue;
        /* Done records count too: seq must stay above everything ever stored. */
        if (v.seq >= max_seq) {
            max_seq = v.seq;
            head = s;
        }
        if (hl_rec_marked_pending(s)) {
            bit_set(pending_bits, s);
            pending_count++;
        }
    }
    next_seq = max_seq + 1;
    /* Votes stored before this boot have no press time (§7.5). */
    boot_seq = next_seq;
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
    hl_vote_t v = { next_seq, button, reason, flags };
    if (v.seq - seq_base > HL_SEQ_BASE_STEP) {
        /* Before the record: with either copy of the base, every record stays decodable. */
        seq_base = v.seq - 1u;
        hl_ee_write_u32x2(HL_EE_SEQ_BASE_A, HL_EE_SEQ_BASE_B, seq_base);
    }
    uint8_t body[HL_REC_BODY];
    hl_rec_pack(body, &v);
    hl_rec_write(slot, body, 1);
    head_ticket = hl_ee_ticket();

    bit_set(pending_bits, slot);
    press_gap[v.seq % HL_RING_SLOTS] = gap_encode(v.seq == boot_seq ? 0 : now - last_press);
    last_press = now;
    pending_count++;
    head = slot;
    next_seq = v.seq + 1;
    return v.seq + seq_offset;
}

/* Lowest pending raw seq >= min; drops records that went bad since boot. */
static uint8_t lowest_from(uint32_t min, hl_vote_t *v, uint8_t *slot)
{
    uint8_t found = 0;
    for (uint8_t s = 0; s < HL_RING_SLOTS; s++) {
        if (!bit_get(pending_bits, s)) continue;
        hl_vote_t cand;
        if (!hl_rec_read(s, seq_base, &cand)) {
            /* Corrupted since boot (it was valid then): nothing left to send. */
            bit_clear(pending_bits, s);
            pending_count--;
            continue;
        }
        if (cand.seq >= min && (!found || cand.seq < v->seq)) {
            *v = cand;
            *slot = s;
            found = 1;
        }
    }
    if (found) v->seq += seq_offset;
    return found;
}

uint8_t hl_ring_oldest(hl_vote_t *v, uint8_t *slot) { return lowest_from(0, v, slot); }

uint8_t hl_ring_after(uint32_t seq, hl_vote_t *v, uint8_t *slot)
{
    /* Wire seqs of pending votes are all above the offset. */
    uint32_t raw = seq < seq_offset ? 0 : seq - seq_offset;
    return lowest_from(raw + 1u, v, slot);
}

uint8_t hl_ring_committed(void) { return hl_ee_committed(head_ticket); }

uint32_t hl_ring_age(uint8_t slot, uint32_t seq, uint32_t now)
{
    (void)slot;
    uint32_t raw = seq - seq_offset;
    if (raw < boot_seq || raw >= next_seq) return 0xFFFFFFFFUL;
    /*
     * The newest press's age plus the gaps of every press after this one.
     * Those are still pending (ACKs free votes oldest first), so their gaps
     * are still in the array: 147 of them at most.
     */
    uint32_t age = now - last_press;
    for (uint32_t r = raw + 1u; r != next_seq; r++) age += gap_decode(press_gap[r % HL_RING_SLOTS]);
    return age == 0xFFFFFFFFUL ? 0xFFFFFFFEUL : age; /* 0xFFFFFFFF means unknown (§5.3) */
}

void hl_ring_done(uint8_t slot)
{
    if (!bit_get(pending_bits, slot)) return;
    hl_ee_put((uint16_t)(hl_rec_addr(slot) + HL_EE_SLOT_MARK), HL_MARK_DONE);
    /*
     * The next VOTE waits for this marker too (hl_ring_committed): with the
     * done mark durable before the next vote is sent, a pending vote below
     * the bridge's mark can only mean lost history (§7.6).
     */
    head_ticket = hl_ee_ticket();
    bit_clear(pending_bits, slot);
    pending_count--;
}

uint8_t hl_ring_continue_above(uint32_t mark, uint8_t wmax)
{
    hl_vote_t v;
    uint8_t s;
    uint8_t any = hl_ring_oldest(&v, &s);
    uint32_t next = next_seq + seq_offset;
    /*
     * A box with its history intact only ever sent, and not durably marked
     * done, its wmax oldest pending votes (an ACK's done marks are durable
     * before the window slides past them), and the bridge only stores seqs
     * it was sent: so its oldest pending vote is above mark - wmax and its
     * next seq above the mark. Pending votes from mark - wmax + 1 up to the
     * mark are a window whose ACK was lost: they keep their seqs (§7.6).
     */
    uint32_t low = any && v.seq < next ? v.seq : next;
    if (!((any && mark >= wmax && v.seq <= mark - wmax) || next <= mark)) return 0;
    uint32_t shift = mark + 1u - low;
    /* Keep the erased pattern unreachable; 136 years of presses away in practice. */
    if (seq_offset + shift < seq_offset || next_seq + seq_offset + shift + HL_RING_SLOTS < next_seq) return 0;
    /*
     * One atomic change renumbers every pending vote and the counter:
     * wire seq = record seq + offset. Copy A, then copy B (see
     * hl_ee_read_u32x2). Records are not rewritten, so no vote is ever
     * half-moved.
     */
    seq_offset += shift;
    hl_ee_write_u32x2(HL_EE_SEQ_OFFSET_A, HL_EE_SEQ_OFFSET_B, seq_offset);
    head_ticket = hl_ee_ticket();
    return 1;
}
