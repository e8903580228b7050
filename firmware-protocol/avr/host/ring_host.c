/*
 * Host driver for the vote ring alone (vote_ring.c over ee_queue.c and the
 * fake EEPROM), for the power-cut tests: every EEPROM byte write of a
 * scenario can be torn and the ring re-scanned as after a reboot.
 *
 * Commands:
 *   boot                 power-on + ring scan   -> "B <next_seq> <pending>"
 *   append <btn> <flags> store a vote           -> "A <seq>" (0 = full)
 *   flush                finish queued writes   -> "."
 *   oldest               oldest pending vote    -> "V <seq> <btn> <flags> <age|->" or "V -"
 *   ack                  mark the oldest done   -> "D <seq>" or "D -"
 *   mark <n>             WELCOME's mark (§7.6)  -> "M <renumbered 0|1> <next_seq>"
 *   cut <n> <mode>       tear the (n+1)-th byte write from now and lose power
 *   eeset <hex> / ee     EEPROM image in / out
 *   writes               completed byte writes  -> "W <n>"
 *   sync                 "."
 * After a cut, commands that write print "P" until the next boot.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ee_queue.h"
#include "hal.h"
#include "hal_host.h"
#include "vote_ring.h"

void hal_on_tick(void) {}

static void flush(void)
{
    while (!hl_ee_idle() && !hal_host_power_lost()) {
        hl_ee_poll();
        hal_host_tick();
    }
}

int main(void)
{
    static char line[4096];
    hal_host_set_ee_write_ms(1);
    while (fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\r\n")] = 0;
        char *arg = strchr(line, ' ');
        if (arg) *arg++ = 0;
        else arg = line + strlen(line);
        if (!strcmp(line, "boot")) {
            hal_host_reset(1, 0);
            hl_ee_queue_init();
            hl_ring_init();
            printf("B %lu %u\n", (unsigned long)hl_ring_next_seq(), hl_ring_pending());
        } else if (!strcmp(line, "append")) {
            unsigned btn = 1, flags = 0;
            sscanf(arg, "%u %u", &btn, &flags);
            uint32_t seq = hl_ring_append((uint8_t)btn, 0, (uint8_t)flags, hal_host_now());
            flush();
            if (hal_host_power_lost()) puts("P");
            else printf("A %lu\n", (unsigned long)seq);
        } else if (!strcmp(line, "flush")) {
            flush();
            puts(hal_host_power_lost() ? "P" : ".");
        } else if (!strcmp(line, "oldest") || !strcmp(line, "ack")) {
            hl_vote_t v;
            uint8_t slot;
            uint8_t found = hl_ring_oldest(&v, &slot);
            if (line[0] == 'o') {
                uint32_t at;
                if (!found) puts("V -");
                else if (hl_ring_press_time(slot, &at)) printf("V %lu %u %u %lu\n", (unsigned long)v.seq, v.button, v.flags, (unsigned long)at);
                else printf("V %lu %u %u -\n", (unsigned long)v.seq, v.button, v.flags);
            } else if (!found) {
                puts("D -");
            } else {
                hl_ring_done(slot);
                flush();
                if (hal_host_power_lost()) puts("P");
                else printf("D %lu\n", (unsigned long)v.seq);
            }
        } else if (!strcmp(line, "mark")) {
            unsigned long m = strtoul(arg, NULL, 10);
            uint8_t r = hl_ring_continue_above((uint32_t)m);
            flush();
            if (hal_host_power_lost()) puts("P");
            else printf("M %u %lu\n", r, (unsigned long)hl_ring_next_seq());
        } else if (!strcmp(line, "cut")) {
            long n = 0;
            unsigned mode = 0;
            sscanf(arg, "%ld %u", &n, &mode);
            hal_host_cut_after(n, (uint8_t)mode);
        } else if (!strcmp(line, "eeset")) {
            uint8_t *e = hal_host_eeprom();
            unsigned v;
            for (int i = 0; i < 1024 && sscanf(arg + 2 * i, "%2x", &v) == 1; i++) e[i] = (uint8_t)v;
        } else if (!strcmp(line, "ee")) {
            const uint8_t *e = hal_host_eeprom();
            fputs("E ", stdout);
            for (int i = 0; i < 1024; i++) printf("%02x", e[i]);
            putchar('\n');
        } else if (!strcmp(line, "writes")) {
            printf("W %lu\n", hal_host_ee_writes());
        } else if (!strcmp(line, "sync")) {
            puts(".");
        } else if (line[0]) {
            printf("error unknown command %s\n", line);
        }
        fflush(stdout);
    }
    return 0;
}
