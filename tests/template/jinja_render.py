#!/usr/bin/python3
"""Render the template cases with python3-jinja2: the reference nethost's template engine
must match byte for byte (tests/template/compare.lua checks it).

  jinja_render.py CASES OUT          render CASES/*.j2 with CASES/<name>.json (or .yaml) as variables,
                                     in each whitespace mode, to OUT/<name>.<mode>.out
                                     (or OUT/<name>.<mode>.err when jinja2 raises)
  jinja_render.py --fuzz N SEED DIR  write N random cases (templates and variables) to DIR
"""
import json
import os
import random
import sys

import jinja2

MODES = {
    "plain": {},
    "trim": {"trim_blocks": True},
    "lstrip": {"lstrip_blocks": True},
    "trim_lstrip": {"trim_blocks": True, "lstrip_blocks": True},
    "keep": {"keep_trailing_newline": True},
}


def render(cases, out):
    os.makedirs(out, exist_ok=True)
    names = sorted(f[:-3] for f in os.listdir(cases) if f.endswith(".j2"))
    for name in names:
        path = os.path.join(cases, name + ".json")
        variables = {}
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                variables = json.load(f)
        elif os.path.exists(os.path.join(cases, name + ".yaml")):
            # A vars file as Ansible reads one: dicts keep the document's key order.
            import yaml
            with open(os.path.join(cases, name + ".yaml"), encoding="utf-8") as f:
                variables = yaml.safe_load(f)
        with open(os.path.join(cases, name + ".j2"), encoding="utf-8", newline="") as f:
            source = f.read()
        for mode, opts in MODES.items():
            env = jinja2.Environment(undefined=jinja2.StrictUndefined,
                                     loader=jinja2.FileSystemLoader(cases), **opts)
            base = os.path.join(out, f"{name}.{mode}")
            try:
                text = env.from_string(source).render(**variables)
            except Exception as e:  # the error's kind is what nethost must match
                with open(base + ".err", "w", encoding="utf-8") as f:
                    f.write(f"{type(e).__name__}: {e}\n")
                continue
            with open(base + ".out", "w", encoding="utf-8", newline="") as f:
                f.write(text)
    return 0


WORDS = ["Gi1/0/1", "uplink", "core", "A", "b", "Zz", "10.0.0.1", "it's", 'say "hi"',
         "back\\slash", "", " pad ", "tab\there", "MiXeD", "vlan", "x" * 30]


def rand_scalar(r):
    k = r.randrange(8)
    if k == 0:
        return r.randrange(-5000, 5000)
    if k == 1:
        return r.choice([0.5, 1.0, -2.25, 1e16, 1.5e-7, 100.0, 3.14159, 2.5, 1e22, 0.1])
    if k == 2:
        return r.choice([True, False])
    if k == 3:
        return None
    return r.choice(WORDS)


def rand_item(r):
    return {"name": r.choice(WORDS), "id": r.randrange(1, 4095), "enabled": r.choice([True, False]),
            "speed": r.choice([10, 100, 1000, 10000]), "ratio": r.choice([0.5, 1.0, 12.75, 1e-5])}


