/*
 * simavr 1.6 specifics this file works around (checked against the Debian
 * build, see firmware-protocol/avr/README.md "Emulator"):
 * - AVR_IOCTL_EEPROM_SET/GET reject a full-size block (offset+size must be
 *   < size), so the EEPROM is reached through the pointer GET returns when
 *   passed ee = NULL.
 * - The UART prints every line it sends to stdout (AVR_UART_FLAG_STDIO) and
 *   usleeps when polled (POLL_SLEEP): both flags are cleared.
 * - A pin level raised through its IRQ lasts only until the firmware's next
 *   PORTD write, which re-asserts the internal pull-up (ioport
 *   update_irqs). Buttons are therefore driven as a persistent "external
 *   pull" (AVR_IOCTL_IOPORT_SET_EXTERNAL, mask/value replaced as a whole),
 *   plus an IRQ raise so the new level is seen at once. All buttons start
 *   released (high) before the firmware runs.
 * - avr_init() sets PORF; avr_reset() clears MCUSR, so the reset pin sets
 *   EXTRF itself. A watchdog timeout resets the core with WDRF set.
 */
#include "board.h"
#include "avr_eeprom.h"
#include "avr_ioport.h"
#include "avr_uart.h"
#include "id_block.h"
#include "sim_elf.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EE_SIZE 1024
/* MCUSR data-space address on the ATmega328P (0x34 I/O + 0x20). */
#define MCUSR_ADDR 0x54
#define EXTRF_BIT 0x02
/* SPMCSR, data address (I/O 0x37). */
#define SPMCSR_ADDR 0x57

static void on_uart_out(struct avr_irq_t *irq, uint32_t value, void *param)
{
    (void)irq;
    board_t *b = param;
    if (b->tx_len < sizeof b->tx) b->tx[b->tx_len++] = (uint8_t)value;
}

static void on_xoff(struct avr_irq_t *irq, uint32_t value, void *param)
{
    (void)irq;
    board_t *b = param;
    if (value) b->rx_blocked = 1;
}

static void on_xon(struct avr_irq_t *irq, uint32_t value, void *param)
{
    (void)irq;
    board_t *b = param;
    if (value) b->rx_blocked = 0;
}

/* The harness paces time itself; simavr's default sleep callback would usleep. */
static void no_sleep(avr_t *avr, avr_cycle_count_t how_long)
{
    (void)avr;
    (void)how_long;
}

static int load_eeprom(board_t *b, const char *uid, uint8_t buttons)
{
    FILE *f = fopen(b->eeprom_file, "rb");
    if (f) {
        size_t n = fread(b->eeprom, 1, EE_SIZE, f);
        fclose(f);
        if (n != EE_SIZE) {
            fprintf(stderr, "hlbox-sim: %s has %zu bytes, expected %d\n", b->eeprom_file, n, EE_SIZE);
            return 0;
        }
        return 1;
    }
    if (errno != ENOENT) {
        perror(b->eeprom_file);
        return 0;
    }
    /* A new box: erased EEPROM plus the factory identity block. */
    memset(b->eeprom, 0xFF, EE_SIZE);
    if (!hl_id_block_build(b->eeprom + HL_EE_ID, uid ? uid : "", buttons)) {
        fprintf(stderr, "hlbox-sim: invalid uid \"%s\" or buttons %u\n", uid ? uid : "", buttons);
        return 0;
    }
    return board_save_eeprom(b);
}

/*
 * Fuse reads. simavr 1.6 (Debian's) runs LPM as a plain flash read even after
 * SPMCSR = BLBSET|SPMEN; upstream simavr reads the fuses there only since
 * buserror/simavr 3bb6c1d (2023, v1.8: avr_flash.c AVR_IOCTL_FLASH_LPM). It does
 * load an ELF's .fuse section into avr->fuse. So the harness does what the chip
 * does (datasheet §27.8.8: an LPM within 3 cycles of that write reads Z = 0 low,
 * 1 lock, 2 extended, 3 high fuse): on the write it puts the fuse bytes in flash
 * bytes 0..3 (the reset vector, which runs only at reset) and puts the flash back
 * 4 cycles later, when the chip's own BLBSET window has closed.
 */
static void fuse_restore(board_t *b)
{
    if (!b->fuse_swapped) return;
    memcpy(b->avr->flash, b->fuse_saved, sizeof b->fuse_saved);
    b->fuse_swapped = 0;
}

static avr_cycle_count_t fuse_window_closed(avr_t *avr, avr_cycle_count_t when, void *param)
{
    (void)avr;
    (void)when;
    fuse_restore(param);
    return 0;
}

static void on_spmcsr(avr_t *avr, avr_io_addr_t addr, uint8_t v, void *param)
{
    board_t *b = param;
    (void)addr;
    /* BLBSET (bit 3) + SPMEN (bit 0) and nothing else: a fuse/lock read, not an SPM. */
    if ((v & 0x3F) != 0x09) return;
    if (!b->fuse_swapped) memcpy(b->fuse_saved, avr->flash, sizeof b->fuse_saved);
    avr->flash[0] = avr->fuse[0];
    avr->flash[1] = avr->lockbits;
    avr->flash[2] = avr->fuse[2];
    avr->flash[3] = avr->fuse[1];
    b->fuse_swapped = 1;
    avr_cycle_timer_register(avr, 4, fuse_window_closed, b);
}

void board_fuses(board_t *b, uint8_t efuse, uint8_t hfuse)
{
    b->avr->fuse[2] = efuse;
    b->avr->fuse[1] = hfuse;
}

