/*
 * Layout-2 vote records (vote_record.h). Packed word, little-endian:
 *   bits  0..18  raw seq, low 19 bits
 *   bits 19..22  button 1..9 (0 and 15, i.e. zeroed and erased EEPROM, are invalid)
 *   bits 23..24  flags (HL_VF_*)
 *   bits 25..31  reason 0..99
 * The full seq is the one nearest the seq base with those low bits, taken in
 * [base - 2^18, base + HL_SEQ_BASE_STEP].
 */
#include "vote_record.h"
#include "crc8.h"
#include "ee_map.h"
#include "ee_queue.h"

#define SEQ_BITS 19
#define SEQ_MASK ((1UL << SEQ_BITS) - 1u)

uint16_t hl_rec_addr(uint8_t slot)
{
    if (slot < HL_EE_RING_LOW_SLOTS) return (uint16_t)(HL_EE_RING + (uint16_t)slot * HL_EE_SLOT_SIZE);
    return (uint16_t)(HL_EE_RING_HIGH + (uint16_t)(slot - HL_EE_RING_LOW_SLOTS) * HL_EE_SLOT_SIZE);
}

void hl_rec_pack(uint8_t r[HL_REC_BODY], const hl_vote_t *v)
{
    uint32_t w = (v->seq & SEQ_MASK) | ((uint32_t)(v->button & 0x0Fu) << 19) | ((uint32_t)(v->flags & 0x03u) << 23) |
                 ((uint32_t)(v->reason & 0x7Fu) << 25);
    r[0] = (uint8_t)w;
    r[1] = (uint8_t)(w >> 8);
    r[2] = (uint8_t)(w >> 16);
    r[3] = (uint8_t)(w >> 24);
    r[4] = hl_crc8(r, 4);
}

uint8_t hl_rec_read(uint8_t slot, uint32_t base, hl_vote_t *v)
{
    uint8_t r[HL_REC_BODY];
    uint16_t a = hl_rec_addr(slot);
    for (uint8_t i = 0; i < HL_REC_BODY; i++) r[i] = hl_ee_get((uint16_t)(a + i));
    if (hl_crc8(r, 4) != r[4]) return 0;
    uint32_t w = (uint32_t)r[0] | ((uint32_t)r[1] << 8) | ((uint32_t)r[2] << 16) | ((uint32_t)r[3] << 24);
    v->button = (uint8_t)((w >> 19) & 0x0Fu);
    v->flags = (uint8_t)((w >> 23) & 0x03u);
    v->reason = (uint8_t)(w >> 25);
    /* Signed distance from the base, in (-2^18, 2^18]. */
    int32_t d = (int32_t)((w - base) & SEQ_MASK);
    if (d > (int32_t)(1UL << (SEQ_BITS - 1))) d -= (int32_t)(1UL << SEQ_BITS);
    if (d > (int32_t)HL_SEQ_BASE_STEP) return 0;
    if (d <= 0 && (uint32_t)(-d) >= base) return 0; /* seq 0 never exists */
    v->seq = base + (uint32_t)d;
    return v->seq != 0xFFFFFFFFUL && v->button >= 1 && v->button <= 9 && v->reason <= 99;
}

uint8_t hl_rec_marked_pending(uint8_t slot)
{
    return hl_ee_get((uint16_t)(hl_rec_addr(slot) + HL_EE_SLOT_MARK)) == HL_MARK_PENDING;
}

void hl_rec_write(uint8_t slot, const uint8_t body[HL_REC_BODY], uint8_t pending)
{
    uint16_t a = hl_rec_addr(slot);
    hl_ee_put((uint16_t)(a + HL_EE_SLOT_MARK), HL_MARK_DONE);
    for (uint8_t i = 0; i < HL_REC_BODY; i++) hl_ee_put((uint16_t)(a + i), body[i]);
    if (pending) hl_ee_put((uint16_t)(a + HL_EE_SLOT_MARK), HL_MARK_PENDING);
}

/* Reads one copy; returns 1 when it is valid. */
static uint8_t read_u32(uint16_t at, uint32_t *out)
{
    uint8_t r[5];
    for (uint8_t i = 0; i < sizeof r; i++) r[i] = hl_ee_get((uint16_t)(at + i));
    uint32_t v = (uint32_t)r[0] | ((uint32_t)r[1] << 8) | ((uint32_t)r[2] << 16) | ((uint32_t)r[3] << 24);
    /* Erased EEPROM (all 0xFF) is no value, whatever its CRC says. */
    if (hl_crc8(r, 4) != r[4] || v == 0xFFFFFFFFUL) return 0;
    *out = v;
    return 1;
}

uint8_t hl_ee_read_u32x2(uint16_t a, uint16_t b, uint32_t *out)
{
    /*
     * Copy a is written completely before copy b, so a torn write leaves one
     * of them valid: a when b was being written (a is new), b when a was
     * (b is old, and the change it was part of had not gone further).
     */
    return read_u32(a, out) || read_u32(b, out);
}

static void write_u32(uint16_t at, uint32_t v)
{
    uint8_t r[5] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24), 0 };
    r[4] = hl_crc8(r, 4);
    for (uint8_t i = 0; i < sizeof r; i++) hl_ee_put((uint16_t)(at + i), r[i]);
}

void hl_ee_write_u32x2(uint16_t a, uint16_t b, uint32_t v)
{
    write_u32(a, v);
    write_u32(b, v);
}

uint8_t hl_ee_load_u32x2(uint16_t a, uint16_t b, uint32_t *out)
{
    uint32_t va, vb;
    uint8_t ok_a = read_u32(a, &va), ok_b = read_u32(b, &vb);
    if (ok_a && (!ok_b || vb != va)) write_u32(b, va);
    if (!ok_a && ok_b) write_u32(a, vb);
    if (ok_a) *out = va;
    else if (ok_b) *out = vb;
    return ok_a || ok_b;
}
