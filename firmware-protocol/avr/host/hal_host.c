/*
 * hal.h for host tests. Time only moves when the driver calls
 * hal_host_tick() (or when firmware blocks in hal_ee_wait, which advances
 * the clock like a real busy-wait would). The EEPROM models the 3.4 ms write
 * of the AVR so that tests see the real ordering of "record persisted" and
 * "VOTE sent", and it can tear a write the way a power cut does.
 */
#include "hal.h"
#include "hal_host.h"
#include <string.h>

#define EE_SIZE 1024
#define TX_LEN 128
/* 115200 baud 8N1 moves 11.5 bytes per ms. */
#define TX_PER_MS 11

static uint8_t eeprom[EE_SIZE] = { [0 ... EE_SIZE - 1] = 0xFF };
static uint32_t now_ms;
static uint8_t reset_flags, boot_r2;
static uint8_t buttons;
static uint8_t out_leds, out_status, out_buzzer;

static uint8_t ee_write_ms = 4;
static uint32_t ee_busy_until;
static unsigned long ee_writes;
static long cut_countdown = -1;
static uint8_t cut_mode;
static uint8_t power_lost;

static uint8_t rx_q[8192];
static size_t rx_head, rx_tail;
static uint8_t tx_ring[TX_LEN];
static uint8_t tx_head, tx_tail;
static uint8_t wire[65536];
static size_t wire_len;

static uint8_t signature[32];
static uint8_t signature_set;

void hal_host_reset(uint8_t mcusr, uint8_t r2)
{
    now_ms = 0;
    reset_flags = mcusr;
    boot_r2 = r2;
    buttons = 0;
    out_leds = out_status = out_buzzer = 0;
    ee_busy_until = 0;
    ee_writes = 0;
    cut_countdown = -1;
    power_lost = 0;
    rx_head = rx_tail = 0;
    tx_head = tx_tail = 0;
    wire_len = 0;
}

uint32_t hal_host_now(void) { return now_ms; }

void hal_host_tick(void)
{
    now_ms++;
    for (int i = 0; i < TX_PER_MS && tx_tail != tx_head; i++) {
        if (wire_len < sizeof wire) wire[wire_len++] = tx_ring[tx_tail];
        tx_tail = (uint8_t)((tx_tail + 1) % TX_LEN);
    }
    if (!power_lost) hal_on_tick();
}

void hal_host_set_buttons(uint8_t raw) { buttons = raw; }

void hal_host_rx(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t next = (rx_head + 1) % sizeof rx_q;
        if (next == rx_tail) break;
        rx_q[rx_head] = p[i];
        rx_head = next;
    }
}

size_t hal_host_tx_take(uint8_t *out, size_t max)
{
    size_t n = wire_len < max ? wire_len : max;
    memcpy(out, wire, n);
    memmove(wire, wire + n, wire_len - n);
    wire_len -= n;
    return n;
}

uint8_t *hal_host_eeprom(void) { return eeprom; }

void hal_host_set_ee_write_ms(uint8_t ms) { ee_write_ms = ms; }

unsigned long hal_host_ee_writes(void) { return ee_writes; }

void hal_host_cut_after(long n, uint8_t mode)
{
    cut_countdown = n;
    cut_mode = mode;
}

uint8_t hal_host_power_lost(void) { return power_lost; }

void hal_host_outputs(uint8_t *leds, uint8_t *status, uint8_t *buzzer)
{
    *leds = out_leds;
    *status = out_status;
    *buzzer = out_buzzer;
}

void hal_host_set_signature(const uint8_t *row)
{
    signature_set = row != NULL;
    if (row) memcpy(signature, row, sizeof signature);
}

/* ---- hal.h ---- */

void hal_init(void) {}

void hal_start(void) {}

uint32_t hal_millis(void) { return now_ms; }

uint8_t hal_reset_flags(void) { return reset_flags; }

uint8_t hal_bootloader_flags(void) { return boot_r2; }

void hal_watchdog_kick(void) {}

int16_t hal_uart_getc(void)
{
    if (power_lost || rx_tail == rx_head) return -1;
    uint8_t c = rx_q[rx_tail];
    rx_tail = (rx_tail + 1) % sizeof rx_q;
    return c;
}

uint8_t hal_uart_tx_free(void)
{
    return (uint8_t)(TX_LEN - 1 - (uint8_t)((tx_head - tx_tail + TX_LEN) % TX_LEN));
}

void hal_uart_write(const uint8_t *p, uint8_t n)
{
    if (power_lost) return;
    while (n--) {
        tx_ring[tx_head] = *p++;
        tx_head = (uint8_t)((tx_head + 1) % TX_LEN);
    }
}

uint8_t hal_ee_read(uint16_t addr) { return eeprom[addr % EE_SIZE]; }

uint8_t hal_ee_ready(void) { return (int32_t)(now_ms - ee_busy_until) >= 0; }

void hal_ee_write(uint16_t addr, uint8_t value)
{
    if (power_lost) return;
    addr %= EE_SIZE;
    if (cut_countdown == 0) {
        switch (cut_mode) {
        case HL_TEAR_ERASED: eeprom[addr] = 0xFF; break;
        case HL_TEAR_PARTIAL: eeprom[addr] = (uint8_t)(value | 0x0F); break;
        case HL_TEAR_DONE: eeprom[addr] = value; break;
        default: break;
        }
        power_lost = 1;
        return;
    }
    if (cut_countdown > 0) cut_countdown--;
    eeprom[addr] = value;
    ee_writes++;
    ee_busy_until = now_ms + ee_write_ms;
}

void hal_ee_wait(void)
{
    /* A busy-wait lets time pass; the tick interrupt keeps running meanwhile. */
    while (!hal_ee_ready() && !power_lost) hal_host_tick();
}

uint8_t hal_buttons_raw(void) { return buttons; }

void hal_outputs(uint8_t leds, uint8_t status, uint8_t buzzer)
{
    if (power_lost) return;
    out_leds = leds;
    out_status = status;
    out_buzzer = buzzer;
}

uint8_t hal_signature_byte(uint8_t addr)
{
    return signature_set && addr < sizeof signature ? signature[addr] : 0xFF;
}

void hal_idle(void) {}

static uint16_t vcc_mv = 5000;

void hal_host_set_vcc(uint16_t mv) { vcc_mv = mv; }

uint16_t hal_vcc_mv(void) { return vcc_mv; }

/* flash-isp's fuses (Makefile EFUSE / HFUSE): 4.3 V brown-out, EESAVE programmed. */
static uint8_t fuse_ext = 0xFC, fuse_high = 0xD7;

void hal_host_set_fuses(uint8_t efuse, uint8_t hfuse)
{
    fuse_ext = efuse;
    fuse_high = hfuse;
}

uint8_t hal_fuse_byte(uint8_t addr) { return addr == 2 ? fuse_ext : addr == 3 ? fuse_high : 0xFF; }
