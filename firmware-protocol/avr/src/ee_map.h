/*
 * EEPROM layout of the ATmega328P's 1024 bytes (PROTOCOL.md §12).
 *
 *   0x000  identity block: uid override and fitted buttons   40 B (64 reserved)
 *   0x040  stored CONFIG (settings.c)                        13 B (16 reserved)
 *   0x050  refused-press count for EVENT FULL (refusals.c)    3 B (48 reserved)
 *   0x080  vote ring: 64 slots x 9 B                         576 B
 *   0x2C0  seq offset, two copies { u32 LE, CRC-8 }            10 B (16 reserved)
 *   0x2D0  free                                              304 B
 *
 * 64 votes fit with room to spare, so §7.4's "64 votes" stands. Each slot is
 * { seq u32 LE, button, reason, flags, CRC-8 of those 7 } + a done marker
 * outside the CRC. No block is ever erased to "empty": seq lives in the
 * records, so the ring also levels the wear of the seq counter.
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

#define HL_EE_RING 0x080u
#define HL_EE_SLOT_SIZE 9u
/* Offset of the done marker inside a slot (outside the CRC). */
#define HL_EE_SLOT_MARK 8u
/* Added to every record's seq on the wire: how a wiped box continues above WELCOME's mark (§7.6). */
#define HL_EE_SEQ_OFFSET_A 0x2C0u
#define HL_EE_SEQ_OFFSET_B 0x2C5u

#define HL_EE_RING_END (HL_EE_RING + HL_RING_SLOTS * HL_EE_SLOT_SIZE)

#if HL_EE_RING_END > HL_EE_SEQ_OFFSET_A
#error "vote ring overlaps the seq offset"
#endif
#if HL_EE_RING_END > HL_EE_SIZE
#error "vote ring does not fit the 1 KB EEPROM"
#endif

#endif
