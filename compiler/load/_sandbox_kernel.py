"""The operating system's half of the Python-spec sandbox, applied by the child to itself just
before the spec runs. Each layer is irreversible for the process and everything it could start:

- resource limits: address space, CPU seconds, file size 0 (no file can grow), a few open
  files, no core dumps, no new processes (RLIMIT_NPROC 0; root is exempt, see seccomp);
- Landlock (Linux ≥ 5.13): the file system becomes read-only, and readable only beneath the
  given folders; with ABI ≥ 4 no TCP connect or bind; with ABI ≥ 6 no signals to, and no
  abstract UNIX sockets of, processes outside the sandbox. Landlock also forbids ptrace of
  processes outside the sandbox, so /proc/<parent>/environ and the parent's memory stay shut;
- seccomp: the system calls that create processes, run programs, open sockets, trace other
  processes or set up io_uring fail with EPERM, for root too.

Landlock and seccomp need a Linux kernel that offers them (not every container runtime does); a
layer that cannot be applied is skipped and left out of the returned names, so the caller can
report which layers held. Standard library only: this file is loaded by path in the child.
"""

from __future__ import annotations

import ctypes
import os
import resource
import signal
import stat
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

# Landlock: syscall numbers are the same on every architecture (asm-generic table)
_CREATE_RULESET, _ADD_RULE, _RESTRICT_SELF = 444, 445, 446
_CREATE_RULESET_VERSION = 1
_RULE_PATH_BENEATH = 1
_READ_FILE, _READ_DIR = 1 << 2, 1 << 3
# every file-system right of each ABI version (1: bits 0-12, 2: +REFER, 3: +TRUNCATE, 5: +IOCTL_DEV)
_FS_RIGHTS = {1: (1 << 13) - 1, 2: (1 << 14) - 1, 3: (1 << 15) - 1, 4: (1 << 15) - 1}
_FS_RIGHTS_LATEST = (1 << 16) - 1
_NET_TCP = (1 << 0) | (1 << 1)  # bind, connect (ABI 4)
_SCOPES = (1 << 0) | (1 << 1)  # abstract UNIX sockets, signals (ABI 6)

_PR_SET_NO_NEW_PRIVS, _PR_SET_SECCOMP, _SECCOMP_MODE_FILTER = 38, 22, 2

# seccomp: (audit arch, denied syscall numbers) per machine
_DENIED = {
    # clone fork vfork execve execveat clone3 socket socketpair io_uring_setup ptrace
    # process_vm_readv process_vm_writev unshare setns mount bpf
    "x86_64": (
        0xC000003E,
        (56, 57, 58, 59, 322, 435, 41, 53, 425, 101, 310, 311, 272, 308, 165, 321),
    ),
    # clone execve execveat clone3 socket socketpair io_uring_setup ptrace
    # process_vm_readv process_vm_writev unshare setns mount bpf
    "aarch64": (0xC00000B7, (220, 221, 281, 435, 198, 199, 425, 117, 270, 271, 97, 268, 40, 280)),
}
_RET_ALLOW, _RET_EPERM = 0x7FFF0000, 0x00050000 | 1
_LD_ABS, _JEQ, _JGE, _RET = 0x20, 0x15, 0x35, 0x06

# the folders shared libraries come from (extension modules load them); nothing secret there
SYSTEM_LIBRARIES = ("/lib", "/lib64", "/usr/lib", "/usr/lib64", "/etc/ld.so.cache")


