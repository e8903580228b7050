/*
 * Host driver for the whole terminal (terminal.c and everything under it)
 * on the fake HAL: the vitest suite scripts a session line by line and
 * reads back what the box put on the wire, with fake-clock timestamps.
 *
 * Commands (one per line):
 *   reset [mcusr] [r2]   power-on with these reset flags (default PORF=1)
 *   run <ms>             advance time ms by ms; stops early on a power cut
 *   btn <mask>           raw button levels, bit i = button i+1 pressed
 *   rx <text>            bytes to the UART, CRLF appended
 *   rxhex <hex>          raw bytes to the UART
 *   cut <n> <mode>       power dies during the (n+1)-th EEPROM byte write from now
 *   window <n>           the send window the box asks for (default HL_WINDOW)
 *   hello                back to the HELLO phase, as the link-loss check does
 *   eewrite <ms>         EEPROM byte write time
 *   eeset <hex>          replace the EEPROM image (1024 bytes)
 *   sig <hex>            signature row (32 bytes) the chip returns for SIGRD
 *   fuses <ehex> <hhex>  extended and high fuse bytes the chip returns, from the next reset on
 *   ee                   print the EEPROM image
 *   sync                 print "."
 * Output:
 *   T <ms> <frame>       a line the box sent (CRLF stripped)
 *   O <ms> <leds> <status> <buzzer>   outputs changed
 *   P <ms>               power was cut (EEPROM frozen as it was)
 *   C <ms>               the clock after a power-on or a run
 *   E <hex>              EEPROM image
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hal.h"
#include "hal_host.h"
#include "sender.h"
#include "session.h"
#include "terminal.h"

static char tx_line[256];
static size_t tx_len;
static uint8_t last_leds = 0xFF, last_status = 0xFF, last_buzzer = 0xFF;
static uint8_t running;

static size_t unhex(const char *p, uint8_t *out, size_t max)
{
    size_t n = 0;
    unsigned v;
    while (n < max && sscanf(p, "%2x", &v) == 1) {
        out[n++] = (uint8_t)v;
        p += 2;
    }
    return n;
}

/* Prints completed lines from the wire and output changes. */
static void report(void)
{
    uint8_t buf[256];
    size_t n;
    while ((n = hal_host_tx_take(buf, sizeof buf)) > 0) {
        for (size_t i = 0; i < n; i++) {
            if (buf[i] == '\n') {
                if (tx_len && tx_line[tx_len - 1] == '\r') tx_len--;
                printf("T %u %.*s\n", hal_host_now(), (int)tx_len, tx_line);
                tx_len = 0;
            } else if (tx_len < sizeof tx_line) {
                tx_line[tx_len++] = (char)buf[i];
            }
        }
    }
    uint8_t l, s, b;
    hal_host_outputs(&l, &s, &b);
    if (l != last_leds || s != last_status || b != last_buzzer) {
        printf("O %u %u %u %u\n", hal_host_now(), l, s, b);
        last_leds = l;
        last_status = s;
        last_buzzer = b;
    }
}

static void power_on(uint8_t mcusr, uint8_t r2)
{
    hal_host_reset(mcusr, r2);
    tx_len = 0;
    hal_init();
    hl_terminal_init();
    hal_start();
    running = 1;
    hl_terminal_poll();
    report();
    /* Boot may take time (EEPROM writes of a layout conversion): the driver follows this clock. */
    printf("C %u\n", hal_host_now());
}

static void run(unsigned long ms)
{
    for (unsigned long i = 0; i < ms && running; i++) {
        hal_host_tick();
        /* The superloop passes several times per ms on the AVR; two passes let a
         * frame handled in the first pass be answered in the same ms. */
        for (int pass = 0; pass < 2 && !hal_host_power_lost(); pass++) hl_terminal_poll();
        report();
        if (hal_host_power_lost()) {
            printf("P %u\n", hal_host_now());
            running = 0;
        }
    }
}

int main(void)
{
    static char line[8192];
    static uint8_t bytes[4096];
    hal_host_set_signature(NULL);
    while (fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\r\n")] = 0;
        char *arg = strchr(line, ' ');
        if (arg) *arg++ = 0;
        else arg = line + strlen(line);
        if (!strcmp(line, "reset")) {
            unsigned mcusr = 1, r2 = 0;
            sscanf(arg, "%u %u", &mcusr, &r2);
            power_on((uint8_t)mcusr, (uint8_t)r2);
        } else if (!strcmp(line, "run")) {
            run(strtoul(arg, NULL, 10));
            if (running) printf("C %u\n", hal_host_now());
        } else if (!strcmp(line, "btn")) {
            hal_host_set_buttons((uint8_t)strtoul(arg, NULL, 0));
        } else if (!strcmp(line, "rx")) {
            hal_host_rx((const uint8_t *)arg, strlen(arg));
            hal_host_rx((const uint8_t *)"\r\n", 2);
        } else if (!strcmp(line, "rxhex")) {
            hal_host_rx(bytes, unhex(arg, bytes, sizeof bytes));
        } else if (!strcmp(line, "cut")) {
            long n = 0;
            unsigned mode = 0;
            sscanf(arg, "%ld %u", &n, &mode);
            hal_host_cut_after(n, (uint8_t)mode);
        } else if (!strcmp(line, "window")) {
            /* the vectors' terminals ask for other windows than the firmware's HL_WINDOW */
            hl_sender_set_asked((uint8_t)strtoul(arg, NULL, 10));
        } else if (!strcmp(line, "hello")) {
            /* what the link-loss check does after 15 s of silence (session.c) */
            hl_session_restart(hal_host_now());
        } else if (!strcmp(line, "eewrite")) {
            hal_host_set_ee_write_ms((uint8_t)strtoul(arg, NULL, 10));
        } else if (!strcmp(line, "eeset")) {
            unhex(arg, hal_host_eeprom(), 1024);
        } else if (!strcmp(line, "sig")) {
            uint8_t row[32];
            memset(row, 0xFF, sizeof row);
            unhex(arg, row, sizeof row);
            hal_host_set_signature(row);
        } else if (!strcmp(line, "fuses")) {
            unsigned e = 0xFC, h = 0xD7;
            sscanf(arg, "%x %x", &e, &h);
            hal_host_set_fuses((uint8_t)e, (uint8_t)h);
        } else if (!strcmp(line, "ee")) {
            const uint8_t *e = hal_host_eeprom();
            fputs("E ", stdout);
            for (int i = 0; i < 1024; i++) printf("%02x", e[i]);
            putchar('\n');
        } else if (!strcmp(line, "sync")) {
            puts(".");
        } else if (line[0]) {
            printf("error unknown command %s\n", line);
        }
        fflush(stdout);
    }
    return 0;
}
