/*
 * Layout 1 -> layout 2, in place (ee_map.h).
 *
 * Step n (0..63) copies layout-1 slot n into its layout-2 destination D(n):
 * a pending vote as a pending record (same seq, button, reason, flags),
 * anything else as an erased slot. D(n) is layout-2 slot n for n >= 2. A
 * 6-byte slot n starts at byte 6n of the ring and a 9-byte one at 9n, so
 * D(n) only overlaps layout-1 slots below n, which earlier steps have
 * already copied: the source of every step is intact when it runs. Slots 0
 * and 1 would overlap themselves, so they go to the last two slots (145,
 * 146), which lie outside the layout-1 ring. Step 64 erases the slots that
 * no step wrote (0, 1, 64..144), then the layout mark is set.
 *
 * What survives a power cut:
 *   - the seq base is written first: the highest seq layout 1 ever stored,
 *     so the counter never goes back, whatever the later steps overwrite;
 *   - the progress p (two copies, like the seq offset) is written before
 *     step n writes anything, with p = n: slots >= p are then untouched
 *     layout-1 slots and every D(< p) is complete. A boot that finds p
 *     resumes at step p;
 *   - D(n) is written marker DONE, body, marker PENDING (vote_record.c), so
 *     a torn D(n) never looks like a pending vote, and step n runs again;
 *   - until the layout mark reads exactly "H2", the next boot runs
 *     this again; steps that find their destination already right write
 *     nothing (ee_queue.c skips unchanged bytes, and so does this code).
 */
#include "ring_migrate.h"
#include "crc8.h"
#include "ee_map.h"
#include "ee_queue.h"
#include "vote_record.h"

#define STEPS HL_EE_V1_SLOTS

static uint16_t v1_addr(uint8_t slot) { return (uint16_t)(HL_EE_RING + (uint16_t)slot * HL_EE_V1_SLOT_SIZE); }

/* Reads layout-1 slot `slot` (firmware 1.1's read_slot); 1 when it holds a valid record. */
static uint8_t v1_read(uint8_t slot, hl_vote_t *v)
{
    uint8_t r[8];
    uint16_t a = v1_addr(slot);
    for (uint8_t i = 0; i < sizeof r; i++) r[i] = hl_ee_get((uint16_t)(a + i));
    if (hl_crc8(r, 7) != r[7]) return 0;
    v->seq = (uint32_t)r[0] | ((uint32_t)r[1] << 8) | ((uint32_t)r[2] << 16) | ((uint32_t)r[3] << 24);
    v->button = r[4];
    v->reason = r[5];
    v->flags = r[6];
    return v->seq != 0 && v->seq != 0xFFFFFFFFUL && v->button >= 1 && v->button <= 9 && v->reason <= 99 &&
           v->flags <= (HL_VF_COOLDOWN | HL_VF_GATED);
}

static uint8_t v1_pending(uint8_t slot)
{
    return hl_ee_get((uint16_t)(v1_addr(slot) + HL_EE_V1_SLOT_MARK)) == HL_MARK_PENDING;
}

/* Reads one progress copy { p, CRC-8 }; 1 when valid. */
static uint8_t read_progress_copy(uint16_t at, uint8_t *p)
{
    uint8_t r[2] = { hl_ee_get(at), hl_ee_get((uint16_t)(at + 1)) };
    if (hl_crc8(r, 1) != r[1] || r[0] > STEPS) return 0;
    *p = r[0];
    return 1;
}

static void write_progress(uint8_t p)
{
    uint8_t c = hl_crc8(&p, 1);
    hl_ee_put(HL_EE_MIGRATE_A, p);
    hl_ee_put(HL_EE_MIGRATE_A + 1, c);
    hl_ee_put(HL_EE_MIGRATE_B, p);
    hl_ee_put(HL_EE_MIGRATE_B + 1, c);
}

