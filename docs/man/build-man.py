#!/usr/bin/env python3
"""build-man.py: turns one scdoc page into roff: expands its '%include FILE' lines (the option lists
that several pages share), then runs scdoc.  Usage: build-man.py SCDOC INPUT.scd OUTPUT"""
import os
import subprocess
import sys


def expand(path, depth=0):
    if depth > 4:
        sys.exit("build-man.py: %s: includes nested too deep" % path)
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("%include "):
                name = line.split(None, 1)[1].strip()
                out.append(expand(os.path.join(os.path.dirname(path), name), depth + 1))
            else:
                out.append(line)
    return "".join(out)


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    scdoc, src, dst = sys.argv[1:]
    text = expand(src)
    res = subprocess.run([scdoc], input=text.encode("utf-8"), stdout=subprocess.PIPE)
    if res.returncode != 0:
        sys.exit("build-man.py: scdoc failed on %s (line numbers count after the includes)" % src)
    with open(dst, "wb") as f:
        f.write(res.stdout)


if __name__ == "__main__":
    main()
