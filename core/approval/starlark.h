/* starlark.h: the deterministic Starlark subset rules files are written in
 * (core/approval/starlark.c): evaluating a file into the list of calls it makes to the functions a
 * caller names. */
#pragma once

#include <glib.h>

typedef enum { RF_SL_NONE, RF_SL_BOOL, RF_SL_INT, RF_SL_STRING, RF_SL_LIST } RfSlType;

/* A value.  Values are immutable once made, and shared by reference. */
typedef struct RfSlValue RfSlValue;
struct RfSlValue {
  int refs;
  RfSlType type;
  gboolean boolean;   /* RF_SL_BOOL */
  gint64 integer;     /* RF_SL_INT */
  char *string;       /* RF_SL_STRING: UTF-8 without NUL */
  GPtrArray *items;   /* RF_SL_LIST: RfSlValue* */
  guint line, column; /* where it was written (or the operator that made it) */
};

RfSlValue *rf_sl_value_ref(RfSlValue *value);
void rf_sl_value_unref(RfSlValue *value);
/* "string", "list", "int", "bool", "NoneType" */
const char *rf_sl_type_name(RfSlType type);

typedef struct {
  char *name;         /* NULL: positional */
  RfSlValue *value;
  guint line, column; /* of the value as written in the call (after NAME = ) */
} RfSlArgument;

typedef struct {
  char *function;
  guint line, column;   /* of the function name */
  GPtrArray *arguments; /* RfSlArgument*: positional ones first, as written */
} RfSlCall;

void rf_sl_call_free(RfSlCall *call);

/* The bounds of one file, so that no file can make ringfence run long or grow large. */
#define RF_SL_MAX_FILE_BYTES (1024 * 1024)
#define RF_SL_MAX_STATEMENTS 20000
#define RF_SL_MAX_NESTING 64               /* brackets, parentheses and operators, together */
#define RF_SL_MAX_BLOCK_DEPTH 16           /* nested if blocks */
#define RF_SL_MAX_VALUE_BYTES (256 * 1024) /* one string, or one list's items */
#define RF_SL_MAX_WORK_BYTES (16 * 1024 * 1024) /* all values made while evaluating */

/* Evaluates the file |name| (for messages) holding |data|: assignments, + on strings, lists
 * and integers, comparisons, if/elif/else over them, and calls of |functions| (each call is
 * recorded, in order, and gives None).  Everything else Starlark has (load, def, loops,
 * lambda, comprehensions, dicts, other functions, methods) is refused.  Returns the calls
 * (RfSlCall*), or NULL with |error| set to "FILE:LINE:COL: what is wrong (the fix)". */
GPtrArray *rf_starlark_eval(const char *name, const char *data, gsize length,
                            const char *const *functions, GError **error);
