#!/usr/bin/env python3
"""hostproc.py: host processes of the same user, and the attacks on them, for escape-test.sh.

The Landlock backend has no pid or IPC namespace: every pid and every SysV IPC key is the
host's.  This helper runs on both sides (python3 only, standard library and ctypes):

  host side                          sandbox side
  ipc-setup BASE                     ipc-attack BASE       attach+write, send, receive, post
  ipc-state BASE / ipc-content BASE
  ipc-remove BASE
  mq-setup /NAME, mq-count /NAME     mq-attack /NAME       open and send to a POSIX queue
  victim-state PID                   victim-attack PID [user]  limits, priority, affinity,
                                                               scheduling, I/O priority
                                     victim-signal PID     pidfd_send_signal, F_SETOWN SIGIO
  unix-dgram-listen PATH             unix-raw PATH         SOCK_RAW / SOCK_DGRAM sendto
  watch WS SECONDS -- ARGV           ancestors STOP WS MODE   prlimit on every ancestor up to
                                                              STOP, then a setsid daemon

Each attack prints one line per attempt, "OK <what>" or "ERR <what> <errno>"; the test judges
only host-side state (the SysV objects, the victim's /proc entries, what a socket received,
whether a daemon still beats).  Every attack is mild even on an unconfined host: nice 7, SCHED_IDLE
or BATCH for one sleeping process, limits of processes this test started.
"""

import ctypes
import ctypes.util
import errno
import os
import platform
import resource
import socket
import subprocess
import sys
import time

libc = ctypes.CDLL(None, use_errno=True)
IPC_CREAT, IPC_EXCL, IPC_NOWAIT, IPC_RMID = 0o1000, 0o2000, 0o4000, 0
GETVAL, SETVAL = 12, 16

# Syscall numbers this helper needs that the standard library has no wrapper for.
NR = {
    "x86_64": {"ioprio_set": 251, "ioprio_get": 252, "sched_setattr": 314, "pidfd_open": 434,
               "pidfd_send_signal": 424},
    "aarch64": {"ioprio_set": 30, "ioprio_get": 31, "sched_setattr": 274, "pidfd_open": 434,
                "pidfd_send_signal": 424},
}.get(platform.machine(), {})

libc.shmat.restype = ctypes.c_void_p
libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
libc.shmdt.argtypes = [ctypes.c_void_p]


def report(what, rc):
    if rc is None or rc >= 0:
        print("OK", what, flush=True)
    else:
        e = ctypes.get_errno()
        print("ERR", what, errno.errorcode.get(e, e), flush=True)


def attempt(what, fn):
    try:
        fn()
        print("OK", what, flush=True)
    except OSError as e:
        print("ERR", what, errno.errorcode.get(e.errno, e.errno), flush=True)


class MsgBuf(ctypes.Structure):
    _fields_ = [("mtype", ctypes.c_long), ("mtext", ctypes.c_char * 64)]


# ---- SysV IPC ------------------------------------------------------------------------------


def keys(base):
    b = int(base)
    return b, b + 1, b + 2  # shm, msg, sem


def ipc_setup(base):
    kshm, kmsg, ksem = keys(base)
    shm = libc.shmget(kshm, 4096, IPC_CREAT | IPC_EXCL | 0o600)
    msg = libc.msgget(kmsg, IPC_CREAT | IPC_EXCL | 0o600)
    sem = libc.semget(ksem, 1, IPC_CREAT | IPC_EXCL | 0o600)
    if min(shm, msg, sem) < 0:
        sys.exit("cannot create the SysV objects: %s" % os.strerror(ctypes.get_errno()))
    addr = libc.shmat(shm, None, 0)
    ctypes.memmove(addr, b"original\0", 9)
    libc.shmdt(addr)
    m = MsgBuf(1, b"original")
    if libc.msgsnd(msg, ctypes.byref(m), 9, IPC_NOWAIT) < 0 or libc.semctl(sem, 0, SETVAL, 5) < 0:
        sys.exit("cannot fill the SysV objects: %s" % os.strerror(ctypes.get_errno()))
    print("ready")


def sysvipc_lines(base):
    """The host's view of the three objects: /proc/sysvipc rows (key, id, perms, sizes, the
    pids of the last operations and their times)."""
    wanted = {str(k) for k in keys(base)}
    out = []
    for kind in ("shm", "msg", "sem"):
        with open("/proc/sysvipc/" + kind) as f:
            next(f)
            for line in f:
                cols = line.split()
                if cols and cols[0] in wanted:
                    out.append(kind + " " + " ".join(cols))
    return out


def ipc_state(base):
    for line in sysvipc_lines(base):
        print(line)