def limit_resources(memory: int, cpu_seconds: int) -> list[str]:
    """Lower this process's limits for good (hard = soft); returns the names applied."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the size limit fails instead
    wanted = (
        ("RLIMIT_AS", memory, memory),
        ("RLIMIT_CPU", cpu_seconds, cpu_seconds + 1),  # SIGXCPU, then SIGKILL a second later
        ("RLIMIT_FSIZE", 0, 0),
        ("RLIMIT_NOFILE", 64, 64),
        ("RLIMIT_CORE", 0, 0),
        ("RLIMIT_NPROC", 0, 0),
    )
    applied = []
    for name, soft, hard in wanted:
        which = getattr(resource, name, None)
        if which is None:
            continue
        _, ceiling = resource.getrlimit(which)
        if ceiling != resource.RLIM_INFINITY:
            soft, hard = min(soft, ceiling), min(hard, ceiling)  # noqa: PLW2901
        try:
            resource.setrlimit(which, (soft, hard))
        except (ValueError, OSError):
            continue
        applied.append(name)
    return applied


def confine(read_roots: Sequence[str]) -> list[str]:
    """no_new_privs, then Landlock and seccomp where the kernel has them; returns their names."""
    if sys.platform != "linux":  # the system call numbers below mean other things elsewhere
        return []
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    libc.prctl.restype = ctypes.c_int
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        return []
    layers = []
    abi = _landlock(libc, read_roots)
    if abi:
        layers.append(f"landlock-abi{abi}")
    if _seccomp(libc):
        layers.append("seccomp")
    return layers


class _RulesetAttr(ctypes.Structure):
    _fields_ = (
        ("handled_access_fs", ctypes.c_uint64),
        ("handled_access_net", ctypes.c_uint64),
        ("scoped", ctypes.c_uint64),
    )


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = (("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32))


def _landlock(libc: ctypes.CDLL, read_roots: Sequence[str]) -> int:
    """Read-only access beneath `read_roots`, nothing else; 0 when Landlock is unavailable."""
    abi = int(libc.syscall(_CREATE_RULESET, None, 0, _CREATE_RULESET_VERSION))
    if abi < 1:
        return 0
    attr = _RulesetAttr(
        _FS_RIGHTS.get(abi, _FS_RIGHTS_LATEST),
        _NET_TCP if abi >= 4 else 0,
        _SCOPES if abi >= 6 else 0,
    )
    size = 8 if abi < 4 else 16 if abi < 6 else 24
    ruleset = int(libc.syscall(_CREATE_RULESET, ctypes.byref(attr), size, 0))
    if ruleset < 0:
        return 0
    try:
        for root in read_roots:
            _allow_reading(libc, ruleset, root)
        if libc.syscall(_RESTRICT_SELF, ruleset, 0) != 0:
            return 0
    finally:
        os.close(ruleset)
    return abi


def _allow_reading(libc: ctypes.CDLL, ruleset: int, root: str) -> None:
    try:
        fd = os.open(root, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return  # a folder that does not exist needs no rule
    try:
        is_dir = stat.S_ISDIR(os.fstat(fd).st_mode)
        rule = _PathBeneath(_READ_FILE | (_READ_DIR if is_dir else 0), fd)
        libc.syscall(_ADD_RULE, ruleset, _RULE_PATH_BENEATH, ctypes.byref(rule), 0)
    finally:
        os.close(fd)


class _SockFilter(ctypes.Structure):
    _fields_ = (
        ("code", ctypes.c_uint16),
        ("jt", ctypes.c_uint8),
        ("jf", ctypes.c_uint8),
        ("k", ctypes.c_uint32),
    )


class _SockFprog(ctypes.Structure):
    _fields_ = (("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_SockFilter)))


def _seccomp(libc: ctypes.CDLL) -> bool:
    """Deny the listed system calls with EPERM (and every call of a foreign ABI)."""
    table = _DENIED.get(os.uname().machine)
    if table is None:
        return False
    program = seccomp_program(*table)
    filters = (_SockFilter * len(program))(*(_SockFilter(*ins) for ins in program))
    prog = _SockFprog(len(program), filters)
    return bool(libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0) == 0)


def seccomp_program(arch: int, denied: Sequence[int]) -> list[tuple[int, int, int, int]]:
    """The classic BPF program: check the ABI, deny x32 calls and the listed numbers."""
    n = len(denied)
    deny = 6 + n  # index of the final "deny" instruction
    program = [
        (_LD_ABS, 0, 0, 4),  # seccomp_data.arch
        (_JEQ, 1, 0, arch),
        (_RET, 0, 0, _RET_EPERM),
        (_LD_ABS, 0, 0, 0),  # seccomp_data.nr
        (_JGE, deny - 5, 0, 0x40000000),  # x32 system calls on x86_64
    ]
    for i, number in enumerate(denied):
        program.append((_JEQ, deny - (6 + i), 0, number))
    program += [(_RET, 0, 0, _RET_ALLOW), (_RET, 0, 0, _RET_EPERM)]
    return program
