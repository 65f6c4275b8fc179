/* rules.h: the core's private view of prefix-rule files (core/approval/rules.c); the public API
 * is the RfRules section of ringfence.h. */
#pragma once

#include <ringfence/ringfence.h>

/* Splits |text| into words as a POSIX shell would (quotes, backslashes, # comments), without
 * expansions.  NULL with |error| set on an unterminated quote or a trailing backslash. */
char **rf_shlex_split(const char *text, GError **error);

/* "allow", "prompt", "forbidden" -> RfDecision; FALSE for anything else. */
gboolean rf_rule_decision_from_string(const char *text, RfDecision *decision);

/* rules-dirs.c: appends to |out| (char*) the path of every *.rules file in |dir|, in byte
 * order of the names (a name starting with '.' is skipped).  A missing |dir| adds nothing;
 * one that is not a directory or cannot be read is an error (-errno).  What is not a regular
 * file fails later, when it is read (rf_rules_load_file). */
#define RF_RULES_DIR_MAX_FILES 256
int rf_rules_dir_files(const char *dir, GPtrArray *out, GError **error);
