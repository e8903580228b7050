/*
 * EEPROM layout of the ATmega328P's 1024 bytes (PROTOCOL.md §12), layout 2
 * (firmware 1.2):
 *
 *   0x000  identity block: uid override and fitted buttons   40 B (64 reserved)
 *   0x040  stored CONFIG (settings.c)                        13 B (16 reserved)
 *   0x050  refused-press count for EVENT FULL (refusals.c)    3 B (16 reserved)
 *   0x060  seq base, two copies { u32 LE, CRC-8 }             10 B
 *   0x06A  layout-1 migration progress, two copies { u8, CRC-8 } 4 B
 *   0x06E  layout mark, 2 bytes: "H2" once the ring is in 6-byte records
 *   0x080  vote ring, slots 0..95: 96 x 6 B                  576 B
 *   0x2C0  seq offset (§7.6), two copies { u32 LE, CRC-8 }    10 B (unmoved from layout 1)
 *   0x2CA  vote ring, slots 96..146: 51 x 6 B                306 B
 *   0x3FC  free                                                4 B
 *
 * A slot is { packed u32 LE, CRC-8 of those 4 } + a done marker outside the
 * CRC. The packed word holds the low 19 bits of the seq, the button (4
 * bits), the flags (2) and the reason (7); the seq base gives the high bits
 * (vote_record.c). Layout 1 (firmware 1.0 and 1.1) had 64 slots of 9 bytes
 * at 0x080 with a whole u32 seq; ring_migrate.c converts it in place.
 */
#ifndef HL_EE_MAP_H
#define HL_EE_MAP_H

#include "hl_config.h"

#define HL_EE_SIZE 1024u

#define HL_EE_ID 0x000u
#define HL_EE_ID_SIZE 40u

#define HL_EE_SETTINGS 0x040u
#define HL_EE_SETTINGS_SIZE 13u

#define HL_EE_REFUSALS 0x050u
#define HL_EE_REFUSALS_SIZE 3u

/* Highest raw seq stored (or a checkpoint of it): the high bits of every record's seq. */
#define HL_EE_SEQ_BASE_A 0x060u
#define HL_EE_SEQ_BASE_B 0x065u
/* How many layout-1 slots the migration has converted (ring_migrate.c). */
#define HL_EE_MIGRATE_A 0x06Au
#define HL_EE_MIGRATE_B 0x06Cu
/*
 * Reads HL_LAYOUT_2_A, HL_LAYOUT_2_B once the migration is complete; anything
 * else is layout 1. Two bytes, so that a byte left by whatever the board ran
 * before this firmware is 1 in 65,536 likely to pass for it, not 1 in 256.
 */
#define HL_EE_LAYOUT 0x06Eu
#define HL_LAYOUT_2_A 'H'
#define HL_LAYOUT_2_B '2'


#define HL_EE_RING 0x080u
#define HL_EE_SLOT_SIZE 6u
/* Offset of the done marker inside a slot (outside the CRC). */
#define HL_EE_SLOT_MARK 5u
/* Slots below the seq offset; the rest start right after it. */
#define HL_EE_RING_LOW_SLOTS 96u
#define HL_EE_RING_HIGH 0x2CAu
/* Added to every record's seq on the wire: how a wiped box continues above WELCOME's mark (§7.6). */
#define HL_EE_SEQ_OFFSET_A 0x2C0u
#define HL_EE_SEQ_OFFSET_B 0x2C5u

#if HL_EE_RING + HL_EE_RING_LOW_SLOTS * HL_EE_SLOT_SIZE > HL_EE_SEQ_OFFSET_A
#error "vote ring overlaps the seq offset"
#endif
#if HL_EE_RING_HIGH + (HL_RING_SLOTS - HL_EE_RING_LOW_SLOTS) * HL_EE_SLOT_SIZE > HL_EE_SIZE
#error "vote ring does not fit the 1 KB EEPROM"
#endif

/* Layout 1 (firmware 1.0, 1.1): 64 slots x { seq u32 LE, button, reason, flags, CRC-8 of 7, marker }. */
#define HL_EE_V1_SLOTS 64u
#define HL_EE_V1_SLOT_SIZE 9u
#define HL_EE_V1_SLOT_MARK 8u

#endif
