/*
 * hlbox-sim: runs the HLBOX firmware.elf (the image a vendor flashes) on
 * simavr's ATmega328P in real time, with its USART0 on a real pty, buttons
 * and LEDs driven over stdin/stdout, and the EEPROM kept in a file.
 *
 *   hlbox-sim --elf build/avr/firmware.elf --eeprom box.eeprom --pty /tmp/x/ttyhost
 *             [--uid HL328P-SIM0001] [--buttons 4] [--speed 1] [--vcc 5000] [--efuse FC --hfuse D7] [--reset-on-open] [--trace-uart]
 *
 * --efuse/--hfuse (hex): the fuse bytes the firmware reads; default flash-isp's (board_fuses).
 *
 * stdin, one command per line:
 *   press <n> | release <n> | tap <n> [ms]   button n (1..5); tap holds it ms (default 80) of emulated time
 *   reset          pull the reset pin (EVENT BOOT EXTERNAL)
 *   hang           make the firmware hang with interrupts off (the watchdog must recover it)
 *   powercut       stop at once; the EEPROM file keeps exactly what the chip held at this cycle
 *   quit           save the EEPROM and exit
 *   wait <ms>      answer "waited <ms>" once that much emulated time has passed
 *   rx <0|1>       0 cuts the box's RX wire: bytes from the pty are read and lost, as
 *                  on a broken cable, until `rx 1` (a lost ACK on demand); power-on mends it
 *   save | eeprom | time
 * stdout, one event per line, times in emulated ms since power-on:
 *   ready <pty-link> <pty-slave>
 *   out <ms> <leds> <status> <buzzer>     output pins changed (leds: bit i = LED i+1)
 *   pressed <ms> <n> | released <ms> <n>
 *   reset <ms>                            the MCU restarted (reset pin or watchdog)
 *   attached <ms> | detached <ms>         a program opened / closed the serial port
 *   sent <ms> <line>                      (--trace-uart) a line the firmware sent
 *   rx <ms> <0|1>                         the RX wire was cut (0) or mended (1)
 *   waited <ms> | saved | eeprom <hex> | time <ms> | bye <why> | error <text>
 * simavr's own chatter goes to stderr. SIGTERM, SIGINT and a closed stdin stop it like `quit`.
 */
#include "board.h"
#include "pty_link.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Emulation runs in slices of 100 us between I/O checks. */
#define SLICE_CYCLES (BOARD_HZ / 10000)

static FILE *out;
static board_t board;
static pty_link_t pty;
static double speed = 1.0;
static int trace_uart;
static int reset_on_open;
/* `rx 0`: the RX wire is cut, received bytes are dropped before the USART sees them. */
static int rx_cut;
/* Emulated cycles before the last core reset that zeroed avr->cycle. */
static avr_cycle_count_t cycle_base;
static avr_cycle_count_t release_at[6];
/* Pending `wait` commands: emulated cycle at which each answers. */
#define WAITS 8
static avr_cycle_count_t wait_at[WAITS];
static char line_buf[256];
static size_t line_len;
static board_outputs_t last_out = { 0xFF, 0xFF, 0xFF };
/* SIGTERM/SIGINT: stop like `quit`, so a killed test run still leaves a consistent EEPROM file. */
static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
    stop_signal = sig;
}

static double ms_now(void)
{
    return (double)(cycle_base + board.avr->cycle) * 1000.0 / BOARD_HZ;
}

