/*
 * Flash-resident constant tables that also compile on the host.
 *
 * On the AVR, tables marked HL_PGM live in flash and must be read with the
 * pgm_read_* helpers (the ATmega328P has separate flash and RAM address
 * spaces). On the host the same code reads ordinary memory, so the protocol
 * modules are byte-for-byte the same C in both builds.
 */
#ifndef HL_PGM_H
#define HL_PGM_H

#include <stdint.h>
#include <string.h>

#ifdef __AVR__
#include <avr/pgmspace.h>
#define HL_PGM PROGMEM
#define hl_pgm_byte(p) pgm_read_byte(p)
#define hl_pgm_copy(dst, src, n) memcpy_P((dst), (src), (n))
#define hl_pgm_cmp(ram, flash, n) memcmp_P((ram), (flash), (n))
#else
#define HL_PGM
#define hl_pgm_byte(p) (*(const uint8_t *)(p))
#define hl_pgm_copy(dst, src, n) memcpy((dst), (src), (n))
#define hl_pgm_cmp(ram, flash, n) memcmp((ram), (flash), (n))
#define PSTR(s) (s)
#endif

#endif
