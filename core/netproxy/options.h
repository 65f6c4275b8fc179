/* options.h: the proxy's command line (the contract with the core, see main.c) parsed into one struct. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

typedef struct {
  int control_fd;   /* required */
  int accept_fd;    /* -1: none */
  int log_fd;       /* -1: none */
  int log_json_fd;  /* -1: none */
  bool listen_tcp;
  int listen_fd; /* --listen-fd: a listening 127.0.0.1 TCP socket the core made, or -1 */
  bool limited;     /* --mode limited */
  bool allow_local_binding;
  char **allow;     /* NULL-terminated, as given */
  char **deny;
  char **resolve;   /* "HOST:ADDR" */
  char *upstream;   /* URL or NULL */
  /* Appended to the contract (tests and tuning; the core passes none of them): */
  int header_timeout_s; /* --header-timeout: a request line + headers (or SOCKS handshake) must arrive within it */
  int idle_timeout_s;   /* --idle-timeout: a connection with no byte either way for this long is closed */
  int max_clients;      /* --max-clients: connections served at once; more are closed on arrival */
} np_options;

/* Parses argv (without argv[0]).  0, or -EINVAL with a message naming the option. */
int np_options_parse(int argc, char **argv, np_options *opts, char *err, size_t errlen);
void np_options_clear(np_options *opts);
