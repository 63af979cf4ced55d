#!/usr/bin/env python3
"""docker_facts.py DOCKERFILE COMPOSE: what tests/t0830-docker.sh checks, one "key<TAB>value"
line each, read from the Dockerfile (stages, RUN lines, apt-get install lists, COPY, ENV...) and
from docker-compose.yml parsed as YAML. Lists are space-separated and sorted."""
import re
import shlex
import sys

import yaml


def logical_lines(text):
    """Dockerfile lines with backslash continuations joined and comments dropped."""
    out, cur = [], ""
    for raw in text.splitlines():
        line = raw.strip()
        if not cur and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):
            continue
        if line.endswith("\\"):
            cur += line[:-1] + " "
            continue
        out.append(cur + line)
        cur = ""
    if cur:
        out.append(cur)
    return out


def apt_packages(run):
    """Packages of every `apt-get install` in a RUN command."""
    pkgs = []
    for part in re.split(r"&&|;|\|\|", run):
        words = shlex.split(part)
        if "apt-get" in words and "install" in words:
            rest = words[words.index("install") + 1:]
            pkgs += [w for w in rest if not w.startswith("-")]
    return pkgs


def dockerfile_facts(path):
    stages = []
    for line in logical_lines(open(path).read()):
        word, _, arg = line.partition(" ")
        word = word.upper()
        if word == "FROM":
            stages.append({"from": arg.strip(), "run": [], "copy": [], "env": {}, "other": {}})
            continue
        st = stages[-1]
        if word == "RUN":
            st["run"].append(arg.strip())
        elif word == "COPY":
            st["copy"].append(arg.strip())
        elif word == "ENV":
            for kv in shlex.split(arg):
                k, _, v = kv.partition("=")
                st["env"][k] = v
        else:
            st["other"].setdefault(word, []).append(arg.strip())
    yield "stages", len(stages)
    for i, st in enumerate(stages):
        name = "build" if i == 0 else "runtime"
        yield f"{name}.from", st["from"]
        yield f"{name}.packages", " ".join(sorted(p for r in st["run"] for p in apt_packages(r)))
        yield f"{name}.run", " && ".join(st["run"])
        yield f"{name}.copy", " | ".join(st["copy"])
        for k, v in st["env"].items():
            yield f"{name}.env.{k}", v
        for k, vs in st["other"].items():
            yield f"{name}.{k.lower()}", " | ".join(vs)


def compose_facts(path):
    doc = yaml.safe_load(open(path))
    services = doc.get("services", {})
    yield "services", " ".join(sorted(services))
    for name, svc in services.items():
        yield f"{name}.build", svc.get("build", "")
        yield f"{name}.image", svc.get("image", "")
        yield f"{name}.restart", svc.get("restart", "")
        yield f"{name}.init", svc.get("init", "")
        yield f"{name}.command", " ".join(svc.get("command", []) or [])
        yield f"{name}.volumes", " ".join(sorted(svc.get("volumes", [])))
        yield f"{name}.ports", " ".join(sorted(str(p) for p in svc.get("ports", [])))
        hc = svc.get("healthcheck", {}) or {}
        test = hc.get("test", [])
        yield f"{name}.healthcheck", " ".join(test) if isinstance(test, list) else test
        yield f"{name}.healthcheck.disable", hc.get("disable", "")


def main():
    for key, value in list(dockerfile_facts(sys.argv[1])) + list(compose_facts(sys.argv[2])):
        if isinstance(value, bool):
            value = str(value).lower()
        print(f"{key}\t{value}")


main()
