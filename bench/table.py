#!/usr/bin/env python3
"""The platforms' bench results side by side (`make bench-table`): one row per figure, Keel and
native on each platform that has a bench/results-PLATFORM.json, then each goal per platform.
Markdown, as README.md's Performance section shows it."""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PLATFORMS = ("bookworm", "trixie")


def fmt(v):
    if v is None:
        return "-"
    if isinstance(v, float):
        return "%.2f" % v
    return "{:,}".format(v) if isinstance(v, int) else str(v)


def union(results, names, part, order=None):
    """Every key of results[p][part] over the platforms, each once: in the bench's order (order), else as found."""
    keys = []
    for p in names:
        items = results[p][part].items()
        for k, _ in sorted(items, key=lambda kv: kv[1][order]) if order else items:
            if k not in keys:
                keys.append(k)
    return keys


def main():
    results = {}
    for p in PLATFORMS:
        path = os.path.join(HERE, "results-%s.json" % p)
        if os.path.exists(path):
            with open(path) as f:
                results[p] = json.load(f)
    if not results:
        sys.exit("bench/table.py: no bench/results-*.json: run make bench PLATFORM=bookworm and PLATFORM=trixie")
    names = list(results)
    print("| figure | unit | " + " | ".join("%s Keel | %s native | %s ratio" % (p, p, p) for p in names) + " |")
    print("|---|---|" + "---|---|---|" * len(names))
    for k in union(results, names, "rows", "order"):
        first = next(results[p]["rows"][k] for p in names if k in results[p]["rows"])
        cells = []
        for p in names:
            r = results[p]["rows"].get(k)
            cells += [fmt(r["keel"]), fmt(r["native"]), fmt(r["ratio"])] if r else ["-", "-", "-"]
        print("| %s (`%s`) | %s | %s |" % (first["name"], k, first["unit"], " | ".join(cells)))
    print()
    print("| goal | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    for k in union(results, names, "goals"):
        first = next(results[p]["goals"][k] for p in names if k in results[p]["goals"])
        cells = []
        for p in names:
            g = results[p]["goals"].get(k)
            cells.append("%s (%s)" % ("met" if g["met"] else "**missed**", fmt(g["value"])) if g else "-")
        print("| %s | %s |" % (first["goal"], " | ".join(cells)))
    print()
    for p in names:
        t = results[p]["tools"]
        print("- %s: %s, OpenSBI %s, `%s`, generated %s" % (p, t.get("qemu", "?"), t.get("opensbi", t.get("opensbi_deb", "?")),
                                                      t.get("qemu_options", ""), results[p].get("generated", "?")))


if __name__ == "__main__":
    main()
