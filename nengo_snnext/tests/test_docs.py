"""Every ``python`` block of README.md and docs/*.md runs as written.

Each page is one test: its blocks run in order in one namespace, in a fresh
``python -W error::RuntimeWarning`` in a temporary working directory. An HTML
comment on the line just before a fence changes how that block is tested:

``<!-- docs-test: slow -->``
    Without ``--slow`` only the blocks before the page's first slow block run
    (test ``<page>``); with ``--slow`` the whole page runs too (``<page>-full``).
``<!-- docs-test: skip REASON -->``
    The block is not run; REASON (e.g. "needs Loihi hardware") is required.

A page whose blocks import an optional extra that is not installed (TensorFlow,
NengoDL or our Keras layers: ``[dl]``; nengo-loihi: ``[loihi]``; keras-spiking:
``[energy]``) is skipped, saying which extra it needs.
"""

import json
import os
import re
import subprocess
import sys
import textwrap
from collections import namedtuple
from pathlib import Path

import importlib.util

import pytest

ROOT = Path(__file__).resolve().parents[2]  # a source checkout has README.md and docs/ here
TIMEOUT = 600  # seconds per page
FENCE = re.compile(r"^\s*(`{3,}|~{3,})\s*(\S*)")
MARKER = re.compile(r"^\s*<!--\s*docs-test:\s*(.*?)\s*-->\s*$")
RUNNER = """if True:
    import gc, json, sys
    page, blocks = json.load(sys.stdin)
    namespace, unraisable = {"__name__": "__main__"}, []
    for n, (line, source) in enumerate(blocks):
        print(f"docs-test: block {n}", file=sys.stderr, flush=True)
        exec(compile("\\n" * (line - 1) + source, page, "exec"), namespace)
    print("docs-test: block cleanup", file=sys.stderr, flush=True)  # e.g. an unclosed Simulator
    sys.unraisablehook = lambda u: unraisable.append(u) or sys.__unraisablehook__(u)
    namespace.clear()
    gc.collect()
    sys.exit(1 if unraisable else 0)
"""


# a python block: first source line (1-based), source, slow marker, skip reason (None: run it)
Block = namedtuple("Block", "line source slow skip", defaults=(False, None))


def extract_blocks(text):
    """Return the ``python`` (or ``py``) fenced blocks of a markdown text, in order.

    Parameters
    ----------
    text : str
        Markdown; fences of other languages (bash, text, none) are ignored.

    Raises
    ------
    ValueError
        For an unknown or misplaced ``docs-test`` comment, or a skip without a reason.
    """
    lines, blocks, i = text.splitlines(), [], 0
    is_python = lambda m: m is not None and m.group(2) in ("python", "py")  # noqa: E731
    while i < len(lines):
        fence = FENCE.match(lines[i])
        if not fence:
            if MARKER.match(lines[i]) and not is_python(FENCE.match((lines + [""])[i + 1])):
                raise ValueError(f"line {i + 1}: docs-test marker not just before a ```python fence")
            i += 1
            continue
        close = re.compile(rf"^\s*{fence.group(1)[0]}{{{len(fence.group(1))},}}\s*$")
        end = next((j for j in range(i + 1, len(lines)) if close.match(lines[j])), len(lines))
        if is_python(fence):
            marker = MARKER.match(lines[i - 1]) if i > 0 else None
            word, _, reason = marker.group(1).partition(" ") if marker else ("", "", "")
            if marker and not (word == "slow" and not reason or word == "skip" and reason.strip()):
                raise ValueError(f"line {i}: bad marker {lines[i - 1].strip()!r}; use "
                                 "'<!-- docs-test: slow -->' or '<!-- docs-test: skip REASON -->'")
            source = textwrap.dedent("\n".join(lines[i + 1 : end])) + "\n"
            blocks.append(Block(i + 2, source, word == "slow", reason.strip() if word == "skip" else None))
        i = end + 1
    return blocks


