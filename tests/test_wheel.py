"""Installed from a wheel (not editable, outside the repository): one namespace, bundled data found.

The wheel is built from a copy of the sources (so the checkout gets no build/ or egg-info), installed
with ``pip install --target``, and used from a subprocess whose working directory is elsewhere.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SKIP = shutil.ignore_patterns(".git", "runs", "data", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache",
                              ".ruff_cache", "tests", "benchmarks")

CHECK = """
import importlib.util, json, sys
from pathlib import Path
import govreport, govreport.inference.tagger, govreport.annotations.evaluate, govreport.training.train
from govreport import paths
print(json.dumps({
    "govreport": govreport.__file__,
    "old_names": {n: importlib.util.find_spec(n) is not None for n in ("annotations", "inference", "training")},
    "model": str(paths.DEFAULT_MODEL),
    "model_files": sorted(p.name for p in paths.DEFAULT_MODEL.iterdir()),
    "example": str(paths.EXAMPLE_REPORT), "example_is_file": paths.EXAMPLE_REPORT.is_file(),
    "config_is_file": (paths.CONFIGS / "default.yaml").is_file(),
    "confidence_weights_is_file": (paths.CONFIGS / "confidence.json").is_file(),
}))
"""


def _run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=300, **kw)
    assert out.returncode == 0, f"{' '.join(cmd)}\n{out.stdout}\n{out.stderr}"
    return out


@pytest.mark.slow
def test_wheel_installs_one_namespace_and_finds_its_bundled_data(tmp_path):
    src, wheels, site, elsewhere = (tmp_path / d for d in ("src", "wheels", "site", "elsewhere"))
    shutil.copytree(ROOT, src, ignore=SKIP)
    elsewhere.mkdir()
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input", "-q"]
    _run([*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(wheels), str(src)])
    (wheel,) = wheels.glob("govreport-*.whl")
    _run([*pip, "install", "--no-deps", "--target", str(site), str(wheel)])
    env = {**os.environ, "PYTHONPATH": str(site)}

    info = json.loads(_run([sys.executable, "-c", CHECK], cwd=elsewhere, env=env).stdout)
    assert Path(info["govreport"]).is_relative_to(site)  # not the checkout's editable install
    assert info["old_names"] == {"annotations": False, "inference": False, "training": False}
    assert Path(info["model"]).is_relative_to(site) and Path(info["example"]).is_relative_to(site)
    assert {"config.json", "model.safetensors", "vocab.json"} <= set(info["model_files"])
    assert info["example_is_file"] and info["config_is_file"]
    assert info["confidence_weights_is_file"]  # else the confidence silently falls back to the tag score

    # `govreport extract` with the default model, as the README's first command, from the installed wheel
    out = _run([sys.executable, "-m", "govreport.cli", "extract", info["example"]], cwd=elsewhere, env=env)
    record = json.loads(out.stdout)
    truth = json.loads((ROOT / "docs" / "examples" / "report.expected.json").read_text(encoding="utf-8"))["record"]
    assert {k: record[k] for k in ("template", "report_year")} == {k: truth[k] for k in ("template", "report_year")}
    # the generator's truth names the body by its most frequent form; the record by its fullest printed
    # one (主办：乐神县营邵镇…), the generator's form then standing among the aliases
    assert truth["agency"] in [record["agency"], *record["agency_aliases"]]
