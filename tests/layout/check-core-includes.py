#!/usr/bin/env python3
"""check-core-includes.py: the include graph of core/ goes one way (docs/architecture.md).

Reads every `#include "..."` of core/{util,policy,approval,config,cli,netproxy}/*.[ch] and checks:
  1. a bare include ("x.h") names a header in the including file's own folder; one from another
     folder names it from core/ ("util/quote.h"), so every cross-folder edge shows in the source;
  2. folders depend only downwards: util on nothing, policy and approval on util, config on
     those three, cli on any of them; netproxy (its own program) on none;
  3. no cycle between files, counting x.c and x.h as one file (what x exports and how);
  4. the layout headers are read only by the files they name: RfPolicy's fields by policy.c
     (which fills them) and resolve.c (which reads them); RfPlan's by resolve.c (which makes
     it) and the four files that use it.
Usage: check-core-includes.py [SRC]   (SRC: the source tree, default: two folders up)
       check-core-includes.py [SRC] --graph   (prints the file graph, one line per file)
Exit 0 when all hold, else 1 with one line per violation naming the file and the fix.
"""
import os
import re
import sys

FOLDERS = ["util", "policy", "approval", "config", "cli", "netproxy"]
ALLOWED = {
    "util": set(),
    "policy": {"util"},
    "approval": {"util"},
    "config": {"util", "policy", "approval"},
    "cli": {"util", "policy", "approval", "config"},
    "netproxy": set(),
}
# Headers that expose a struct's fields: only these files may include them.
RESTRICTED = {
    "policy/policy-layout.h": {"policy/policy.c", "policy/resolve.c"},
    "policy/plan-layout.h": {"policy/resolve.c", "policy/guarantees.c", "policy/describe.c",
                             "policy/sandbox.c", "policy/new-repos.c"},
}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def module(rel):
    return os.path.splitext(rel)[0]


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    src = args[0] if args else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    core = os.path.join(src, "core")
    problems = []
    edges = {}
    for folder in FOLDERS:
        base = os.path.join(core, folder)
        if not os.path.isdir(base):
            problems.append("core/%s/ is missing: the layout of docs/architecture.md has it" % folder)
            continue
        for name in sorted(os.listdir(base)):
            if not name.endswith((".c", ".h")):
                continue
            rel = folder + "/" + name
            with open(os.path.join(base, name), encoding="utf-8") as f:
                text = f.read()
            for inc in INCLUDE.findall(text):
                if inc.startswith("../"):
                    continue  # outside core/ (cmd-setup.c and a plugin's header: issue 19, second part)
                if "/" in inc:
                    target = inc
                    if not os.path.exists(os.path.join(core, target)):
                        problems.append('core/%s: "%s" is not a file below core/' % (rel, inc))
                        continue
                    if target.split("/")[0] == folder:
                        problems.append('core/%s: "%s" is in the same folder: include it as "%s"'
                                        % (rel, inc, target.split("/", 1)[1]))
                else:
                    target = folder + "/" + inc
                    if not os.path.exists(os.path.join(core, target)):
                        elsewhere = [f for f in FOLDERS if os.path.exists(os.path.join(core, f, inc))]
                        if elsewhere:
                            problems.append('core/%s: "%s" is not in core/%s/: name its folder, '
                                            'as in "%s/%s"' % (rel, inc, folder, elsewhere[0], inc))
                        continue  # else a header of the build's include path outside core/
                to = target.split("/")[0]
                if to != folder and to not in ALLOWED[folder]:
                    problems.append("core/%s includes %s: core/%s/ may include only %s (docs/"
                                    "architecture.md); move what both need down a folder"
                                    % (rel, target, folder,
                                       ", ".join("core/%s/" % a for a in sorted(ALLOWED[folder]))
                                       or "its own files"))
                if target in RESTRICTED and rel not in RESTRICTED[target]:
                    problems.append("core/%s includes %s, which only %s may read: use the "
                                    "functions of the public API instead"
                                    % (rel, target, " and ".join(sorted(RESTRICTED[target]))))
                if module(target) != module(rel):
                    edges.setdefault(module(rel), set()).add(module(target))
    # Cycles between files (x.c and x.h are one node).
    state = {}
    stack = []

    def visit(node):
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                cycle = stack[stack.index(nxt):] + [nxt]
                problems.append("include cycle: %s: split the header so that one side does not "
                                "need the other" % " -> ".join(cycle))
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node)
    if "--graph" in argv:
        for node in sorted(edges):
            print("%s -> %s" % (node, " ".join(sorted(edges[node]))))
    for p in problems:
        print("FAIL: " + p)
    if not problems:
        print("ok: %d files of core/ include one way (%d edges)"
              % (len(edges), sum(len(v) for v in edges.values())))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