static double wall_ms(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) * 1000.0 + (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

static void finish(const char *why, int save, int code)
{
    if (save) board_save_eeprom(&board);
    pty_link_close(&pty);
    fprintf(out, "bye %s\n", why);
    fflush(out);
    exit(code);
}

static void trace_byte(uint8_t c)
{
    if (c == '\n') {
        if (line_len && line_buf[line_len - 1] == '\r') line_len--;
        /* Keep the event line one line: anything unprintable shows as '?'. */
        for (size_t i = 0; i < line_len; i++)
            if (line_buf[i] < 0x20 || line_buf[i] > 0x7E) line_buf[i] = '?';
        fprintf(out, "sent %.3f %.*s\n", ms_now(), (int)line_len, line_buf);
        line_len = 0;
    } else if (line_len < sizeof line_buf) {
        line_buf[line_len++] = (char)c;
    }
}

static void press(int n, int down)
{
    if (n < 1 || n > 5) {
        fprintf(out, "error button %d is not 1..5\n", n);
        return;
    }
    board_button(&board, n, down);
    fprintf(out, "%s %.3f %d\n", down ? "pressed" : "released", ms_now(), n);
}

static void command(char *cmd)
{
    char word[32] = "";
    int n = 0;
    double ms = 80;
    sscanf(cmd, "%31s %d %lf", word, &n, &ms);
    if (!strcmp(word, "press")) press(n, 1);
    else if (!strcmp(word, "release")) press(n, 0);
    else if (!strcmp(word, "tap")) {
        press(n, 1);
        if (n >= 1 && n <= 5) release_at[n] = cycle_base + board.avr->cycle + (avr_cycle_count_t)(ms * BOARD_HZ / 1000);
    } else if (!strcmp(word, "reset")) {
        cycle_base += board.avr->cycle;
        board_reset_pin(&board);
        cycle_base -= board.avr->cycle;
        fprintf(out, "reset %.3f\n", ms_now());
    } else if (!strcmp(word, "hang")) {
        board_hang(&board);
        fprintf(out, "hung %.3f\n", ms_now());
    } else if (!strcmp(word, "powercut")) {
        /* The EEPROM array is exactly what the chip holds at this cycle: write it, run nothing more. */
        finish("powercut", 1, 0);
    } else if (!strcmp(word, "quit")) {
        finish("quit", 1, 0);
    } else if (!strcmp(word, "save")) {
        fputs(board_save_eeprom(&board) ? "saved\n" : "error save failed\n", out);
    } else if (!strcmp(word, "eeprom")) {
        fputs("eeprom ", out);
        for (int i = 0; i < 1024; i++) fprintf(out, "%02x", board.eeprom[i]);
        fputc('\n', out);
    } else if (!strcmp(word, "wait")) {
        int slot = 0;
        while (slot < WAITS && wait_at[slot]) slot++;
        if (slot == WAITS || n < 0) {
            fputs("error too many waits\n", out);
            return;
        }
        wait_at[slot] = cycle_base + board.avr->cycle + (avr_cycle_count_t)n * (BOARD_HZ / 1000) + 1;
    } else if (!strcmp(word, "rx")) {
        rx_cut = !n;
        fprintf(out, "rx %.3f %d\n", ms_now(), !rx_cut);
    } else if (!strcmp(word, "time")) {
        fprintf(out, "time %.3f\n", ms_now());
    } else if (word[0]) {
        fprintf(out, "error unknown command %s\n", word);
    }
}

/* Reads whatever stdin has and runs complete lines. */
static void read_commands(void)
{
    static char buf[4096];
    static size_t len;
    ssize_t n = read(STDIN_FILENO, buf + len, sizeof buf - 1 - len);
    if (n == 0) finish("stdin closed", 1, 0);
    if (n < 0) return;
    len += (size_t)n;
    char *start = buf;
    for (char *nl; (nl = memchr(start, '\n', len - (size_t)(start - buf))) != NULL; start = nl + 1) {
        *nl = 0;
        command(start);
    }
    len -= (size_t)(start - buf);
    memmove(buf, start, len);
    if (len == sizeof buf - 1) len = 0; /* a line that long is not a command */
}

static void run_slice(void)
{
    avr_t *avr = board.avr;
    avr_cycle_count_t target = avr->cycle + SLICE_CYCLES;
    while (avr->cycle < target) {
        avr_flashaddr_t pc = avr->pc;
        avr_cycle_count_t before = avr->cycle;
        int state = avr_run(avr);
        if (avr->cycle < before) {
            /* A reset zeroed the counter: keep the timeline monotonic. */
            cycle_base += before;
            target = avr->cycle + SLICE_CYCLES;
        }
        if (avr->pc == 0 && pc != 0) fprintf(out, "reset %.3f\n", ms_now());
        if (state == cpu_Done || state == cpu_Crashed) {
            fprintf(out, "error the core %s at pc 0x%x\n", state == cpu_Done ? "stopped" : "crashed", avr->pc);
            finish("crashed", 1, 3);
        }
    }
}

static void service_io(void)
{
    avr_cycle_count_t now = cycle_base + board.avr->cycle;
    for (int n = 1; n <= 5; n++) {
        if (release_at[n] && now >= release_at[n]) {
            release_at[n] = 0;
            press(n, 0);
        }
    }
    for (int i = 0; i < WAITS; i++) {
        if (wait_at[i] && now >= wait_at[i]) {
            wait_at[i] = 0;
            fprintf(out, "waited %.3f\n", ms_now());
        }
    }
    int was = pty.attached;
    if (pty_link_poll(&pty)) {
        fprintf(out, "attached %.3f\n", ms_now());
        if (reset_on_open) command("reset");
    } else if (was && !pty.attached) {
        fprintf(out, "detached %.3f\n", ms_now());
    }
    if (rx_cut) pty.in_pos = pty.in_len; /* read from the pty (the bridge's write succeeds) and lost */
    else if (pty.in_pos < pty.in_len && board_uart_offer(&board, pty.in[pty.in_pos])) pty.in_pos++;
    if (board.tx_len) {
        if (trace_uart)
            for (size_t i = 0; i < board.tx_len; i++) trace_byte(board.tx[i]);
        size_t w = pty_link_write(&pty, board.tx, board.tx_len);
        memmove(board.tx, board.tx + w, board.tx_len - w);
        board.tx_len -= w;
        if (trace_uart && board.tx_len) line_len = 0; /* retried bytes are traced again */
    }
    board_outputs_t o = board_outputs(&board);
    if (o.leds != last_out.leds || o.status != last_out.status || o.buzzer != last_out.buzzer) {
        fprintf(out, "out %.3f %u %u %u\n", ms_now(), o.leds, o.status, o.buzzer);
        last_out = o;
    }
}

static const char *arg_value(int argc, char **argv, const char *name)
{
    for (int i = 1; i < argc - 1; i++)
        if (!strcmp(argv[i], name)) return argv[i + 1];
    return NULL;
}

static int has_flag(int argc, char **argv, const char *name)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], name)) return 1;
    return 0;
}

