/*
 * The box's USB serial port, played by a real pseudo-terminal: the harness
 * holds the master side, and a stable symlink (e.g. /tmp/x/ttyhost) points
 * at the slave, which the bridge opens with `serialport` like any
 * /dev/ttyUSB0. Like a real USB-serial chip, bytes the box sends while no
 * program has the port open are dropped, not queued for the next opener.
 */
#ifndef HL_SIM_PTY_LINK_H
#define HL_SIM_PTY_LINK_H

#include <stddef.h>
#include <stdint.h>

/* One pty. */
typedef struct {
    int master;
    char slave_name[128];
    char link[4096];
    int attached; /* a program has the slave open */
    uint8_t in[4096];
    size_t in_len, in_pos;
} pty_link_t;

/* Opens a raw pty and points `link` at its slave. Returns 0 on failure. */
int pty_link_open(pty_link_t *p, const char *link);

/*
 * Polls the master: updates `attached`, reads what the peer wrote into
 * in[]. Returns 1 when the peer just opened the port (attach edge).
 */
int pty_link_poll(pty_link_t *p);

/* Writes as much of data as the pty takes now; returns bytes consumed (all of them when detached). */
size_t pty_link_write(pty_link_t *p, const uint8_t *data, size_t n);

/* Removes the link and closes the master. */
void pty_link_close(pty_link_t *p);

#endif
