/*
 * The HLBOX board around the emulated ATmega328P (simavr 1.6): button
 * pins, LED and buzzer pins, USART0 byte queues, the EEPROM image and its
 * file, and the two ways a box restarts (reset pin, power cut) plus a
 * firmware hang for the watchdog. Pin-out as in src/hal.h.
 */
#ifndef HL_SIM_BOARD_H
#define HL_SIM_BOARD_H

#include <stddef.h>
#include <stdint.h>
#include "sim_avr.h"

/* Emulated clock: the board's 16 MHz crystal. */
#define BOARD_HZ 16000000UL

/* Output pin levels. */
typedef struct {
    uint8_t leds;   /* bit i = LED of button i+1 (PB0..PB4) */
    uint8_t status; /* PB5 */
    uint8_t buzzer; /* PD7 */
} board_outputs_t;

/* The emulated board. */
typedef struct {
    avr_t *avr;
    /* UART0 bytes the firmware sent, not yet taken by the pty side. */
    uint8_t tx[8192];
    size_t tx_len;
    /* Set by the UART's XOFF/XON IRQs: simavr's receive FIFO is full. */
    int rx_blocked;
    /* Emulated cycle before which the next received byte may not start (line rate). */
    avr_cycle_count_t rx_next;
    avr_cycle_count_t cycles_per_byte;
    uint8_t *eeprom; /* simavr's own EEPROM array (1024 bytes) */
    uint8_t buttons_down; /* PORTD bits of the buttons held down */
    const char *eeprom_file;
    /* Flash bytes 0..3 while a fuse read has the fuses in their place (see board_fuses). */
    uint8_t fuse_saved[4];
    int fuse_swapped;
} board_t;

/*
 * Creates the MCU, loads the ELF exactly as it would be flashed, loads the
 * EEPROM from `eeprom_file` (creating it blank with an identity block for
 * `uid`/`buttons` if it does not exist) and releases every button.
 * Returns 0 on failure with a message on stderr.
 */
int board_open(board_t *b, const char *elf, const char *eeprom_file, const char *uid, uint8_t buttons);

/*
 * The extended and high fuse bytes the firmware reads (SPMCSR BLBSET + LPM). Until
 * called: the ELF's .fuse section if it has one, else flash-isp's 0xFF/0xD7/0xFC.
 */
void board_fuses(board_t *b, uint8_t efuse, uint8_t hfuse);

/* Drives button `n` (1..5): pressed pulls the pin low. */
void board_button(board_t *b, int n, int pressed);

/* Current output levels. */
board_outputs_t board_outputs(board_t *b);

/* Offers one received byte to USART0 if the line and the FIFO allow; returns 1 if taken. */
int board_uart_offer(board_t *b, uint8_t byte);

/* Writes the EEPROM image to its file (atomically: temp file + rename). */
int board_save_eeprom(board_t *b);

/* Pulls the reset pin (EXTRF), as a technician's reset button or a DTR auto-reset does. */
void board_reset_pin(board_t *b);

/* Makes the firmware hang with interrupts off, as a bug would: only the watchdog can recover. */
void board_hang(board_t *b);

/* Emulated time in ms since power-on. */
double board_ms(const board_t *b);

#endif