def run_blocks(page, blocks, cwd):
    """Run ``blocks`` in a fresh interpreter in ``cwd``; return None or why they failed (with page lines)."""
    env = dict(os.environ, MPLBACKEND="Agg", TF_CPP_MIN_LOG_LEVEL="2",
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    payload = json.dumps([str(page), [(b.line, b.source) for b in blocks]])
    try:
        proc = subprocess.run([sys.executable, "-W", "error::RuntimeWarning", "-c", RUNNER], input=payload,
                              cwd=cwd, env=env, capture_output=True, text=True, timeout=TIMEOUT)
        stdout, stderr, what = proc.stdout, proc.stderr, f"exit {proc.returncode}"
    except subprocess.TimeoutExpired as e:
        stdout, stderr = ((s or b"").decode(errors="replace") for s in (e.stdout, e.stderr))
        what = f"over {TIMEOUT} s"
    if what == "exit 0":
        return None
    started = (re.findall(r"^docs-test: block (\d+|cleanup)$", stderr, re.M) or ["0"])[-1]
    where = ("after the last block, deleting its objects" if started == "cleanup"
             else f"block at line {blocks[int(started)].line} ({what}):\n{blocks[int(started)].source}")
    return (f"{Path(page).name}: failed {where}\n--- stdout (tail) ---\n{stdout[-2000:]}"
            f"\n--- stderr (tail) ---\n{stderr[-8000:]}")


def page_params():
    """``pytest.param(page, blocks)`` per page, plus a slow ``<page>-full`` for a page with slow blocks."""
    if not ((ROOT / "README.md").is_file() and (ROOT / "docs").is_dir()):
        skip = pytest.mark.skip(reason=f"no README.md and docs/ in {ROOT}: not a source checkout")
        return [pytest.param(None, [], marks=skip, id="docs")]
    params = []
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        try:
            blocks = extract_blocks(page.read_text(encoding="utf-8"))
        except ValueError as e:  # fails this page's test, not the collection
            params.append(pytest.param(page, e, id=page.name))
            continue
        slow = [n for n, b in enumerate(blocks) if b.slow]
        params.append(pytest.param(page, blocks[: slow[0]] if slow else blocks, id=page.name))
        if slow:
            params.append(pytest.param(page, blocks, id=f"{page.name}-full", marks=pytest.mark.slow))
    return params


# a top-level module imported by a block -> (the module that must be importable, the extra)
EXTRA_IMPORTS = {
    "tensorflow": ("tensorflow", "dl"),
    "nengo_dl": ("nengo_dl", "dl"),
    "nengo_snnext.keras": ("nengo_dl", "dl"),
    "nengo_snnext.backends.dl": ("nengo_dl", "dl"),
    "nengo_loihi": ("nengo_loihi", "loihi"),
    "nengo_snnext.loihi": ("nengo_loihi", "loihi"),
    "nengo_snnext.backends.loihi": ("nengo_loihi", "loihi"),
    "keras_spiking": ("keras_spiking", "energy"),
}
IMPORT = re.compile(r"^\s*(?:from|import)\s+([\w.]+)", re.M)


def missing_extras(blocks):
    """The extras that ``blocks`` import and this environment lacks (sorted)."""
    missing = set()
    for block in blocks:
        for name in IMPORT.findall(block.source):
            for prefix, (module, extra) in EXTRA_IMPORTS.items():
                if (name == prefix or name.startswith(prefix + ".")) and importlib.util.find_spec(module) is None:
                    missing.add(extra)
    return sorted(missing)


@pytest.mark.parametrize("page, blocks", page_params())
def test_doc_page_runs(page, blocks, tmp_path):
    if isinstance(blocks, ValueError):
        pytest.fail(f"{page.name}: {blocks}", pytrace=False)
    runnable = [b for b in blocks if b.skip is None]
    if not runnable:
        pytest.skip(f"{page.name}: nothing to run ({'; '.join(b.skip for b in blocks) or 'no python block'})")
    if missing := missing_extras(runnable):
        pytest.skip(f"{page.name} needs the extra(s) {missing}: pip install \"nengo-snnext[{','.join(missing)}]\"")
    if failure := run_blocks(page, runnable, tmp_path):
        pytest.fail(failure, pytrace=False)


def test_extract_blocks():
    markdown = ("```python\nx = 1\n```\n```bash\nexit 1\n```\n<!-- docs-test: slow -->\n```python\ny = x\n```\n"
                "<!-- docs-test: skip needs Loihi hardware -->\n````py\nimport nxsdk\n````\n")
    skip = Block(13, "import nxsdk\n", skip="needs Loihi hardware")
    assert extract_blocks(markdown) == [Block(2, "x = 1\n"), Block(9, "y = x\n", slow=True), skip]
    for bad in ["<!-- docs-test: skip -->", "<!-- docs-test: fast -->", "<!-- docs-test: slow -->\n"]:
        with pytest.raises(ValueError, match="marker"):
            extract_blocks(f"{bad}\n```python\npass\n```\n")


def test_missing_extras_reads_imports():
    blocks = [Block(1, "import nengo\nfrom nengo_snnext.keras import KLIF\n"), Block(5, "  import not_a_module_xyz\n")]
    expected = [] if importlib.util.find_spec("nengo_dl") else ["dl"]
    assert missing_extras(blocks) == expected
    EXTRA_IMPORTS["not_a_module_xyz"] = ("not_a_module_xyz", "xyz")
    try:
        assert missing_extras(blocks) == sorted(expected + ["xyz"])
    finally:
        del EXTRA_IMPORTS["not_a_module_xyz"]


def test_run_blocks_shares_namespace_and_reports_failures(tmp_path):
    page, ok = tmp_path / "page.md", Block(2, "x = 1\n")
    assert run_blocks(page, [ok, Block(5, "assert x == 1\n")], tmp_path) is None
    failure = run_blocks(page, [ok, Block(5, "import warnings\nwarnings.warn('w', RuntimeWarning)\n")], tmp_path)
    assert "block at line 5" in failure and 'page.md", line 6' in failure and "RuntimeWarning" in failure
    failure = run_blocks(page, [Block(2, "print('accuracy 0.75')\nassert False\n")], tmp_path)
    assert "--- stdout (tail) ---\naccuracy 0.75" in failure  # what the block printed before failing
    unclosed = "import warnings\nclass Sim:\n    def __del__(self):\n        warnings.warn('open', RuntimeWarning)\n"
    assert "after the last block" in run_blocks(page, [Block(2, unclosed + "sim = Sim()\n")], tmp_path)
