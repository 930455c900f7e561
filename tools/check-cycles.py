#!/usr/bin/env python3
"""Import cycles between Patrol's source files.

Every .rs file under a crate's src/ is a module. A `use` or path naming
`crate::a::b::…`, `super::…` or `self::…` is an edge to the deepest module
file that path reaches. A module's own descendants are not edges: a
parent owns its children (`mod x;`) and may publish their items
(`pub use x::Item`), which is what a module root is for; a child using its
parent's types, and every edge between modules that do not nest, counts. Prints each cycle (strongly connected
component of more than one file) and exits 1 if there is any.
"""
import os, re, sys

def modules(src):
    mods = {}
    for root, _, files in os.walk(src):
        for f in files:
            if not f.endswith('.rs'): continue
            p = os.path.join(root, f)
            rel = os.path.relpath(p, src)[:-3].split(os.sep)
            if rel[-1] in ('mod', 'lib', 'main'): rel = rel[:-1]
            mods[tuple(rel)] = p
    return mods

USE = re.compile(r'\buse\s+([^;]+);', re.S)
PATH = re.compile(r'\b((?:crate|super|self)(?:::\w+)+)')

def expand(tree):
    """`a::{b, c::{d}}` -> ['a::b', 'a::c::d']"""
    tree = re.sub(r'\s+', '', tree)
    out = []
    def rec(prefix, s):
        i = s.find('{')
        if i < 0:
            out.append(prefix + s); return
        head = prefix + s[:i]
        body = s[i+1:s.rfind('}')]
        depth, cur, parts = 0, '', []
        for ch in body:
            if ch == ',' and depth == 0: parts.append(cur); cur = ''; continue
            depth += ch == '{'; depth -= ch == '}'; cur += ch
        if cur: parts.append(cur)
        for p in parts: rec(head, p)
    rec('', tree)
    return out

def strip(text):
    text = re.sub(r'//[^\n]*', '', text)
    text = re.sub(r'/\*.*?\*/', '', text, flags=re.S)
    text = re.sub(r'"(?:\\.|[^"\\])*"', '""', text)
    return text

def resolve(mod, path, mods, is_dir):
    parts = path.split('::')
    if parts[0] == 'crate': base, rest = (), parts[1:]
    else:
        base = list(mod) if is_dir else list(mod)
        rest = parts
        # self:: is the module itself; super:: its parent
        while rest and rest[0] in ('self', 'super'):
            if rest[0] == 'super': base = base[:-1]
            rest = rest[1:]
        base = tuple(base)
    best = None
    cur = base
    if cur in mods: best = cur
    for r in rest:
        cur = cur + (r,)
        if cur in mods: best = cur
        else: break
    return best

def graph(src):
    mods = modules(src)
    edges = {m: set() for m in mods}
    for m, p in mods.items():
        text = strip(open(p).read())
        # test modules inside a file are the file's own business
        text = re.split(r'#\[cfg\(test\)\]\s*mod\s+tests\s*\{', text)[0]
        paths = []
        for u in USE.findall(text):
            for e in expand(u):
                if e.split('::')[0] in ('crate', 'super', 'self'): paths.append(e)
        paths += PATH.findall(USE.sub('', text))
        for path in paths:
            t = resolve(m, path, mods, p.endswith(('mod.rs', 'lib.rs', 'main.rs')))
            if t is not None and t[:len(m)] != m:
                edges[m].add(t)
    return mods, edges

def sccs(edges):
    index, low, stack, on, out, n = {}, {}, [], set(), [], [0]
    sys.setrecursionlimit(10000)
    def visit(v):
        index[v] = low[v] = n[0]; n[0] += 1; stack.append(v); on.add(v)
        for w in edges[v]:
            if w not in index: visit(w); low[v] = min(low[v], low[w])
            elif w in on: low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            c = []
            while True:
                w = stack.pop(); on.discard(w); c.append(w)
                if w == v: break
            out.append(c)
    for v in edges:
        if v not in index: visit(v)
    return [c for c in out if len(c) > 1]

bad = 0
for src in sys.argv[1:]:
    mods, edges = graph(src)
    for c in sccs(edges):
        bad += 1
        names = sorted('::'.join(m) or 'crate' for m in c)
        print(f"{src}: cycle of {len(c)}: " + ', '.join(names))
        cs = set(c)
        for m in sorted(c):
            for t in sorted(edges[m] & cs):
                print(f"    {'::'.join(m) or 'crate'} -> {'::'.join(t) or 'crate'}")
    print(f"{src}: {len(mods)} modules, {sum(len(e) for e in edges.values())} edges", file=sys.stderr)
sys.exit(1 if bad else 0)
