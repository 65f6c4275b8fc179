/* handoff.h: connections handed over by the sandbox's bridge on --accept-fd (SCM_RIGHTS over SOCK_SEQPACKET), each treated as hostile. */
#pragma once

#include <stddef.h>

/* Receives one message.  Returns 1 with *fd_out set to an accepted connection;
 * 0 when the message carried nothing acceptable (every descriptor it carried is
 * closed, |why| says what was wrong); -EPIPE at end of file (no more clients);
 * -EAGAIN when nothing is queued; another -errno on error. */
int np_handoff_receive(int sock, int *fd_out, char *why, size_t whylen);
/* Whether fd is a connected TCP socket (AF_INET/AF_INET6, SOCK_STREAM, IPPROTO_TCP,
 * not listening, with a peer).  0, or -EINVAL with the reason. */
int np_handoff_check(int fd, char *why, size_t whylen);
