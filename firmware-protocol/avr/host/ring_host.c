/*
 * Host driver for the vote ring alone (vote_ring.c over ee_queue.c and the
 * fake EEPROM), for the power-cut tests: every EEPROM byte write of a
 * scenario can be torn and the ring re-scanned as after a reboot.
 *
 * Commands:
 *   boot                 power-on + ring scan   -> "B <next_seq> <pending>" ("P" if power died in a layout migration)
 *   cutboot <n> <mode>   boot with the (n+1)-th byte write torn -> "B ..." or "P"
 *   wait <ms>            the clock runs ms -> "."
 *   append <btn> <flags> [<reason>] store a vote -> "A <seq>" (0 = full)
 *   spin <n>             append + ACK n votes (button 1) -> "."
 *   flush                finish queued writes   -> "."
 *   oldest               oldest pending vote    -> "V <seq> <btn> <flags> <pressed at|-> <reason>" or "V -"
 *   after <seq>          next pending above seq -> same as oldest
 *   ack                  mark the oldest done   -> "D <seq>" or "D -"
 *   mark <n> [<wmax>]    WELCOME's mark (§7.6)  -> "M <renumbered 0|1> <next_seq>"
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
        if (!strcmp(line, "boot") || !strcmp(line, "cutboot")) {
            long n = -1;
            unsigned mode = 0;
            sscanf(arg, "%ld %u", &n, &mode);
            hal_host_reset(1, 0);
            if (n >= 0) hal_host_cut_after(n, (uint8_t)mode);
            hl_ee_queue_init();
            hl_ring_init();
            /* A cut that the boot did not reach is not carried into later commands. */
            hal_host_cut_after(-1, 0);
            if (hal_host_power_lost()) puts("P");
            else printf("B %lu %u\n", (unsigned long)hl_ring_next_seq(), hl_ring_pending());
        } else if (!strcmp(line, "wait")) {
            unsigned long ms = strtoul(arg, NULL, 10);
            for (unsigned long i = 0; i < ms; i++) {
                hal_host_tick();
            }
            puts(".");
        } else if (!strcmp(line, "append")) {
            unsigned btn = 1, flags = 0, reason = 0;
            sscanf(arg, "%u %u %u", &btn, &flags, &reason);
            uint32_t seq = hl_ring_append((uint8_t)btn, (uint8_t)reason, (uint8_t)flags, hal_host_now());
            flush();
            if (hal_host_power_lost()) puts("P");
            else printf("A %lu\n", (unsigned long)seq);
        } else if (!strcmp(line, "spin")) {
            unsigned long n = strtoul(arg, NULL, 10);
            for (unsigned long i = 0; i < n; i++) {
                hl_vote_t v;
                uint8_t slot;
                hl_ring_append(1, 0, 0, hal_host_now());
                if (hl_ring_oldest(&v, &slot)) hl_ring_done(slot);
                flush();
            }
            puts(".");
        } else if (!strcmp(line, "flush")) {
            flush();
            puts(hal_host_power_lost() ? "P" : ".");
        } else if (!strcmp(line, "oldest") || !strcmp(line, "ack") || !strcmp(line, "after")) {
            hl_vote_t v;
            uint8_t slot;
            uint8_t found = line[1] == 'f' ? hl_ring_after((uint32_t)strtoul(arg, NULL, 10), &v, &slot) : hl_ring_oldest(&v, &slot);
            if (line[0] == 'o' || line[1] == 'f') {
                uint32_t now = hal_host_now();
                uint32_t age = found ? hl_ring_age(slot, v.seq, now) : 0;
                if (!found) puts("V -");
                else if (age != 0xFFFFFFFFUL) printf("V %lu %u %u %lu %u\n", (unsigned long)v.seq, v.button, v.flags, (unsigned long)(now - age), v.reason);
                else printf("V %lu %u %u - %u\n", (unsigned long)v.seq, v.button, v.flags, v.reason);
            } else if (!found) {
                puts("D -");
            } else {
                hl_ring_done(slot);
                flush();
                if (hal_host_power_lost()) puts("P");
                else printf("D %lu\n", (unsigned long)v.seq);
            }
        } else if (!strcmp(line, "mark")) {
            unsigned long m = 0, wmax = 1;
            sscanf(arg, "%lu %lu", &m, &wmax);
            uint8_t r = hl_ring_continue_above((uint32_t)m, (uint8_t)wmax);
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
