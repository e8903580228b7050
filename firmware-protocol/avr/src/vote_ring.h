/*
 * The terminal's durable vote buffer (PROTOCOL.md §7, §12): a ring of
 * HL_RING_SLOTS EEPROM records (vote_record.h). A vote is persisted before
 * its VOTE is sent, marked done on ACK, and survives power loss; seq
 * continues above the highest seq ever stored and is never reused for a
 * transmitted vote.
 */
#ifndef HL_VOTE_RING_H
#define HL_VOTE_RING_H

#include <stdint.h>
#include "vote_record.h"

/*
 * Converts a firmware 1.0/1.1 EEPROM if needed (ring_migrate.h), then scans
 * it: next seq, pending votes. Requires an idle EEPROM queue.
 */
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

/* The oldest pending vote (lowest seq, as on the wire) and its slot; 0 when none. */
uint8_t hl_ring_oldest(hl_vote_t *v, uint8_t *slot);

/* The pending vote with the lowest wire seq above `seq`, and its slot; 0 when none. */
uint8_t hl_ring_after(uint32_t seq, hl_vote_t *v, uint8_t *slot);

/*
 * True once every record stored so far is entirely in EEPROM; a VOTE may
 * only be sent then (§7.1). Records are written in order, so this covers
 * the one about to be sent whichever it is; presses are seconds apart, so
 * waiting for the newest costs nothing in practice.
 */
uint8_t hl_ring_committed(void);

/*
 * ageMs of the vote with wire seq `seq` in `slot` at `now` (§5.3): exact
 * while presses are under 4 s apart, otherwise within 1/2048 of the gaps
 * between presses (vote_ring.c); HL_AGE_UNKNOWN (4294967295) for a vote
 * pressed before this boot.
 */
uint32_t hl_ring_age(uint8_t slot, uint32_t seq, uint32_t now);

/*
 * WELCOME's mark (PROTOCOL.md §7.6): when the oldest pending vote is at or
 * below mark - wmax (the largest window this box uses; 1: below the mark),
 * or the next seq is at or below the mark (the EEPROM lost its history),
 * shifts every pending vote and the counter so the oldest continues at
 * mark + 1, in one durable offset write (wait for hl_ring_committed before
 * sending). Returns 1 when it renumbered.
 */
uint8_t hl_ring_continue_above(uint32_t mark, uint8_t wmax);

/* Marks the vote in `slot` done (ACKed): queues the one-byte marker write. */
void hl_ring_done(uint8_t slot);

#endif
