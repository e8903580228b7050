/* Firmware entry point on the ATmega328P: a plain superloop, no RTOS. */
#include "hal.h"
#include "terminal.h"

int main(void)
{
    hal_init();
    hl_terminal_init();
    hal_start();
    for (;;) {
        hal_watchdog_kick();
        hl_terminal_poll();
        /* The 1 ms tick and every UART byte wake the CPU again. */
        if (hl_terminal_idle()) hal_idle();
    }
}