int board_open(board_t *b, const char *elf, const char *eeprom_file, const char *uid, uint8_t buttons)
{
    memset(b, 0, sizeof *b);
    b->eeprom_file = eeprom_file;
    elf_firmware_t fw;
    memset(&fw, 0, sizeof fw);
    if (elf_read_firmware(elf, &fw) != 0) {
        fprintf(stderr, "hlbox-sim: cannot read %s\n", elf);
        return 0;
    }
    b->avr = avr_make_mcu_by_name("atmega328p");
    if (!b->avr) return 0;
    avr_init(b->avr);
    b->avr->frequency = BOARD_HZ;
    avr_load_firmware(b->avr, &fw);
    b->avr->frequency = BOARD_HZ;
    if (fw.fusesize == 0) {
        /* Makefile LFUSE/HFUSE/EFUSE: what flash-isp programs. */
        b->avr->fuse[0] = 0xFF;
        board_fuses(b, 0xFC, 0xD7);
    }
    b->avr->lockbits = 0xFF;
    avr_register_io_write(b->avr, SPMCSR_ADDR, on_spmcsr, b);
    b->avr->sleep = no_sleep;
    b->avr->log = LOG_WARNING;

    avr_eeprom_desc_t d = { .ee = NULL, .offset = 0, .size = 0 };
    avr_ioctl(b->avr, AVR_IOCTL_EEPROM_GET, &d);
    b->eeprom = d.ee;
    if (!b->eeprom || !load_eeprom(b, uid, buttons)) return 0;

    uint32_t flags = 0;
    avr_ioctl(b->avr, AVR_IOCTL_UART_GET_FLAGS('0'), &flags);
    flags &= ~(uint32_t)(AVR_UART_FLAG_STDIO | AVR_UART_FLAG_POLL_SLEEP);
    avr_ioctl(b->avr, AVR_IOCTL_UART_SET_FLAGS('0'), &flags);
    avr_irq_register_notify(avr_io_getirq(b->avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_OUTPUT), on_uart_out, b);
    avr_irq_register_notify(avr_io_getirq(b->avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_OUT_XOFF), on_xoff, b);
    avr_irq_register_notify(avr_io_getirq(b->avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_OUT_XON), on_xon, b);
    /* 115200 8N1: 10 bits per byte on the line. */
    b->cycles_per_byte = BOARD_HZ * 10 / 115200;

    for (int n = 1; n <= 5; n++) board_button(b, n, 0);
    return 1;
}

void board_button(board_t *b, int n, int pressed)
{
    if (n < 1 || n > 5) return;
    uint8_t bit = (uint8_t)(1u << (1 + n));
    if (pressed) b->buttons_down |= bit;
    else b->buttons_down &= (uint8_t)~bit;
    /* PD2..PD6: a pressed button shorts its pin to ground, beating the pull-up. */
    avr_ioport_external_t ext = { .name = 'D', .mask = 0x7C, .value = (uint8_t)(0x7C & ~b->buttons_down) };
    avr_ioctl(b->avr, AVR_IOCTL_IOPORT_SET_EXTERNAL('D'), &ext);
    avr_raise_irq(avr_io_getirq(b->avr, AVR_IOCTL_IOPORT_GETIRQ('D'), 1 + n), pressed ? 0 : 1);
}

board_outputs_t board_outputs(board_t *b)
{
    avr_ioport_state_t pb, pd;
    avr_ioctl(b->avr, AVR_IOCTL_IOPORT_GETSTATE('B'), &pb);
    avr_ioctl(b->avr, AVR_IOCTL_IOPORT_GETSTATE('D'), &pd);
    uint8_t portb = (uint8_t)(pb.port & pb.ddr);
    board_outputs_t o = { (uint8_t)(portb & 0x1F), (uint8_t)((portb >> 5) & 1), (uint8_t)((pd.port & pd.ddr) >> 7 & 1) };
    return o;
}

int board_uart_offer(board_t *b, uint8_t byte)
{
    if (b->rx_blocked || b->avr->cycle < b->rx_next) return 0;
    avr_raise_irq(avr_io_getirq(b->avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_INPUT), byte);
    b->rx_next = b->avr->cycle + b->cycles_per_byte;
    return 1;
}

int board_save_eeprom(board_t *b)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", b->eeprom_file);
    FILE *f = fopen(tmp, "wb");
    if (!f || fwrite(b->eeprom, 1, EE_SIZE, f) != EE_SIZE || fclose(f) != 0) {
        perror(tmp);
        return 0;
    }
    if (rename(tmp, b->eeprom_file) != 0) {
        perror(b->eeprom_file);
        return 0;
    }
    return 1;
}

void board_reset_pin(board_t *b)
{
    fuse_restore(b);
    avr_reset(b->avr);
    b->avr->data[MCUSR_ADDR] = EXTRF_BIT;
    b->rx_blocked = 0;
    b->rx_next = 0;
    for (int n = 1; n <= 5; n++) board_button(b, n, 0);
}

void board_hang(board_t *b)
{
    /* `rjmp .-2` in the last flash word, which the firmware does not use (< 16 KB). */
    uint32_t at = b->avr->flashend - 1;
    b->avr->flash[at] = 0xFF;
    b->avr->flash[at + 1] = 0xCF;
    b->avr->sreg[S_I] = 0;
    b->avr->pc = at;
}

double board_ms(const board_t *b)
{
    return (double)b->avr->cycle * 1000.0 / BOARD_HZ;
}