/* Layout-2 slot that step n writes. */
static uint8_t dest(uint8_t n) { return n < 2 ? (uint8_t)(HL_RING_SLOTS - 2 + n) : n; }

/* True when slot already holds exactly body + marker. */
static uint8_t holds(uint8_t slot, const uint8_t body[HL_REC_BODY], uint8_t mark)
{
    uint16_t a = hl_rec_addr(slot);
    for (uint8_t i = 0; i < HL_REC_BODY; i++)
        if (hl_ee_get((uint16_t)(a + i)) != body[i]) return 0;
    return hl_ee_get((uint16_t)(a + HL_EE_SLOT_MARK)) == mark;
}

uint8_t hl_ring_migrate(void)
{
    if (hl_ee_get(HL_EE_LAYOUT) == HL_LAYOUT_2_A && hl_ee_get(HL_EE_LAYOUT + 1) == HL_LAYOUT_2_B) return 0;

    uint32_t base;
    uint8_t p = 0, pb;
    uint8_t have_a = read_progress_copy(HL_EE_MIGRATE_A, &p);
    uint8_t have_b = read_progress_copy(HL_EE_MIGRATE_B, &pb);
    /*
     * A before B on every update: a valid A is the newest; else B is. Both
     * copies are made equal before the next update (as hl_ee_load_u32x2
     * does), so two torn updates in a row never leave neither valid.
     */
    if (!have_a && have_b) p = pb;
    uint8_t have_p = have_a || have_b;
    uint8_t have_base = hl_ee_load_u32x2(HL_EE_SEQ_BASE_A, HL_EE_SEQ_BASE_B, &base);
    /* The base goes out before any progress, so progress without a base is not ours. */
    if (!have_p || !have_base) p = 0;
    else if (!have_a || !have_b || pb != p) write_progress(p);
    if (p == 0) {
        /*
         * Nothing overwritten yet: every layout-1 slot is intact. The base
         * is the highest seq ever stored, done records included, so the
         * counter never goes back whatever the steps overwrite.
         */
        uint32_t max_seq = 0;
        for (uint8_t s = 0; s < STEPS; s++) {
            hl_vote_t v;
            if (v1_read(s, &v) && v.seq > max_seq) max_seq = v.seq;
        }
        /* An erased EEPROM (a new box) needs none: no base reads as 0. */
        if (have_base ? base != max_seq : max_seq != 0) hl_ee_write_u32x2(HL_EE_SEQ_BASE_A, HL_EE_SEQ_BASE_B, max_seq);
    }

    uint8_t durable = p;
    uint8_t wrote = 0;
    for (uint8_t n = p; n <= STEPS; n++) {
        uint8_t body[HL_REC_BODY];
        uint8_t first = n, last = n;
        uint8_t mark = HL_MARK_DONE;
        if (n < STEPS) {
            hl_vote_t v;
            if (v1_read(n, &v) && v1_pending(n)) {
                hl_rec_pack(body, &v);
                mark = HL_MARK_PENDING;
            }
            first = last = dest(n);
        } else {
            /* Step 64: slots no step wrote. Slots 2..63 are D(2..63), 145 and 146 are D(0), D(1). */
            first = 0;
            last = HL_RING_SLOTS - 3;
        }
        for (uint8_t s = first; s <= last; s++) {
            if (n == STEPS && s >= 2 && s < STEPS) continue;
            if (mark == HL_MARK_DONE)
                for (uint8_t i = 0; i < HL_REC_BODY; i++) body[i] = 0xFF;
            if (holds(s, body, mark)) continue;
            if (durable < n) {
                write_progress(n);
                durable = n;
            }
            hl_rec_write(s, body, mark == HL_MARK_PENDING);
            wrote = 1;
        }
    }
    hl_ee_put(HL_EE_LAYOUT, HL_LAYOUT_2_A);
    hl_ee_put(HL_EE_LAYOUT + 1, HL_LAYOUT_2_B);
    hl_ee_flush();
    return wrote;
}
