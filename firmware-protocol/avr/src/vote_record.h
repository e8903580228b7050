/*
 * One vote record in EEPROM, layout 2 (ee_map.h): 6 bytes per slot so that
 * 147 votes fit the 1 KB. The packed word carries the low 19 bits of the
 * raw seq; the seq base (a raw seq stored or used, kept within
 * HL_SEQ_BASE_STEP of the newest) gives the rest, since every record in the
 * ring lies within a few hundred seqs below the newest.
 */
#ifndef HL_VOTE_RECORD_H
#define HL_VOTE_RECORD_H

#include <stdint.h>

/* VOTE flag bits as stored (wire letters C and G, §6.5). */
#define HL_VF_COOLDOWN 0x01
#define HL_VF_GATED 0x02

/* Marker byte of a stored, unacknowledged vote. */
#define HL_MARK_PENDING 0x00
/* Marker byte of a vote ACKed, or of an unused slot (erased EEPROM reads 0xFF). */
#define HL_MARK_DONE 0xFF

/* Record bytes before the marker: packed u32 LE + CRC-8. */
#define HL_REC_BODY 5

/*
 * The seq base moves up to the newest seq once that is this far above it:
 * one 10-byte write per 32,768 votes. A record more than this above the
 * base cannot exist, so a torn record that passes its CRC can push the next
 * seq up by at most this much: a gap, well under the bridge's 100,000 "jump"
 * (PROTOCOL.md §7.1), never a reused seq.
 */
#define HL_SEQ_BASE_STEP 32768UL

/* A stored vote (seq as stored, or on the wire where an API says so). */
typedef struct {
    uint32_t seq;
    uint8_t button;
    uint8_t reason;
    uint8_t flags;
} hl_vote_t;

/* EEPROM address of ring slot `slot` (the ring skips the seq offset at 0x2C0). */
uint16_t hl_rec_addr(uint8_t slot);

/* Packs the record body for raw seq `v->seq`. */
void hl_rec_pack(uint8_t r[HL_REC_BODY], const hl_vote_t *v);

/* Reads slot `slot` as of after the queued writes; 1 when it is a valid record near `base`. */
uint8_t hl_rec_read(uint8_t slot, uint32_t base, hl_vote_t *v);

/* True when the slot's marker reads exactly PENDING (a torn marker reads done). */
uint8_t hl_rec_marked_pending(uint8_t slot);

/*
 * Queues a slot write in the order that makes a power cut at any byte safe:
 * marker DONE, the body, then marker PENDING if `pending` (vote_ring.c).
 */
void hl_rec_write(uint8_t slot, const uint8_t body[HL_REC_BODY], uint8_t pending);

/* Reads a u32 kept in two copies { u32 LE, CRC-8 } at a then b: copy a wins when valid. */
uint8_t hl_ee_read_u32x2(uint16_t a, uint16_t b, uint32_t *out);

/*
 * hl_ee_read_u32x2 at boot, which also makes both copies equal again: an
 * update that a power cut left half done must not meet a second cut with
 * only one valid copy (the next update tears a while b is still torn).
 */
uint8_t hl_ee_load_u32x2(uint16_t a, uint16_t b, uint32_t *out);

/* Queues copy a, then copy b, of a u32 kept that way. */
void hl_ee_write_u32x2(uint16_t a, uint16_t b, uint32_t v);

#endif