def ipc_content(base):
    kshm, kmsg, ksem = keys(base)
    shm, sem = libc.shmget(kshm, 0, 0), libc.semget(ksem, 0, 0)
    text = "missing"
    if shm >= 0:
        addr = libc.shmat(shm, None, 0o10000)  # SHM_RDONLY
        text = ctypes.string_at(addr, 9).split(b"\0")[0].decode(errors="replace")
        libc.shmdt(addr)
    print("shm=%s sem=%s" % (text, libc.semctl(sem, 0, GETVAL) if sem >= 0 else "missing"))


def ipc_remove(base):
    kshm, kmsg, ksem = keys(base)
    libc.shmctl(libc.shmget(kshm, 0, 0), IPC_RMID, None)
    libc.msgctl(libc.msgget(kmsg, 0), IPC_RMID, None)
    libc.semctl(libc.semget(ksem, 0, 0), 0, IPC_RMID)


def ids_from_proc(base):
    """An attacker needs no *get call: the ids are in /proc/sysvipc."""
    ids = {}
    for line in sysvipc_lines(base):
        cols = line.split()
        ids[cols[0]] = int(cols[2])
    return ids


def ipc_attack(base):
    kshm, kmsg, ksem = keys(base)
    try:
        ids = ids_from_proc(base)
    except OSError:
        ids = {}
    shm = libc.shmget(kshm, 0, 0)
    report("shmget", shm)
    for label, ident in (("by key", shm), ("by id", ids.get("shm", -1))):
        if ident < 0:
            continue
        addr = libc.shmat(ident, None, 0)
        if addr in (None, ctypes.c_void_p(-1).value):
            report("shmat " + label, -1)
            continue
        ctypes.memmove(addr, b"RF-ESCAPE\0", 10)
        print("OK shmat+write", label, flush=True)
        libc.shmdt(addr)
    msg = libc.msgget(kmsg, 0)
    report("msgget", msg)
    for label, ident in (("by key", msg), ("by id", ids.get("msg", -1))):
        if ident < 0:
            continue
        m = MsgBuf(2, b"RF-ESCAPE")
        report("msgsnd " + label, libc.msgsnd(ident, ctypes.byref(m), 10, IPC_NOWAIT))
        got = MsgBuf()
        report("msgrcv " + label, libc.msgrcv(ident, ctypes.byref(got), 64, 1, IPC_NOWAIT))
    sem = libc.semget(ksem, 0, 0)
    report("semget", sem)

    class SemBuf(ctypes.Structure):
        _fields_ = [("sem_num", ctypes.c_ushort), ("sem_op", ctypes.c_short),
                    ("sem_flg", ctypes.c_short)]

    for label, ident in (("by key", sem), ("by id", ids.get("sem", -1))):
        if ident < 0:
            continue
        op = SemBuf(0, 1, IPC_NOWAIT)
        report("semop post " + label, libc.semop(ident, ctypes.byref(op), 1))
        report("semctl SETVAL " + label, libc.semctl(ident, 0, SETVAL, 99))


# ---- POSIX message queues (mqueue: not a path below any Landlock rule) -----------------------


class MqAttr(ctypes.Structure):
    _fields_ = [("mq_flags", ctypes.c_long), ("mq_maxmsg", ctypes.c_long),
                ("mq_msgsize", ctypes.c_long), ("mq_curmsgs", ctypes.c_long),
                ("reserved", ctypes.c_long * 4)]


def librt():
    for name in (None, "librt.so.1"):
        lib = ctypes.CDLL(name, use_errno=True)
        if hasattr(lib, "mq_open"):
            return lib
    sys.exit("no mq_open in libc or librt")


def mq_setup(name):
    rt = librt()
    attr = MqAttr(0, 4, 64, 0)
    fd = rt.mq_open(name.encode(), os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o600, ctypes.byref(attr))
    if fd < 0:
        sys.exit("mq_open %s: %s" % (name, os.strerror(ctypes.get_errno())))
    print("ready")


def mq_count(name):
    """Messages in the queue (host side), then removes it."""
    rt = librt()
    fd = rt.mq_open(name.encode(), os.O_RDONLY)
    attr = MqAttr()
    rt.mq_getattr(fd, ctypes.byref(attr))
    rt.mq_unlink(name.encode())
    print("messages", attr.mq_curmsgs)


def mq_attack(name):
    rt = librt()
    fd = rt.mq_open(name.encode(), os.O_WRONLY | os.O_NONBLOCK)
    report("mq_open", fd)
    if fd >= 0:
        report("mq_send", rt.mq_send(fd, b"RF-ESCAPE", 9, 0))


# ---- another process's limits, priority and scheduling ---------------------------------------


def stat_fields(pid):
    with open("/proc/%d/stat" % pid) as f:
        data = f.read()
    return data[data.rindex(")") + 2:].split()  # fields from 3 (state) on


