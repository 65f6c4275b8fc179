/* rules.h: the core's private view of prefix-rule files (core/rules.c); the public API is the
 * RfRules section of ringfence.h. */
#pragma once

#include <ringfence/ringfence.h>

/* Splits |text| into words as a POSIX shell would (quotes, backslashes, # comments), without
 * expansions.  NULL with |error| set on an unterminated quote or a trailing backslash. */
char **rf_shlex_split(const char *text, GError **error);

/* "allow", "prompt", "forbidden" -> RfDecision; FALSE for anything else. */
gboolean rf_rule_decision_from_string(const char *text, RfDecision *decision);
