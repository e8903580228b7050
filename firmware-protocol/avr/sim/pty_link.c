/*
 * Pseudo-terminal plumbing. Linux facts relied on: poll() on a master
 * reports POLLHUP while no process has the slave open (before the first
 * open and after the last close), and reads then fail with EIO; the
 * slave's termios persist across its opens while the master stays open,
 * so setting raw mode once here keeps the line discipline from echoing or
 * translating CR/LF for every later opener.
 */
#include "pty_link.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

int pty_link_open(pty_link_t *p, const char *link)
{
    memset(p, 0, sizeof *p);
    int slave;
    if (openpty(&p->master, &slave, p->slave_name, NULL, NULL) != 0) {
        perror("openpty");
        return 0;
    }
    struct termios tio;
    tcgetattr(slave, &tio);
    cfmakeraw(&tio);
    cfsetispeed(&tio, B115200);
    cfsetospeed(&tio, B115200);
    tcsetattr(slave, TCSANOW, &tio);
    close(slave);
    fcntl(p->master, F_SETFL, fcntl(p->master, F_GETFL) | O_NONBLOCK);
    snprintf(p->link, sizeof p->link, "%s", link);
    unlink(link);
    if (symlink(p->slave_name, link) != 0) {
        perror(link);
        return 0;
    }
    return 1;
}

int pty_link_poll(pty_link_t *p)
{
    struct pollfd pfd = { .fd = p->master, .events = POLLIN };
    poll(&pfd, 1, 0);
    int was = p->attached;
    p->attached = !(pfd.revents & POLLHUP);
    if (p->in_pos == p->in_len) p->in_pos = p->in_len = 0;
    if (p->attached && (pfd.revents & POLLIN) && p->in_len < sizeof p->in) {
        ssize_t n = read(p->master, p->in + p->in_len, sizeof p->in - p->in_len);
        if (n > 0) p->in_len += (size_t)n;
    }
    return p->attached && !was;
}

size_t pty_link_write(pty_link_t *p, const uint8_t *data, size_t n)
{
    /* Nobody listening: a USB-serial chip drops what nobody reads. */
    if (!p->attached) return n;
    ssize_t w = write(p->master, data, n);
    if (w < 0) return (errno == EAGAIN || errno == EINTR) ? 0 : n;
    return (size_t)w;
}

void pty_link_close(pty_link_t *p)
{
    if (p->link[0]) unlink(p->link);
    if (p->master > 0) close(p->master);
    p->master = -1;
}