def victim_state(pid):
    pid = int(pid)
    st = stat_fields(pid)
    print("nice", st[19 - 3], "rt_priority", st[40 - 3], "policy", st[41 - 3])
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("Cpus_allowed_list"):
                print(line.strip())
    if "ioprio_get" in NR:
        print("ioprio", libc.syscall(NR["ioprio_get"], 1, pid))
    with open("/proc/%d/limits" % pid) as f:
        print(f.read().strip())


class SchedAttr(ctypes.Structure):
    _fields_ = [("size", ctypes.c_uint32), ("sched_policy", ctypes.c_uint32),
                ("sched_flags", ctypes.c_uint64), ("sched_nice", ctypes.c_int32),
                ("sched_priority", ctypes.c_uint32), ("sched_runtime", ctypes.c_uint64),
                ("sched_deadline", ctypes.c_uint64), ("sched_period", ctypes.c_uint64)]


def victim_attack(pid, user=""):
    pid = int(pid)
    pgrp = os.getpgid(pid)
    attempt("prlimit RLIMIT_NOFILE", lambda: resource.prlimit(pid, resource.RLIMIT_NOFILE, (3, 3)))
    attempt("prlimit RLIMIT_CPU", lambda: resource.prlimit(pid, resource.RLIMIT_CPU, (1, 1)))
    attempt("setpriority PRIO_PROCESS", lambda: os.setpriority(os.PRIO_PROCESS, pid, 7))
    attempt("setpriority PRIO_PGRP", lambda: os.setpriority(os.PRIO_PGRP, pgrp, 7))
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) > 1:
        attempt("sched_setaffinity", lambda: os.sched_setaffinity(pid, {cpus[-1]}))
    if "sched_setattr" in NR:
        attr = SchedAttr(ctypes.sizeof(SchedAttr), 3, 0, 9, 0, 0, 0, 0)  # SCHED_BATCH, nice 9
        report("sched_setattr SCHED_BATCH",
               libc.syscall(NR["sched_setattr"], pid, ctypes.byref(attr), 0))
    attempt("sched_setscheduler SCHED_IDLE",
            lambda: os.sched_setscheduler(pid, os.SCHED_IDLE, os.sched_param(0)))
    attempt("sched_setparam", lambda: os.sched_setparam(pid, os.sched_param(0)))
    if "ioprio_set" in NR:
        idle = 3 << 13
        report("ioprio_set IOPRIO_WHO_PROCESS", libc.syscall(NR["ioprio_set"], 1, pid, idle))
        report("ioprio_set IOPRIO_WHO_PGRP", libc.syscall(NR["ioprio_set"], 2, pgrp, idle))
    if user == "user":
        # who 0: every process of the caller's uid (this is why the root pass leaves it out).
        attempt("setpriority PRIO_USER 0", lambda: os.setpriority(os.PRIO_USER, 0, 7))
        if "ioprio_set" in NR:
            report("ioprio_set IOPRIO_WHO_USER 0",
                   libc.syscall(NR["ioprio_set"], 3, 0, (2 << 13) | 7))


def victim_signal(pid):
    """Signals that do not go through kill(2): a pidfd, and SIGIO from F_SETOWN (both would
    end a plain sleep, whose disposition for SIGTERM and SIGIO is the default)."""
    pid = int(pid)
    if "pidfd_open" in NR:
        fd = libc.syscall(NR["pidfd_open"], pid, 0)
        report("pidfd_open", fd)
        if fd >= 0:
            report("pidfd_send_signal SIGTERM",
                   libc.syscall(NR["pidfd_send_signal"], fd, 15, None, 0))
    import fcntl
    r, w = os.pipe()
    try:
        fcntl.fcntl(r, fcntl.F_SETOWN, pid)
        fcntl.fcntl(r, fcntl.F_SETFL, os.O_ASYNC | os.O_NONBLOCK)
        os.write(w, b"x")  # input on r: SIGIO to its owner
        print("OK F_SETOWN+O_ASYNC", flush=True)
    except OSError as e:
        print("ERR F_SETOWN", errno.errorcode.get(e.errno, e.errno), flush=True)
    time.sleep(0.2)


# ---- unix datagrams by another socket type --------------------------------------------------


