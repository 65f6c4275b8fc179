/* options.c: parsing of the proxy's command line (see options.h; the contract is in main.c). */
#include "options.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_int(const char *opt, const char *val, int min, int max, int *out, char *err, size_t errlen) {
  char *end;
  errno = 0;
  long v = val ? strtol(val, &end, 10) : 0;
  if (!val || errno || end == val || *end || v < min || v > max || !g_ascii_isdigit(val[0])) {
    snprintf(err, errlen, "%s: expected a number from %d to %d, got '%s'", opt, min, max, val ? val : "");
    return -EINVAL;
  }
  *out = (int)v;
  return 0;
}

static int parse_fd(const char *opt, const char *val, int *out, char *err, size_t errlen) {
  int rc = parse_int(opt, val, 0, INT_MAX, out, err, errlen);
  if (rc < 0)
    return rc;
  if (fcntl(*out, F_GETFD) < 0) {
    snprintf(err, errlen, "%s %d: that descriptor is not open", opt, *out);
    return -EINVAL;
  }
  return 0;
}

int np_options_parse(int argc, char **argv, np_options *o, char *err, size_t errlen) {
  memset(o, 0, sizeof(*o));
  o->control_fd = o->accept_fd = o->log_fd = o->log_json_fd = o->listen_fd = -1;
  o->header_timeout_s = 30;
  o->idle_timeout_s = 600;
  o->max_clients = 512;
  g_autoptr(GPtrArray) allow = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GPtrArray) deny = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GPtrArray) resolve = g_ptr_array_new_with_free_func(g_free);
  int rc = 0;
  for (int i = 0; i < argc && rc == 0; i++) {
    const char *a = argv[i];
    const char *val = i + 1 < argc ? argv[i + 1] : NULL;
    bool takes_value = true;
    if (strcmp(a, "--control-fd") == 0)
      rc = parse_fd(a, val, &o->control_fd, err, errlen);
    else if (strcmp(a, "--accept-fd") == 0)
      rc = parse_fd(a, val, &o->accept_fd, err, errlen);
    else if (strcmp(a, "--listen-fd") == 0)
      rc = parse_fd(a, val, &o->listen_fd, err, errlen);
    else if (strcmp(a, "--log-fd") == 0)
      rc = parse_fd(a, val, &o->log_fd, err, errlen);
    else if (strcmp(a, "--log-json-fd") == 0)
      rc = parse_fd(a, val, &o->log_json_fd, err, errlen);
    else if (strcmp(a, "--allow-domain") == 0 || strcmp(a, "--deny-domain") == 0 || strcmp(a, "--resolve") == 0) {
      if (!val || !*val) {
        snprintf(err, errlen, "%s needs a value", a);
        rc = -EINVAL;
      } else {
        GPtrArray *list = a[2] == 'a' ? allow : a[2] == 'd' ? deny : resolve;
        g_ptr_array_add(list, g_strdup(val));
      }
    } else if (strcmp(a, "--upstream") == 0) {
      if (!val || !*val || o->upstream) {
        snprintf(err, errlen, "--upstream needs one URL (http://HOST:PORT or socks5h://HOST:PORT), given once");
        rc = -EINVAL;
      } else
        o->upstream = g_strdup(val);
    } else if (strcmp(a, "--mode") == 0) {
      if (val && strcmp(val, "full") == 0)
        o->limited = false;
      else if (val && strcmp(val, "limited") == 0)
        o->limited = true;
      else {
        snprintf(err, errlen, "--mode: expected full or limited, got '%s'", val ? val : "");
        rc = -EINVAL;
      }
    } else if (strcmp(a, "--header-timeout") == 0)
      rc = parse_int(a, val, 1, 3600, &o->header_timeout_s, err, errlen);
    else if (strcmp(a, "--idle-timeout") == 0)
      rc = parse_int(a, val, 1, 86400, &o->idle_timeout_s, err, errlen);
    else if (strcmp(a, "--max-clients") == 0)
      rc = parse_int(a, val, 1, 4096, &o->max_clients, err, errlen);
    else {
      takes_value = false;
      if (strcmp(a, "--listen-tcp") == 0)
        o->listen_tcp = true;
      else if (strcmp(a, "--allow-local-binding") == 0)
        o->allow_local_binding = true;
      else {
        snprintf(err, errlen, "unknown option '%s' (see the contract at the top of core/netproxy/main.c)", a);
        rc = -EINVAL;
      }
    }
    if (takes_value)
      i++;
  }
  if (rc == 0 && o->control_fd < 0) {
    snprintf(err, errlen, "--control-fd is required: the proxy must end with the run that started it");
    rc = -EINVAL;
  }
  if (rc == 0 && o->listen_tcp && o->listen_fd >= 0) {
    snprintf(err, errlen, "--listen-tcp and --listen-fd N exclude each other: one TCP listener");
    rc = -EINVAL;
  }
  if (rc == 0 && !o->listen_tcp && o->listen_fd < 0 && o->accept_fd < 0) {
    snprintf(err, errlen, "no clients: give --listen-tcp, --listen-fd N, --accept-fd N or both");
    rc = -EINVAL;
  }
  g_ptr_array_add(allow, NULL);
  g_ptr_array_add(deny, NULL);
  g_ptr_array_add(resolve, NULL);
  o->allow = (char **)g_ptr_array_free(g_steal_pointer(&allow), FALSE);
  o->deny = (char **)g_ptr_array_free(g_steal_pointer(&deny), FALSE);
  o->resolve = (char **)g_ptr_array_free(g_steal_pointer(&resolve), FALSE);
  if (rc < 0)
    np_options_clear(o);
  return rc;
}

void np_options_clear(np_options *o) {
  g_strfreev(o->allow);
  g_strfreev(o->deny);
  g_strfreev(o->resolve);
  g_free(o->upstream);
  o->allow = o->deny = o->resolve = NULL;
  o->upstream = NULL;
}
