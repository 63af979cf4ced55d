"""metrics_check.py METRICS_FILE EXPECT_FILE: compares a GET /metrics body with the values the
test computed from the monitor's export. EXPECT_FILE lines: NAME<TAB>LABELS<TAB>VALUE, LABELS as
k=v pairs joined by \x1f (empty: none; VALUE "absent": the series must not exist). Label values
are unescaped as the exposition format says (\\, \", \n). Prints one "ok"/"not ok" line each."""
import math
import re
import sys

LINE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?')


def unescape(v):
    return re.sub(r'\\(.)', lambda m: {'n': '\n', '\\': '\\', '"': '"'}[m.group(1)], v)


def parse(path):
    series = {}
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if not line or line.startswith("#"):
            continue
        m = LINE.match(line)
        if not m:
            sys.exit(f"unparsable line: {line!r}")
        labels = {}
        rest = m.group(2) or ""
        pos = 0
        while pos < len(rest):
            lm = LABEL.match(rest, pos)
            if not lm:
                sys.exit(f"bad labels: {line!r}")
            labels[lm.group(1)] = unescape(lm.group(2))
            pos = lm.end()
        series[(m.group(1), tuple(sorted(labels.items())))] = float(m.group(3))
    return series


def main():
    got = parse(sys.argv[1])
    bad = 0
    for line in open(sys.argv[2], encoding="utf-8"):
        name, labels, want = line.rstrip("\n").split("\t")
        key = (name, tuple(sorted(tuple(kv.split("=", 1)) for kv in labels.split("\x1f") if kv)))
        what = f"{name}{dict(key[1])}"
        have = got.get(key)
        if want == "absent":
            ok = have is None
        else:
            ok = have is not None and math.isclose(have, float(want), rel_tol=0, abs_tol=1e-6)
        bad += not ok
        print(f"{'ok' if ok else 'not ok'} - {what} = {want}" + ("" if ok else f": got {have}"))
    sys.exit(1 if bad else 0)


main()
