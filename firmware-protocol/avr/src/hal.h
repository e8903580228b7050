/*
 * Hardware abstraction: everything the terminal needs from the board.
 * hal_avr.c implements it on the ATmega328P; host/hal_host.c implements it
 * with a fake clock, UART, EEPROM and pins so that the protocol, debounce,
 * ring buffer and state machine run unchanged in host tests.
 *
 * Pin-out of the reference box (Arduino Uno/Nano names in brackets):
 *   buttons 1..5  PD2..PD6 [D2..D6]  input, pull-up, pressed = low
 *   LEDs 1..5     PB0..PB4 [D8..D12] output, on = high
 *   status LED    PB5      [D13]     output (the board's "L" LED)
 *   buzzer        PD7      [D7]      output, on = high (active buzzer)
 *   UART          PD0/PD1  [D0/D1]   115200 8N1 via the USB-serial chip
 */
#ifndef HL_HAL_H
#define HL_HAL_H

#include <stdint.h>

/* Reset cause flags as in MCUSR (ATmega328P datasheet §10.9.1). */
#define HL_RF_PORF 0x01
#define HL_RF_EXTRF 0x02
#define HL_RF_BORF 0x04
#define HL_RF_WDRF 0x08

/* Sets up pins, 1 ms timer, UART and watchdog; interrupts stay off. */
void hal_init(void);

/* Enables interrupts: the 1 ms tick and the UART start. */
void hal_start(void);

/* Milliseconds since reset (wraps after 49.7 days; compare by subtraction). */
uint32_t hal_millis(void);

/* MCUSR as it was at reset (flags above), and r2 as a bootloader left it. */
uint8_t hal_reset_flags(void);
uint8_t hal_bootloader_flags(void);

/* Restarts the watchdog period; the main loop calls it once per pass. */
void hal_watchdog_kick(void);

/* Next received byte, or -1 when none is waiting. */
int16_t hal_uart_getc(void);

/* Bytes that hal_uart_write can take now without blocking. */
uint8_t hal_uart_tx_free(void);

/* Queues n bytes for sending; the caller checked hal_uart_tx_free() >= n. */
void hal_uart_write(const uint8_t *p, uint8_t n);

/* Reads one EEPROM byte; only called while hal_ee_ready(). */
uint8_t hal_ee_read(uint16_t addr);

/* True when no EEPROM write is in progress. */
uint8_t hal_ee_ready(void);

/* Starts writing one EEPROM byte (~3.4 ms on the AVR); requires hal_ee_ready(). */
void hal_ee_write(uint16_t addr, uint8_t value);

/* Blocks until hal_ee_ready(), keeping the watchdog fed (time goes on meanwhile). */
void hal_ee_wait(void);

/* Raw button levels, bit i = button i+1 pressed (called from the 1 ms tick). */
uint8_t hal_buttons_raw(void);

/* Drives the button LEDs (bit i = LED i+1), the status LED and the buzzer. */
void hal_outputs(uint8_t leds, uint8_t status, uint8_t buzzer);

/*
 * Reads byte `addr` of the signature row (SIGRD). Returns what the chip
 * gives; identity.c checks the device signature before trusting it.
 */
uint8_t hal_signature_byte(uint8_t addr);

/* Waits for the next interrupt (idle sleep) when the main loop has no work. */
void hal_idle(void);

/*
 * Supply voltage in mV, measured against the internal 1.1 V bandgap with
 * AVCC as the ADC reference (no external part); 0 when it cannot be read.
 */
uint16_t hal_vcc_mv(void);

/*
 * Reads fuse byte `addr` with SPMCSR BLBSET + LPM (datasheet §27.8.8 / avr-libc
 * boot_lock_fuse_bits_get): 2 = extended, 3 = high. The seam the host fakes.
 */
uint8_t hal_fuse_byte(uint8_t addr);

/* Implemented by the application: called from the 1 ms timer interrupt. */
void hal_on_tick(void);

#endif
