/* fixtures.h: policies and a capturing render sink shared by the Seatbelt backend's tests. */
#ifndef SEATBELT_FIXTURES_H
#define SEATBELT_FIXTURES_H

#include "../lib/cunit-expect.h"
#include "seatbelt.h"

#include <stddef.h>

/* A policy with its storage; fixture_policy() fills it from a few knobs. */
typedef struct {
  rf_backend_policy policy;
  rf_backend_root roots[4];
} fixture;

typedef struct {
  rf_sandbox_mode mode;
  rf_read_access read;
  int platform_defaults;
  rf_network_mode network;
} fixture_shape;

/* The golden fixture: a project with .git, .envrc, .vscode and a worktree's
 * gitdir outside it, /private/tmp and a $TMPDIR as writable roots (in
 * workspace-write), two readable roots (one with quotes and a space), two
 * deny-read paths and two deny-read globs. */
void fixture_policy(fixture *f, fixture_shape shape);

/* Render output, captured: "[section]" before each change of section, then
 * one line per emit.  Heap string. */
typedef struct {
  char *text;
  size_t len;
  size_t cap;
  char section[64];
  int lines_with_newline; /* emits that contained '\n' (must stay 0) */
} capture;

extern const rf_backend_sink *capture_sink(capture *cap);
void capture_free(capture *cap);

/* The profile of |policy| and its parameter keys, or NULL (err filled). */
char *profile_of(const rf_backend_policy *policy, rf_seatbelt_params *params, char *err,
                 size_t err_len);

/* Runs the structure checker with |params|' keys. */
int check_profile(const char *profile, const rf_seatbelt_params *params, char *err,
                  size_t err_len);

/* Reads a whole file (NULL if missing). */
char *read_text_file(const char *path);

/* Test suites (one file each). */
void add_escape_tests(void);
void add_profile_tests(void);
void add_checker_tests(void);
void add_golden_tests(void);
void add_plugin_tests(void);
void add_supervise_tests(void);
void add_hardening_tests(void);

#endif
