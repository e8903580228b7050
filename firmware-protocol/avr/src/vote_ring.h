/*
 * The terminal's durable vote buffer (PROTOCOL.md §7, §12): a ring of
 * HL_RING_SLOTS EEPROM records. A vote is persisted before its VOTE is sent,
 * marked done on ACK, and survives power loss; seq continues above the
 * highest seq ever stored and is never reused for a transmitted vote.
 */
#ifndef HL_VOTE_RING_H
#define HL_VOTE_RING_H

#include <stdint.h>

/* VOTE flag bits as stored (wire letters C and G, §6.5). */
#define HL_VF_COOLDOWN 0x01
#define HL_VF_GATED 0x02

/* A stored vote. */
typedef struct {
    uint32_t seq;
    uint8_t button;
    uint8_t reason;
    uint8_t flags;
} hl_vote_t;

/* Scans EEPROM at boot: next seq, pending votes. Requires an idle EEPROM queue. */
void hl_ring_init(void);

/* Votes stored and not yet ACKed. */
uint8_t hl_ring_pending(void);

/* True when no press can be stored (every slot holds a pending vote). */
uint8_t hl_ring_full(void);

/* The seq the next stored vote will get. */
uint32_t hl_ring_next_seq(void);

/*
 * Stores a new vote pressed at `now`: takes the next seq and queues the
 * record writes (see hl_ring_committed before sending it). Returns the
 * seq, or 0 when the ring is full (the press is refused, §7.4).
 */
uint32_t hl_ring_append(uint8_t button, uint8_t reason, uint8_t flags, uint32_t now);

/* The oldest pending vote (lowest seq) and its slot; 0 when none. */
uint8_t hl_ring_oldest(hl_vote_t *v, uint8_t *slot);

/*
 * True once every record stored so far is entirely in EEPROM; a VOTE may
 * only be sent then (§7.1). Records are written in order, so this covers
 * the one about to be sent whichever it is; presses are seconds apart, so
 * waiting for the newest costs nothing in practice.
 */
uint8_t hl_ring_committed(void);

/* Press time of the vote in `slot` if it was pressed since this boot (§7.5). */
uint8_t hl_ring_press_time(uint8_t slot, uint32_t *at);

/*
 * WELCOME's mark (PROTOCOL.md §7.6): when a pending vote is below the
 * bridge's high-water mark, or the next seq is at or below it (the EEPROM
 * lost its history), shifts every pending vote and the counter so the
 * oldest continues at mark + 1, in one durable offset write (wait for
 * hl_ring_committed before sending). Returns 1 when it renumbered.
 */
uint8_t hl_ring_continue_above(uint32_t mark);

/* Marks the vote in `slot` done (ACKed): queues the one-byte marker write. */
void hl_ring_done(uint8_t slot);

#endif
