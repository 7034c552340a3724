#!/usr/bin/env python3
"""Checks the shape of the Rust code (`make structure`, part of `make test`).

1. No two files of a crate import each other, directly or in a circle. An import is
   any path that names an item of another file (`use crate::a::b`, `super::x::Y` in
   code, a child module's items); it is traced through `pub use` re-exports to the
   file that defines the item, so a parent's table of contents is no import.
2. Layers: files that only a few places may import (kubesim's HTTP layer `api/`).
3. No source file of the server over 400 lines.

It reads the code as text (comments and strings removed): a tool for the shape of the
code, not a compiler. `--graph CRATE` prints that crate's edges.
"""

import os
import re
import sys
from collections import defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CRATES = {"server": "server/src", "kubesim": "kubesim/src", "app": "app/src"}
# (crate, imported file prefix, who may import it besides files under that prefix)
LAYERS = [
    ("kubesim", "api/", ("cluster.rs", "lib.rs", "bin/")),
    # Below the HTTP layer: the registry (verbs on objects), then the control loops and
    # add-ons that write through it. Lower layers import none of them.
    ("kubesim", "registry/", ("api/", "controllers/", "addons/", "cluster.rs", "lib.rs", "bin/")),
    ("kubesim", "controllers/", ("addons/", "cluster.rs", "lib.rs", "bin/")),
    ("kubesim", "addons/", ("cluster.rs", "lib.rs", "bin/")),
]
MAX_LINES = {"server": 400}
IDENT = r"[A-Za-z_][A-Za-z0-9_]*"


def strip(text):
    """The text without comments, string and char literals (kept as blanks)."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            depth, i = 1, i + 2
            while i < n and depth:
                if text.startswith("/*", i):
                    depth, i = depth + 1, i + 2
                elif text.startswith("*/", i):
                    depth, i = depth - 1, i + 2
                else:
                    i += 1
        elif c == "r" and re.match(r'r#*"', text[i:i + 10]) and (i == 0 or not re.match(r"\w", text[i - 1])):
            m = re.match(r'r(#*)"', text[i:])
            end = text.find('"' + m.group(1), i + len(m.group(0)))
            i = n if end < 0 else end + 1 + len(m.group(1))
            out.append('""')
        elif c == '"':
            i += 1
            while i < n and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
            i += 1
            out.append('""')
        elif c == "'" and re.match(r"'(\\.|[^\\'])'", text[i:i + 4]) or text.startswith("'\\u{", i):
            j = text.find("'", i + 1)
            i = j + 1
            out.append("' '")
        else:
            out.append(c)
            i += 1
    return "".join(out)


class Module:
    def __init__(self, crate, rel, path):
        self.crate, self.rel, self.path = crate, rel, path  # rel: file, path: module segments
        self.children = set()
        self.uses = {}  # alias -> absolute path (list)
        self.globs = []  # absolute paths of `use x::*`
        self.reexports = {}  # name -> absolute path (pub use)
        self.reexport_globs = []
        self.refs = []  # absolute paths named in the file
        self.inline = []  # inline `mod x { … }` blocks: scopes of their own

    def scope_at(self, pos):
        """The innermost inline module around `pos`, or the file's own module."""
        best = self
        for scope in self.inline:
            if scope.start <= pos < scope.end and (best is self or scope.start > best.start):
                best = scope
        return best


class Inline:
    """An inline module: its own path and `use` names; `super` leaves it."""

    def __init__(self, path, start, end, children):
        self.path, self.start, self.end, self.children = path, start, end, children
        self.uses = {}


def module_path(rel):
    parts = rel[:-3].split("/")
    if parts == ["main"]:
        return ["<main>"]
    if parts[-1] in ("mod", "lib"):
        parts = parts[:-1]
    if parts and parts[0] == "bin":
        return ["<bin>"] + parts[1:]
    return parts


def expand_use(tree, prefix=()):
    """`a::{b, c::d as e, self}` -> [(path, alias)]"""
    tree = tree.strip()
    if not tree:
        return []
    depth, start = 0, None
    for i, c in enumerate(tree):
        if c == "{":
            if depth == 0:
                start = i
            depth += 1
        elif c == "}":
            depth -= 1
    if start is not None:
        head = tree[:start].rstrip(":").strip()
        inner = tree[start + 1 : tree.rfind("}")]
        base = list(prefix) + ([p for p in head.split("::") if p] if head else [])
        items, depth, cur = [], 0, ""
        for c in inner:
            if c == "," and depth == 0:
                items.append(cur)
                cur = ""
                continue
            depth += c == "{"
            depth -= c == "}"
            cur += c
        items.append(cur)
        out = []
        for item in items:
            out.extend(expand_use(item, base))
        return out
    alias = None
    m = re.match(r"(.*)\s+as\s+(" + IDENT + r")$", tree)
    if m:
        tree, alias = m.group(1).strip(), m.group(2)
    segs = list(prefix) + [p for p in tree.split("::") if p]
    if segs and segs[-1] == "self":
        segs = segs[:-1]
    if not segs:
        return []
    return [(segs, alias or segs[-1])]


def absolute(mod, segs):
    """An absolute module path for `segs` as written in `mod`, or None (an outside crate)."""
    if not segs:
        return None
    head = segs[0]
    if head == "crate":
        return segs[1:]
    if head in ("super", "self"):
        base = list(mod.path)
        if mod.path and mod.path[0] in ("<bin>", "<main>"):
            base = base[1:]
        i = 0
        while i < len(segs) and segs[i] in ("super", "self"):
            if segs[i] == "super":
                base = base[:-1]
            i += 1
        return base + segs[i:]
    if head in getattr(mod, "children", ()):
        return list(mod.path) + segs
    if head in mod.uses:
        return mod.uses[head] + segs[1:]
    return None