EXPRESSIONS = [
    "{{ s }}", "{{ n }}", "{{ f }}", "{{ lst }}", "{{ d }}", "{{ mixed }}",
    "{{ words|sort|join(',') }}", "{{ words|sort(reverse=true)|join('|') }}",
    "{{ words|unique|list }}", "{{ words|map('upper')|join(' ') }}", "{{ words|length }}",
    "{{ items|map(attribute='name')|join(', ') }}", "{{ items|selectattr('enabled')|list|length }}",
    "{{ items|rejectattr('enabled')|map(attribute='id')|list }}",
    "{{ items|sort(attribute='speed')|map(attribute='id')|join(' ') }}",
    "{{ items|sort(attribute='name,id')|map(attribute='name')|join(' ') }}",
    "{{ items|map(attribute='ratio')|list }}", "{{ items|sum(attribute='speed') }}",
    "{{ n + 1 }} {{ n * 2 }} {{ n / 3 }} {{ n // 7 }} {{ n % 7 }} {{ -n }}",
    "{{ f * 3 }} {{ f / 2 }} {{ f + n }}", "{{ n ** 2 }}",
    "{{ s|upper }}|{{ s|lower }}|{{ s|title }}|{{ s|capitalize }}|{{ s|trim }}",
    "{{ s|replace('a', 'A') }} {{ s|length }} {{ s ~ n ~ f }}",
    "{{ '%s=%d (%.3f) [%5s] [%-6s] %x' % (s, n, f, 'ab', 'cd', 255) }}",
    "{{ '%s:%s'|format(s, lst) }}", "{{ n|string }} {{ f|int }} {{ s|int }} {{ s|float }}",
    "{{ text|indent(3) }}", "{{ text|indent(2, true) }}", "{{ text|indent('> ', blank=true) }}",
    "{{ lst|first }} {{ lst|last }} {{ lst|reverse|list }}",
    "{{ n is even }} {{ n is divisibleby 3 }} {{ s is string }} {{ f is number }} {{ nothing is none }}",
    "{{ missing is defined }} {{ missing|default('dflt') }} {{ s|default('x', true) }}",
    "{{ d|dictsort }}", "{{ d.keys()|list }} {{ d.values()|list }}",
    "{{ s[1:3] }} {{ lst[::-1] }} {{ lst[1:] }}",
    "{{ n > 100 and s or 'small' }} {{ 'yes' if flag else 'no' }}",
    "{{ n|abs }} {{ f|round }} {{ f|round(2) }} {{ f|round(1, 'floor') }}",
    "{{ words|min }} {{ words|max }} {{ lst|count }}",
    "{{ s in words }} {{ n in lst }} {{ 'x' not in s }}",
    "{{ [n, f, s, nothing, flag] }} {{ (n, s) }} {{ (n,) }}",
]

TEMPLATES = [
    "{% for w in words %}{{ loop.index }}/{{ loop.length }}:{{ w }}{% if not loop.last %}, {% endif %}{% endfor %}\n",
    "{% for i in items %}\ninterface {{ i.name }}\n {% if i.enabled %}no {% endif %}shutdown\n  speed {{ i.speed }}\n{% endfor %}\n",
    "{%- for k, v in d.items() %}\n  {{ k }}: {{ v }}\n{%- endfor %}\n",
    "{% for i in items if i.enabled -%}\n  {{ i.id }}{{ loop.cycle('a', 'b') }}\n{% else %}\nnone\n{% endfor %}\n",
]


def fuzz(n, seed, out):
    r = random.Random(seed)
    os.makedirs(out, exist_ok=True)
    for i in range(n):
        lst = [rand_scalar(r) for _ in range(r.randrange(1, 6))]
        variables = {
            "s": r.choice(WORDS[:-1]) or "a", "n": r.randrange(-3000, 3000),
            "f": r.choice([0.5, 1.0, -2.25, 1e16, 1.5e-7, 100.0, 3.14159, 2.675, 12345.678, 1e-5]),
            "lst": [x for x in lst if x is not None and not isinstance(x, bool)] or [1],
            "words": [r.choice(WORDS) for _ in range(r.randrange(1, 7))],
            "d": {f"k{j}": rand_scalar(r) for j in range(r.randrange(1, 5))},
            "items": [rand_item(r) for _ in range(r.randrange(0, 5))],
            "mixed": [rand_scalar(r) for _ in range(4)] + [{"a": [1, 2.0, None]}],
            "text": "\n".join(r.choice(["line one", "", "  two", "three"]) for _ in range(r.randrange(1, 5))),
            "flag": r.choice([True, False]), "nothing": None,
        }
        exprs = r.sample(EXPRESSIONS, 6)
        body = "\n".join(exprs) + "\n" + r.choice(TEMPLATES)
        with open(os.path.join(out, f"fuzz{i:03d}.j2"), "w", encoding="utf-8") as f:
            f.write(body)
        with open(os.path.join(out, f"fuzz{i:03d}.json"), "w", encoding="utf-8") as f:
            json.dump(variables, f, sort_keys=True)
    return 0


if __name__ == "__main__":
    if sys.argv[1] == "--fuzz":
        sys.exit(fuzz(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]))
    sys.exit(render(sys.argv[1], sys.argv[2]))