def unix_dgram_listen(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    os.chmod(path, 0o777)
    print("ready", flush=True)
    s.settimeout(float(os.environ.get("RF_LISTEN_SECONDS", "8")))
    try:
        while True:
            data = s.recv(100)
            print("GOT", data.decode(errors="replace"), flush=True)
    except OSError:
        pass


def unix_raw(path):
    for label, kind in (("SOCK_RAW", socket.SOCK_RAW),
                        ("SOCK_RAW|NONBLOCK|CLOEXEC",
                         socket.SOCK_RAW | socket.SOCK_NONBLOCK | socket.SOCK_CLOEXEC),
                        ("SOCK_DGRAM", socket.SOCK_DGRAM)):
        attempt("socket %s sendto" % label,
                lambda: socket.socket(socket.AF_UNIX, kind).sendto(label.encode(), path))
        attempt("socketpair %s sendto" % label,
                lambda: socket.socketpair(socket.AF_UNIX, kind)[0].sendto(b"pair-" + label.encode(), path))


# ---- ringfence's own processes ---------------------------------------------------------------


def ancestors(stop, ws, mode):
    """prlimit(RLIMIT_NOFILE 0, RLIMIT_CPU 1 s) on every ancestor up to STOP (the watcher),
    then a setsid double-forked daemon that beats into WS/hb, then exit 3 (or, with mode
    'stay', sleep until killed)."""
    stop = int(stop)
    pid = os.getppid()
    while pid > 1:
        attempt("prlimit %d RLIMIT_NOFILE 0" % pid,
                lambda: resource.prlimit(pid, resource.RLIMIT_NOFILE, (0, 0)))
        attempt("prlimit %d RLIMIT_CPU 1" % pid,
                lambda: resource.prlimit(pid, resource.RLIMIT_CPU, (1, 1)))
        if pid == stop:
            break
        try:
            with open("/proc/%d/status" % pid) as f:
                pid = int([l for l in f if l.startswith("PPid:")][0].split()[1])
        except (OSError, IndexError, ValueError):
            break
    with open(os.path.join(ws, "attacked"), "w") as f:
        f.write("done\n")
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            null = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(null, fd)
            with open(os.path.join(ws, "hb.pid"), "w") as f:
                f.write(str(os.getpid()))
            n = 0
            while True:
                n += 1
                # Written aside and renamed: a kill in the middle of the open (which a
                # notified open makes a longer moment) never leaves an empty heartbeat.
                with open(os.path.join(ws, "hb.tmp"), "w") as f:
                    f.write(str(n))
                os.replace(os.path.join(ws, "hb.tmp"), os.path.join(ws, "hb"))
                time.sleep(0.1)
        os._exit(0)
    os.wait()
    while not os.path.exists(os.path.join(ws, "hb.pid")):
        time.sleep(0.02)
    # Time for the watcher to look at ringfence and its supervisor while the command runs.
    time.sleep(60 if mode == "stay" else 1)
    sys.exit(3)


def watch(ws, seconds, argv):
    """Runs ARGV (ringfence), '@STOP@' replaced by this process's pid, and reports host-side:
    ringfence's and its supervisor's limits while the command runs, ringfence's exit status,
    and this process's own limits afterwards (getrlimit needs no descriptor)."""
    me = os.getpid()
    mine = [resource.getrlimit(r) for r in (resource.RLIMIT_NOFILE, resource.RLIMIT_CPU)]
    with open("/proc/self/limits") as f:
        limits = f.read()
    argv = [a.replace("@STOP@", str(me)) for a in argv]
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    marker = os.path.join(ws, "attacked")
    deadline = time.monotonic() + 15
    while not os.path.exists(marker) and p.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    procs = [("ringfence", p.pid)]
    try:
        with open("/proc/%d/task/%d/children" % (p.pid, p.pid)) as f:
            procs += [("supervisor", int(c)) for c in f.read().split()]
    except OSError as e:
        print("supervisor unreadable", e)
    for name, pid in procs:
        try:
            with open("/proc/%d/limits" % pid) as f:
                print("%s-limits %s" % (name, "same" if f.read() == limits else "CHANGED"))
        except OSError as e:
            print("%s-limits unreadable (%s)" % (name, e))
    try:
        rc = p.wait(timeout=float(seconds))
    except subprocess.TimeoutExpired:
        print("ringfence did not return within %s s" % seconds)
        p.kill()
        rc = p.wait()
    print("rc", rc)
    after = [resource.getrlimit(r) for r in (resource.RLIMIT_NOFILE, resource.RLIMIT_CPU)]
    print("watcher-limits", "same" if after == mine else "CHANGED %s" % after)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    op, args = sys.argv[1], sys.argv[2:]
    if op == "watch":
        sep = args.index("--")
        return watch(args[0], args[1], args[sep + 1:])
    ops = {
        "ipc-setup": ipc_setup, "ipc-state": ipc_state, "ipc-content": ipc_content,
        "ipc-remove": ipc_remove, "ipc-attack": ipc_attack,
        "mq-setup": mq_setup, "mq-count": mq_count, "mq-attack": mq_attack,
        "victim-state": victim_state, "victim-attack": victim_attack,
        "victim-signal": victim_signal,
        "unix-dgram-listen": unix_dgram_listen, "unix-raw": unix_raw,
        "ancestors": ancestors,
    }
    if op not in ops:
        sys.exit("unknown operation %s\n%s" % (op, __doc__))
    return ops[op](*args)


if __name__ == "__main__":
    main()
