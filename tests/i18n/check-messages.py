#!/usr/bin/python3
"""Checks the message catalogues (data/messages/*.txt) against the sources; fails (exit 1) when

  * a message identifier used in the sources (MSG("...") in checks/, reports/, scanner/) or a
    dynamic family (verdict.<word>, check.<name>, category.<name>, subtest.<name>) is missing
    from a catalogue;
  * the catalogues do not have the same identifiers, or an identifier's parameters ({name})
    differ between them;
  * a catalogue holds an identifier nothing uses (stale);
  * a catalogue does not parse (same rules as reports/i18n.c);
  * a check (checks/*.c) or the engine (scanner/) writes a subtest or a check error without a
    message (result_subtest(), result_subtest_obj(), result_set_error() instead of the _msg
    variants).

Usage: check-messages.py SOURCE_ROOT   (prints TAP)
"""
import glob
import os
import re
import sys

root = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
os.chdir(root)
ID = re.compile(r'^[a-z0-9_.-]+$')
PARAM = re.compile(r'(?<!\{)\{([a-z0-9_]{1,63})\}')


def parse(path):
    entries, last, errors = {}, None, []
    with open(path, 'rb') as f:
        data = f.read()
    try:
        text = data.decode('utf-8')
    except UnicodeDecodeError as e:
        return {}, ['%s: not UTF-8 (%s)' % (path, e)]
    for n, line in enumerate(text.split('\n'), 1):
        t = line.strip()
        if not t or t.startswith('#'):
            continue
        if line[0] in ' \t':
            if last is None:
                errors.append('%s:%d: continuation before any message' % (path, n))
            else:
                entries[last] = (entries[last] + ' ' + t).strip()
            continue
        if '=' not in t:
            errors.append('%s:%d: expected "id = text"' % (path, n))
            continue
        k, v = t.split('=', 1)
        k = k.strip()
        if not ID.match(k):
            errors.append('%s:%d: bad identifier %r' % (path, n, k))
        if k in entries:
            errors.append('%s:%d: duplicate identifier %s' % (path, n, k))
        entries[k] = v.strip()
        last = k
    return entries, errors


def sources(dirs):
    for d in dirs:
        for p in sorted(glob.glob(d + '/*.c')) + sorted(glob.glob(d + '/*.h')):
            with open(p, encoding='utf-8') as f:
                yield p, f.read()


used = {}
for p, s in sources(['checks', 'reports', 'scanner']):
    if p == 'scanner/msg.h':  # defines MSG() and shows it in comments
        continue
    for m in re.finditer(r'MSG\("([^"]*)"\)', s):
        used.setdefault(m.group(1), p)
# Dynamic families rendered by reports/html.c.
for w in re.findall(r'\[VERDICT_[A-Z_]+\] = "([a-z_]+)"', open('scanner/result.c').read()):
    used.setdefault('verdict.' + w, 'scanner/result.c')
for p, s in sources(['checks']):
    for m in re.finditer(r'const struct check check_\w+ = \{[^}]*?\.name = "([a-z0-9_]+)"', s, re.S):
        used.setdefault('check.' + m.group(1), p)
    # Subtest names: literal second arguments of (out, "name", ...) calls and name tables.
    for m in re.finditer(r'(?<!add_pair)\(\s*out,\s*"([a-z0-9_]+)"', s):
        used.setdefault('subtest.' + m.group(1), p)
    for tbl in re.finditer(r'st_names\[[A-Z_]*\] = \{(.*?)\};', s, re.S):
        for n in re.findall(r'"([a-z0-9_]+)"', tbl.group(1)):
            used.setdefault('subtest.' + n, p)
    for m in re.finditer(r'add_pair\(out, "([a-z0-9_]+)"', s):
        used.setdefault('subtest.%s_exists' % m.group(1), p)
        used.setdefault('subtest.%s_valid' % m.group(1), p)
for m in re.finditer(r'\[SCORE_[A-Z0-9_]+\] = \{ "([a-z0-9_]+)"', open('reports/score.c').read()):
    used.setdefault('category.' + m.group(1), 'reports/score.c')
# The subtests of the scoring table in docs/HACKING.md.
doc = open('docs/HACKING.md', encoding='utf-8').read()
sect = doc.split('## Subtests that carry the score', 1)[-1]
for row in re.findall(r'^\| [a-zA-Z0-9 ]+ \| [a-z_, ]+ \| (.*) \|$', sect, re.M):
    for n in re.findall(r'`([a-z0-9_]+)`', row):
        used.setdefault('subtest.' + n, 'docs/HACKING.md')

cats = {}
errors = []
for path in sorted(glob.glob('data/messages/*.txt')):
    lang = os.path.basename(path)[:-4]
    cats[lang], errs = parse(path)
    errors += errs

tests = []


def check(ok, what, details=()):
    tests.append((ok, what, list(details)))


check(not errors, 'catalogues parse', errors)
check({'en', 'nl'} <= set(cats), 'catalogues for en and nl exist (%s)' % ', '.join(sorted(cats)))
for lang, c in sorted(cats.items()):
    missing = sorted(i for i in used if i not in c)
    check(not missing, '%s: every identifier used in the sources is translated (%d used)' %
          (lang, len(used)), ['missing %s (used in %s)' % (i, used[i]) for i in missing])
    stale = sorted(i for i in c if i not in used)
    check(not stale, '%s: no stale identifiers' % lang, ['stale ' + i for i in stale])
    empty = sorted(i for i, t in c.items() if not t)
    check(not empty, '%s: no empty texts' % lang, ['empty ' + i for i in empty])
langs = sorted(cats)
for a in langs:
    for b in langs:
        if a < b:
            only = sorted(set(cats[a]) ^ set(cats[b]))
            check(not only, '%s and %s have the same identifiers' % (a, b),
                  ['only in one: ' + i for i in only])
            diff = sorted(i for i in set(cats[a]) & set(cats[b])
                          if set(PARAM.findall(cats[a][i])) != set(PARAM.findall(cats[b][i])))
            check(not diff, '%s and %s use the same parameters per message' % (a, b),
                  ['%s: %s %s vs %s %s' % (i, a, sorted(set(PARAM.findall(cats[a][i]))), b,
                                           sorted(set(PARAM.findall(cats[b][i])))) for i in diff])

plain = []
for p, s in sources(['checks', 'scanner']):
    if p in ('scanner/result.c', 'scanner/result.h'):  # defines them
        continue
    for m in re.finditer(r'\b(result_subtest|result_subtest_obj|result_set_error)\(', s):
        plain.append('%s:%d: %s() without a message' % (p, s.count('\n', 0, m.start()) + 1,
                                                         m.group(1)))
check(not plain, 'every subtest and check error (checks/, scanner/) carries a message', plain)

print('1..%d' % len(tests))
failed = 0
for n, (ok, what, details) in enumerate(tests, 1):
    print('%s %d - %s' % ('ok' if ok else 'not ok', n, what))
    for d in details[:50]:
        print('#   ' + d)
    failed += not ok
sys.exit(1 if failed else 0)
