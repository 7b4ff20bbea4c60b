#!/usr/bin/env python3
"""make check-layers: every #include of Keel's own sources follows the order of its rooms.

A room is a top-level folder (README "Layout"). A room may include its own headers and those of
the rooms it lists below; a few headers are open to rooms above them by name (the guest-services
header vm/guest.h, the VM object vm/vm.h). Prints one line per forbidden include, then the include
graph between rooms (how many includes each pair has), and exits 1 when anything is forbidden.

    scripts/check-layers.py [--graph] [ROOT]
"""
import os
import re
import sys

# Each room, top to bottom, with the rooms it may include.
ROOMS = {
    "boot": "sched control vm board exit sbi vcpu vdev drivers net mm core arch lib",
    "sched": "control vm board exit sbi vcpu vdev drivers net mm core arch lib",
    # The control channel and monitor (a room waiting for them: no file yet).
    "control": "vm board vcpu vdev drivers net mm core arch lib",
    "vm": "board vcpu vdev drivers net mm core arch lib",
    "board": "vcpu vdev drivers net mm core arch lib",
    "exit": "sbi vcpu vdev mm core arch lib",
    "sbi": "vcpu core arch lib",
    "vcpu": "mm core arch lib",
    "vdev": "net core lib",
    "drivers": "net mm core arch lib",
    "net": "core lib",
    "mm": "core arch lib",
    "core": "arch lib",
    "arch": "lib",
    "lib": "",
}
# Headers a room above may include although their room is not below it: the documented upcalls.
OPEN_HEADERS = {
    # What the exit path and SBI handlers may ask of their VM (implemented in vm/ and board/).
    "vm/guest.h": ("board", "exit", "sbi"),
    # The VM object's definition, which the board's devices hang off.
    "vm/vm.h": ("board",),
}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def room_of(path):
    return path.split("/", 1)[0]


def sources(root):
    for room in ROOMS:
        top = os.path.join(root, room)
        for dirpath, _, files in os.walk(top):
            for name in sorted(files):
                if name.endswith((".c", ".h", ".S")):
                    full = os.path.join(dirpath, name)
                    yield os.path.relpath(full, root)


def check(root):
    bad, graph = [], {}
    for src in sources(root):
        room = room_of(src)
        with open(os.path.join(root, src), encoding="utf-8", errors="replace") as f:
            for lineno, line in enumerate(f, 1):
                m = INCLUDE.match(line)
                if not m:
                    continue
                target = m.group(1)
                if "/" not in target:
                    continue  # generated (asm-offsets.h) or a sibling (lib/include's own)
                to = room_of(target)
                if to not in ROOMS or to == room:
                    continue
                graph[(room, to)] = graph.get((room, to), 0) + 1
                if to in ROOMS[room].split() or room in OPEN_HEADERS.get(target, ()):
                    continue
                bad.append("%s:%d: %s/ may not include %s (%s/ may include: %s)" %
                           (src, lineno, room, target, room, ROOMS[room] or "nothing"))
    return bad, graph


def main(argv):
    show_graph = "--graph" in argv
    args = [a for a in argv if not a.startswith("--")]
    root = args[0] if args else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    bad, graph = check(root)
    for line in bad:
        print(line)
    if show_graph:
        print("include graph (room -> room: includes):")
        for (a, b), n in sorted(graph.items()):
            print("  %-8s -> %-8s %d" % (a, b, n))
    print("check-layers: %d forbidden includes" % len(bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