int main(int argc, char **argv)
{
    /* simavr prints to stdout (ELF loader, UART setup): keep stdout for our events only. */
    out = fdopen(dup(STDOUT_FILENO), "w");
    dup2(STDERR_FILENO, STDOUT_FILENO);
    setvbuf(out, NULL, _IOLBF, 0);
    signal(SIGPIPE, SIG_IGN);
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);

    const char *elf = arg_value(argc, argv, "--elf");
    const char *eeprom = arg_value(argc, argv, "--eeprom");
    const char *link = arg_value(argc, argv, "--pty");
    const char *uid = arg_value(argc, argv, "--uid");
    const char *buttons = arg_value(argc, argv, "--buttons");
    const char *spd = arg_value(argc, argv, "--speed");
    const char *vcc = arg_value(argc, argv, "--vcc");
    const char *efuse = arg_value(argc, argv, "--efuse");
    const char *hfuse = arg_value(argc, argv, "--hfuse");
    trace_uart = has_flag(argc, argv, "--trace-uart");
    reset_on_open = has_flag(argc, argv, "--reset-on-open");
    if (!elf || !eeprom || !link) {
        fprintf(stderr, "usage: %s --elf firmware.elf --eeprom box.eeprom --pty /path/ttylink [--uid UID] [--buttons N]"
                         " [--speed X] [--vcc MV] [--efuse HEX] [--hfuse HEX] [--reset-on-open] [--trace-uart]\n", argv[0]);
        return 2;
    }
    if (spd) speed = atof(spd);
    if (!board_open(&board, elf, eeprom, uid, buttons ? (uint8_t)atoi(buttons) : 0)) return 1;
    /* Supply in mV for the ADC (the firmware reads it against the 1.1 V bandgap at boot). */
    board.avr->vcc = board.avr->avcc = vcc ? (uint32_t)atoi(vcc) : 5000u;
    /* A box flashed through a bootloader keeps the board's fuses (EVENT FUSE, PROTOCOL.md §5.9). */
    if (efuse || hfuse)
        board_fuses(&board, (uint8_t)strtoul(efuse ? efuse : "FC", NULL, 16), (uint8_t)strtoul(hfuse ? hfuse : "D7", NULL, 16));
    if (!pty_link_open(&pty, link)) return 1;
    fcntl(STDIN_FILENO, F_SETFL, fcntl(STDIN_FILENO, F_GETFL) | O_NONBLOCK);
    fprintf(out, "ready %s %s\n", pty.link, pty.slave_name);

    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        if (stop_signal) finish("signal", 1, 0);
        run_slice();
        service_io();
        /* Real time: the bridge's timeouts (HELLO 2 s, PING 5 s, link 15 s) are wall-clock. */
        double ahead = speed > 0 ? ms_now() / speed - wall_ms(&t0) : 0;
        if (ahead < -20) {
            /* Descheduled (a busy machine): forgive the debt instead of sprinting to catch
             * up, which would squeeze the firmware's 2 s and 1 s intervals in wall time. */
            t0.tv_nsec += (long)(-ahead * 1e6);
            t0.tv_sec += t0.tv_nsec / 1000000000L;
            t0.tv_nsec %= 1000000000L;
            ahead = 0;
        }
        /* The master reports POLLHUP, at once, while nobody has the port open: leave it out then. */
        struct pollfd fds[2] = { { .fd = STDIN_FILENO, .events = POLLIN }, { .fd = pty.master, .events = POLLIN } };
        int wait = ahead > 1 ? (int)ahead : 0;
        if (poll(fds, pty.attached ? 2 : 1, wait) > 0 && (fds[0].revents & (POLLIN | POLLHUP))) read_commands();
    }
}
