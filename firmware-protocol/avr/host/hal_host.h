/*
 * Test controls of the host HAL (hal_host.c): a fake millisecond clock, a
 * UART that drains at 115200 baud, an EEPROM whose writes take 4 ms and can
 * be torn by a simulated power cut, button levels and output pins.
 */
#ifndef HL_HAL_HOST_H
#define HL_HAL_HOST_H

#include <stddef.h>
#include <stdint.h>

/* How the EEPROM byte being written when power is cut ends up. */
enum {
    HL_TEAR_OLD,     /* the write never started: old value */
    HL_TEAR_ERASED,  /* erased, not programmed: 0xFF */
    HL_TEAR_PARTIAL, /* partly programmed: new value with the low nibble still erased */
    HL_TEAR_DONE,    /* the write finished, power died right after */
    HL_TEAR_MODES
};

/* Power-on: clock 0, UART and pins idle, EEPROM kept; MCUSR/r2 as given. */
void hal_host_reset(uint8_t mcusr, uint8_t r2);

/* Current fake time in ms. */
uint32_t hal_host_now(void);

/* Advances 1 ms: the clock, the EEPROM timer, the UART drain and the tick interrupt. */
void hal_host_tick(void);

/* Sets the raw button levels (bit i = button i+1 pressed). */
void hal_host_set_buttons(uint8_t raw);

/* Queues bytes for the UART receiver. */
void hal_host_rx(const uint8_t *p, size_t n);

/* Takes up to max bytes that went out on the wire since the last call. */
size_t hal_host_tx_take(uint8_t *out, size_t max);

/* The 1024-byte EEPROM image (read and write). */
uint8_t *hal_host_eeprom(void);

/* EEPROM byte write duration in ms (default 4; 3.3 ms in the ATmega328P
 * datasheet's EEPROM Programming Time table, EECR section). */
void hal_host_set_ee_write_ms(uint8_t ms);

/* Completed EEPROM byte writes since power-on (skipped same-value writes do not count). */
unsigned long hal_host_ee_writes(void);

/* Cuts power during the (n+1)-th byte write from now, torn per `mode`; n < 0 disarms. */
void hal_host_cut_after(long n, uint8_t mode);

/* True once a cut happened: the caller must stop running and reboot. */
uint8_t hal_host_power_lost(void);

/* Supply voltage hal_vcc_mv reports from now on (default 5000 mV). */
void hal_host_set_vcc(uint16_t mv);

/* Extended and high fuse bytes hal_fuse_byte reports from now on (default flash-isp's 0xFC, 0xD7). */
void hal_host_set_fuses(uint8_t efuse, uint8_t hfuse);

/* Last values given to hal_outputs. */
void hal_host_outputs(uint8_t *leds, uint8_t *status, uint8_t *buzzer);

/* Sets the signature row (32 bytes) SIGRD returns; NULL = unreadable (reads 0xFF). */
void hal_host_set_signature(const uint8_t *row);

#endif