def parse(crate, src):
    modules = {}
    for dirpath, _, files in os.walk(os.path.join(ROOT, src)):
        for f in files:
            if f.endswith(".rs"):
                full = os.path.join(dirpath, f)
                rel = os.path.relpath(full, os.path.join(ROOT, src))
                m = Module(crate, rel, module_path(rel))
                m.text = strip(open(full, encoding="utf-8").read())
                modules[rel] = m
    for m in modules.values():
        for match in re.finditer(r"\bmod\s+(" + IDENT + r")\s*\{", m.text):
            depth, i = 1, match.end()
            while i < len(m.text) and depth:
                depth += {"{": 1, "}": -1}.get(m.text[i], 0)
                i += 1
            m.inline.append(Inline(m.path + [match.group(1)], match.end(), i, set()))
        m.children = set(re.findall(r"(?:^|\n)\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+(" + IDENT + r")\s*;", m.text))
    # use declarations (two passes: aliases may build on aliases)
    for _ in range(2):
        for m in modules.values():
            for match in re.finditer(r"(?:^|[;}\n])\s*(pub(?:\([^)]*\))?\s+)?use\s+([^;]+);", m.text):
                pub, tree = match.group(1), match.group(2)
                scope = m.scope_at(match.start(2))
                for segs, alias in expand_use(tree):
                    if segs[-1] == "*":
                        target = absolute(scope, segs[:-1])
                        if target is not None:
                            (m.reexport_globs if pub and scope is m else m.globs).append(target)
                        continue
                    target = absolute(scope, segs)
                    if target is None:
                        continue
                    scope.uses[alias] = target
                    m.uses.setdefault(alias, target)
                    if pub and scope is m:
                        m.reexports[alias] = target
    for m in modules.values():
        body = re.sub(r"(?:^|[;}\n])\s*(pub(?:\([^)]*\))?\s+)?use\s+[^;]+;", lambda x: " " * len(x.group(0)), m.text)
        for match in re.finditer(r"(?<![\w:])((?:" + IDENT + r"::)+" + IDENT + r")", body):
            target = absolute(m.scope_at(match.start()), match.group(1).split("::"))
            if target is not None:
                m.refs.append(target)
        m.refs.extend(m.uses.values())
        for scope in m.inline:
            m.refs.extend(scope.uses.values())
        m.refs.extend(m.globs)
    return modules


def file_of(modules, path):
    """The file whose module is the longest prefix of `path`, and the rest of the path."""
    by_path = {tuple(m.path): m for m in modules.values()}
    for k in range(len(path), -1, -1):
        m = by_path.get(tuple(path[:k]))
        if m is not None:
            return m, path[k:]
    return None, path


def resolve(modules, path, seen=None):
    """The file that defines what `path` names, through re-exports."""
    seen = seen or set()
    m, rest = file_of(modules, path)
    if m is None or not rest:
        return m
    name = rest[0]
    key = (m.rel, name)
    if key in seen:
        return m
    seen.add(key)
    if name in m.reexports:
        return resolve(modules, m.reexports[name] + rest[1:], seen) or m
    for glob in m.reexport_globs:
        target = resolve(modules, glob + rest, seen)
        if target is not None and target is not m and name_defined(target, rest):
            return target
    return m


def name_defined(m, rest):
    return bool(re.search(r"\b(?:fn|struct|enum|trait|type|const|static|mod|macro_rules!)\s+" + re.escape(rest[0]) + r"\b", m.text))


def edges(modules):
    out = defaultdict(set)
    for m in modules.values():
        for ref in m.refs:
            target = resolve(modules, ref)
            if target is not None and target is not m:
                out[m.rel].add(target.rel)
    return out


def cycles(graph):
    """Strongly connected components with more than one file (Tarjan)."""
    index, low, stack, on, comps, counter = {}, {}, [], set(), [], [0]
    nodes = set(graph) | {t for ts in graph.values() for t in ts}

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                comps.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(nodes):
        if v not in index:
            visit(v)
    return comps


def main():
    problems = []
    if len(sys.argv) == 3 and sys.argv[1] == "--graph":
        modules = parse(sys.argv[2], CRATES[sys.argv[2]])
        for src, targets in sorted(edges(modules).items()):
            for t in sorted(targets):
                print(f"{src} -> {t}")
        return 0
    for crate, src in CRATES.items():
        modules = parse(crate, src)
        graph = edges(modules)
        for comp in cycles(graph):
            pairs = [f"{a} -> {b}" for a in comp for b in sorted(graph.get(a, ())) if b in comp]
            problems.append(f"{crate}: files import each other in a circle: {', '.join(comp)}\n    " + "\n    ".join(pairs))
        for layer_crate, prefix, allowed in LAYERS:
            if layer_crate != crate:
                continue
            for a, targets in sorted(graph.items()):
                if a.startswith(prefix) or any(a == p or (p.endswith("/") and a.startswith(p)) for p in allowed):
                    continue
                for b in sorted(targets):
                    if b.startswith(prefix):
                        problems.append(f"{crate}: {a} imports {b}, but only {', '.join(allowed)} may import {prefix}")
        limit = MAX_LINES.get(crate)
        if limit:
            for m in modules.values():
                lines = sum(1 for _ in open(os.path.join(ROOT, src, m.rel), encoding="utf-8"))
                if lines > limit:
                    problems.append(f"{crate}: {src}/{m.rel} has {lines} lines; at most {limit}")
    for p in problems:
        print(p)
    if problems:
        print(f"structure: {len(problems)} problem(s)")
        return 1
    print("structure: no import cycles, layers kept, file sizes within bounds")
    return 0


if __name__ == "__main__":
    sys.exit(main())
