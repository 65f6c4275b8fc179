/* new-repos.h: after a run, the git repositories the command created, and disabling what git on the host would run from them. */
#pragma once

#include <glib.h>
#include <ringfence/ringfence.h>

typedef struct _RfRepoCheck RfRepoCheck;

/* What the launch looked like: the protected paths of |plan| that exist now (call it before the
 * command starts), the roots where .git is protected, the user's hook templates.  NULL when the
 * plan has no writable root. */
RfRepoCheck *rf_repo_check_new(const RfPlan *plan);
void rf_repo_check_free(RfRepoCheck *check);

/*
 * After the run: walks the roots again (repo-walk.c) and looks at every repository that was not
 * there at launch.  Its config (and every file that config includes which the command could
 * write) setting a key that makes git run a program (rf_git_key_runs_program), a config or
 * pointer file that cannot be read safely, a hook that is not a sample or a copy of the user's
 * template, a hooks directory that is a link: each such file is renamed to
 * NAME.ringfence-disabled.  Adds one sentence per file to |report| (char*), and one per root
 * that could not be walked.
 */
void rf_repo_check_run(const RfRepoCheck *check, GPtrArray *report);
